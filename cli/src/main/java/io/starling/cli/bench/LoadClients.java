package io.starling.cli.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.starling.codec.packet.Bytes;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * The bench's Netty side: one event loop group ({@code --threads}, native epoll where available),
 * one bootstrap to the broker, the {@link LoadConnection}s it opened, their counts and their
 * connect times (TCP connected to CONNACK). Closing it disconnects everything and stops the
 * threads; once {@link #close()} returns, what the event loops wrote is visible to the caller.
 */
final class LoadClients implements AutoCloseable {
    /** At most this many handshakes at a time when opening as fast as possible, so as not to overflow the broker's accept backlog. */
    static final int MAX_PENDING_HANDSHAKES = 256;
    private static final int TCP_CONNECT_TIMEOUT_MILLIS = 5000;

    private final BenchSettings settings;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ConnectionCounts counts = new ConnectionCounts();
    private final LatencyStats connectTimes;
    private final ConcurrentLinkedQueue<LoadConnection> connections = new ConcurrentLinkedQueue<>();

    LoadClients(BenchSettings settings) {
        this.settings = settings;
        InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
        if (address.isUnresolved()) {
            throw new BenchException("unknown host " + settings.host());
        }
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(settings.threads(), new DefaultThreadFactory("bench-io", true), io);
        this.connectTimes = new LatencyStats(group);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TCP_CONNECT_TIMEOUT_MILLIS)
                // a larger high-water mark than Netty's 64 KiB lets a publisher write longer batches
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 512 * 1024))
                .remoteAddress(address);
    }

    EventLoopGroup group() {
        return group;
    }

    ConnectionCounts counts() {
        return counts;
    }

    LatencyStats connectTimes() {
        return connectTimes;
    }

    /**
     * A CONNECT for {@code clientId} with the configured credentials and keep alive: a clean
     * session, but for subscribers when the settings ask for persistent ones.
     */
    private Connect connectPacket(String clientId, boolean subscriber) {
        Bytes password = settings.password() != null
                ? Bytes.of(settings.password().getBytes(StandardCharsets.UTF_8)) : null;
        boolean clean = !(subscriber && settings.persistentSubscribers());
        return new Connect(settings.version(), clientId, clean, settings.keepAlive(), settings.username(), password,
                null, Properties.EMPTY);
    }

    /** Opens one connection; its {@link LoadConnection#ready()} tells how the handshake went. */
    LoadConnection open(String clientId, @Nullable Subscription subscription, @Nullable Publisher publisher,
            @Nullable Subscriber subscriber) {
        LoadConnection connection = new LoadConnection(clientId, connectPacket(clientId, subscription != null), subscription, publisher,
                subscriber, counts, connectTimes);
        connections.add(connection);
        ChannelFuture connecting = bootstrap.clone().handler(connection).connect();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                connection.connectFailed(describe(f.cause()));
            }
        });
        return connection;
    }

    /**
     * Opens {@code n} connections made by {@code create}, {@code rate} per second (0: as fast as
     * possible, at most {@value #MAX_PENDING_HANDSHAKES} handshakes at a time), stopping early when
     * {@code stopped} says so; returns their ready futures in order.
     */
    List<CompletableFuture<LoadConnection>> openAll(int n, double rate, IntFunction<LoadConnection> create,
            BooleanSupplier stopped) throws InterruptedException {
        List<CompletableFuture<LoadConnection>> ready = new ArrayList<>(n);
        Semaphore handshakes = new Semaphore(MAX_PENDING_HANDSHAKES);
        long start = System.nanoTime();
        for (int i = 0; i < n && !stopped.getAsBoolean(); i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && !stopped.getAsBoolean()) {
                    LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
                }
            } else {
                while (!handshakes.tryAcquire(50, TimeUnit.MILLISECONDS)) {
                    if (stopped.getAsBoolean()) {
                        return ready;
                    }
                }
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            CompletableFuture<LoadConnection> future = create.apply(i).ready();
            if (rate <= 0) {
                future.whenComplete((c, e) -> handshakes.release());
            }
            ready.add(future);
        }
        return ready;
    }

    /**
     * Waits for every handshake; throws the first failure. Each handshake is bounded (TCP connect
     * timeout, then {@link LoadConnection#HANDSHAKE_TIMEOUT_SECONDS}), so this is too.
     */
    static List<LoadConnection> awaitAll(List<CompletableFuture<LoadConnection>> ready) throws InterruptedException {
        List<LoadConnection> connections = new ArrayList<>(ready.size());
        long limit = TCP_CONNECT_TIMEOUT_MILLIS + TimeUnit.SECONDS.toMillis(LoadConnection.HANDSHAKE_TIMEOUT_SECONDS) + 5000;
        for (CompletableFuture<LoadConnection> future : ready) {
            try {
                connections.add(future.get(limit, TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof BenchException b ? b : new BenchException(String.valueOf(e.getCause()));
            } catch (TimeoutException e) {
                throw new BenchException("a connection did not complete its handshake in " + limit + " ms");
            }
        }
        return connections;
    }

    /** Sends DISCONNECT on every connection and waits (bounded) until they are closed. */
    void disconnectAll() {
        List<CompletableFuture<Void>> closed = new ArrayList<>();
        for (LoadConnection connection : connections) {
            closed.add(connection.disconnect());
        }
        try {
            CompletableFuture.allOf(closed.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // closing the event loops below closes what is left
        }
    }

    /** Disconnects, stops the event loops and waits (bounded) for them to end. */
    @Override
    public void close() {
        disconnectAll();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private String describe(Throwable cause) {
        String where = settings.host() + ":" + settings.port();
        if (cause instanceof ConnectException || String.valueOf(cause.getMessage()).contains("Connection refused")) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("Connection refused")) {
                return "cannot connect to " + where + ": connection refused";
            }
            return "cannot connect to " + where + ": " + message;
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "cannot connect to " + where + ": no answer within " + TCP_CONNECT_TIMEOUT_MILLIS + " ms";
        }
        return "cannot connect to " + where + ": " + cause;
    }
}
