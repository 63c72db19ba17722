package io.starling.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.starling.client.internal.ClientEventLoops;
import io.starling.codec.decode.MqttFrameDecoder;
import io.starling.codec.decode.PacketDecoder;
import org.jspecify.annotations.Nullable;

/**
 * Opens the client's connections: a TCP connection on the client's event loop with the pipeline
 * TLS (when configured), the frame decoder, the keep-alive timer and the handler that hands
 * everything to the core. The TLS context is built once, at the first connect.
 */
final class ClientPipeline {
    private final MqttClientConfig config;
    private final EventLoop loop;
    private final ClientCore core;
    private @Nullable SslContext sslContext;

    ClientPipeline(MqttClientConfig config, EventLoop loop, ClientCore core) {
        this.config = config;
        this.loop = loop;
        this.core = core;
    }

    /** Starts a connection; a bad TLS configuration throws {@code MqttClientException} naming the file. */
    ChannelFuture connect(String host, int port) {
        if (config.tls() != null && sslContext == null) {
            sslContext = TlsContexts.build(config.tls());
        }
        return new Bootstrap()
                .group(loop)
                .channel(ClientEventLoops.channelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        init(ch, host, port);
                    }
                })
                .connect(host, port);
    }

    private void init(Channel ch, String host, int port) {
        ChannelPipeline p = ch.pipeline();
        if (sslContext != null) {
            SslHandler ssl = sslContext.newHandler(ch.alloc(), host, port);
            p.addLast("tls", ssl);
            ssl.handshakeFuture().addListener(f -> {
                if (!f.isSuccess()) {
                    core.onTlsFailure(ch, f.cause());
                }
            });
        }
        p.addLast("decoder", new MqttFrameDecoder(PacketDecoder.forClient(config.version(), config.maxPacketSize())));
        int keepAlive = (int) config.keepAlive().toSeconds();
        if (keepAlive > 0) {
            p.addLast("keep-alive", new IdleStateHandler(keepAlive, keepAlive, 0));
        }
        p.addLast("client", new ClientHandler(core, ch));
    }

    /** Replaces the keep-alive timer of {@code ch} with one of {@code seconds} (the server's Server Keep Alive); 0 removes it. */
    void keepAlive(Channel ch, int seconds) {
        ChannelPipeline p = ch.pipeline();
        if (p.get("keep-alive") != null) {
            p.remove("keep-alive");
        }
        if (seconds > 0) {
            p.addBefore("client", "keep-alive", new IdleStateHandler(seconds, seconds, 0));
        }
    }
}
