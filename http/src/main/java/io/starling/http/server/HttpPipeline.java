package io.starling.http.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.starling.broker.transport.TlsEndpoint;
import java.util.concurrent.TimeUnit;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import org.jspecify.annotations.Nullable;

/** An HTTP connection's pipeline: TLS when configured, HTTP/1.1, requests read whole up to 1 MiB, then the routes. */
public final class HttpPipeline extends ChannelInitializer<SocketChannel> {
    /** The largest request body read: a publish of up to about 700 KiB of base64. */
    public static final int MAX_BODY = 1024 * 1024;
    /** A connection with nothing read or written for this long is closed (streams send a comment every 15 s). */
    private static final int IDLE_SECONDS = 60;

    private final @Nullable TlsEndpoint tls;
    private final RequestHandler requests;

    public HttpPipeline(@Nullable TlsEndpoint tls, RequestHandler requests) {
        this.tls = tls;
        this.requests = requests;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        if (tls != null) {
            tls.addHandlers(channel);
        }
        channel.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                .addLast("close-idle", new ChannelDuplexHandler() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
                        if (event instanceof IdleStateEvent) {
                            ctx.close();
                        } else {
                            super.userEventTriggered(ctx, event);
                        }
                    }
                })
                .addLast("http", new HttpServerCodec())
                .addLast("aggregate", new HttpObjectAggregator(MAX_BODY))
                .addLast("requests", requests);
    }
}
