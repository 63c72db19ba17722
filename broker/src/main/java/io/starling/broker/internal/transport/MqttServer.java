package io.starling.broker.internal.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.protocol.Flows;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP listeners: one Netty server channel per configured listener, on the native epoll
 * transport on Linux and NIO elsewhere. A plain TCP connection's pipeline is short: the frame
 * decoder and the {@link Connection}, which is its own keep-alive timer and encodes packets
 * itself; {@link ListenerPipeline} adds PROXY protocol, TLS and WebSocket where a listener has
 * them. Each server channel's {@link ConnectionGate} applies the {@link ConnectionLimits}.
 */
public final class MqttServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MqttServer.class);
    /** Messages read per read event of a connection: Netty's default for stream channels (epoll and NIO). */
    private static final int MAX_MESSAGES_PER_READ = 16;
    /**
     * One receive buffer sizer for every connection, instead of one each: it only holds the size
     * bounds and makes each channel its own handle, which keeps that channel's guess. Netty sets
     * the messages per read on the default allocator of each channel; this one is set here once,
     * and nothing may change it per channel ({@code config().setMaxMessagesPerRead} would change
     * it for all).
     */
    private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator();

    static {
        RECEIVE_BUFFERS.maxMessagesPerRead(MAX_MESSAGES_PER_READ);
    }

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final ConnectionLimits limits;
    /** The TLS listeners' contexts, which {@link #reloadTls()} and the watcher replace. */
    private final List<ServerTls> tls = new ArrayList<>();
    private @Nullable CertificateWatcher certificateWatcher;

    private MqttServer(EventLoopGroup acceptors, EventLoopGroup workers, ConnectionLimits limits) {
        this.acceptors = acceptors;
        this.workers = workers;
        this.limits = limits;
    }

    /**
     * Binds every listener of {@code config}, reading the TLS listeners' certificates and keys; on
     * failure nothing is left open.
     */
    public static MqttServer start(BrokerConfig config, Flows flows, EventLoopGroup workers, EventLoopGroup acceptors)
            throws IOException {
        MqttServer server = new MqttServer(acceptors, workers, ConnectionLimits.of(config));
        try {
            List<BrokerConfig.Listener> listeners = config.listeners();
            // bytes are counted only for $SYS: with sys_interval 0 connections pay nothing for it
            WireBytes wireBytes = config.sysInterval() > 0 ? new WireBytes(flows.metrics()) : null;
            for (int i = 0; i < listeners.size(); i++) {
                BrokerConfig.Listener listener = listeners.get(i);
                server.bind(listener, flows, server.limits.listener(i), wireBytes);
            }
            if (!server.tls.isEmpty()) {
                server.certificateWatcher = CertificateWatcher.start(server.tls, acceptors.next(), CertificateWatcher.DEFAULT_INTERVAL);
            }
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** An event loop group of {@code threads} on the best transport here. */
    public static EventLoopGroup eventLoops(int threads, String name) {
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.DefaultThreadFactory(name, true), io);
    }

    private static Class<? extends ServerChannel> serverChannelClass() {
        return Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    private void bind(BrokerConfig.Listener listener, Flows flows, ConnectionLimits.Listener listenerLimits,
            @Nullable WireBytes wireBytes) throws IOException {
        ServerTls listenerTls = listener.tls() == null ? null : loadTls(listener.tls(), flows);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(new ConnectionGate(listenerLimits, flows.metrics()))
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
                .childHandler(new ListenerPipeline(listener, flows, listenerTls, wireBytes));
        try {
            Channel channel = bootstrap.bind(listener.bind(), listener.port()).sync().channel();
            serverChannels.add(channel);
            log.info("listening on {} ({}{}{}, {})", channel.localAddress(), listener.scheme(),
                    listener.transport() == BrokerConfig.Transport.WEBSOCKET ? " on " + listener.path() : "",
                    listener.proxyProtocol() ? " behind PROXY protocol" : "", Epoll.isAvailable() ? "epoll" : "nio");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + listener.bind() + ":" + listener.port(), e);
        } catch (Exception e) {
            // Netty rethrows the socket's checked exceptions undeclared
            BindException bind = new BindException("cannot listen on " + listener.bind() + ":" + listener.port() + ": " + e.getMessage());
            bind.initCause(e);
            throw bind;
        }
    }

    /**
     * Takes the connection limits of {@code config} ({@code limits.max_connections}, and each
     * listener's {@code max_connections} and {@code max_connection_rate}, matched by position) for
     * the connections accepted from now on. Listeners added or removed take a restart and are not
     * touched; connections already open stay open.
     */
    public void reloadLimits(BrokerConfig config) {
        limits.reload(config);
    }

    /** Reads a TLS listener's files; a broken one stops the start with its {@link ConfigException}, file and problem. */
    private ServerTls loadTls(BrokerConfig.Tls config, Flows flows) throws ConfigException {
        ServerTls loaded = ServerTls.load(config, flows.metrics());
        tls.add(loaded);
        return loaded;
    }

    /**
     * Reads every TLS listener's files again: new handshakes use the new certificate, key, CA and
     * CRL, open connections stay as they are. All are checked before any is replaced; on failure
     * nothing changes and the problem is thrown.
     */
    public void reloadTls() throws ConfigException {
        ServerTls.reloadAll(tls);
    }

    /** The addresses actually bound, in listener order (a port of 0 becomes the port chosen). */
    public List<InetSocketAddress> addresses() {
        return serverChannels.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }

    /** Stops accepting connections. */
    @Override
    public void close() {
        if (certificateWatcher != null) {
            certificateWatcher.close();
        }
        for (Channel channel : serverChannels) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        serverChannels.clear();
    }
}
