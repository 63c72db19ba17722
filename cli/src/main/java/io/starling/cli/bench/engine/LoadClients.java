package io.starling.cli.bench.engine;

import com.sun.management.UnixOperatingSystemMXBean;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SelectStrategy;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.starling.cli.bench.stats.ConnectionCounts;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
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
 * one bootstrap to the broker (or to each of several), the {@link LoadConnection}s it opened, their
 * counts and their connect times (TCP connected to CONNACK). Closing it disconnects everything and stops the
 * threads; once {@link #close()} returns, what the event loops wrote is visible to the caller.
 */
final class LoadClients implements AutoCloseable {
    /** At most this many handshakes at a time when opening as fast as possible, so as not to overflow the broker's accept backlog. */
    static final int MAX_PENDING_HANDSHAKES = 256;
    private static final int TCP_CONNECT_TIMEOUT_MILLIS = 5000;
    /** 5.0 Session Expiry Interval 0xFFFFFFFF: the session does not expire (§3.1.2.11.2). */
    static final long SESSION_NEVER_EXPIRES = 0xFFFF_FFFFL;

    private final BenchSettings settings;
    private final EventLoopGroup group;
    private final InetSocketAddress broker;
    /** Every broker connections may go to, the first being {@link #broker}; and their resolved addresses. */
    private final List<BrokerAddress> brokers;
    private final InetSocketAddress[] addresses;
    private final long fileDescriptorLimit = fileDescriptorLimit();
    private final Bootstrap bootstrap;
    private final ConnectionCounts counts = new ConnectionCounts();
    private final LatencyStats connectTimes;
    private final ConcurrentLinkedQueue<LoadConnection> connections = new ConcurrentLinkedQueue<>();
    /** TLS to the broker, shared by every connection; null: plain TCP. */
    private final @Nullable SslContext tls;

    LoadClients(BenchSettings settings) {
        this(settings, List.of(new BrokerAddress(settings.host(), settings.port())));
    }

    /**
     * Clients of {@code brokers} (at least one): {@link #open} connects to the first,
     * {@link #openOn} to any.
     */
    LoadClients(BenchSettings settings, List<BrokerAddress> brokers) {
        this.settings = settings;
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("no broker to connect to");
        }
        this.brokers = List.copyOf(brokers);
        this.addresses = new InetSocketAddress[brokers.size()];
        for (int i = 0; i < addresses.length; i++) {
            BrokerAddress b = brokers.get(i);
            addresses[i] = new InetSocketAddress(b.host(), b.port());
            if (addresses[i].isUnresolved()) {
                throw new BenchException("unknown host " + b.host());
            }
        }
        this.broker = addresses[0];
        this.tls = settings.tls() == null ? null : settings.tls().clientContext();
        boolean epoll = Epoll.isAvailable();
        if (settings.busyPoll() && !epoll) {
            throw new BenchException("--busy-poll needs Linux epoll, which is not available here");
        }
        IoHandlerFactory io = !epoll ? NioIoHandler.newFactory()
                : settings.busyPoll() ? EpollIoHandler.newFactory(0, LoadClients::busyPolling)
                : EpollIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(settings.threads(), new DefaultThreadFactory("bench-io", true), io);
        this.connectTimes = new LatencyStats(group);
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, TCP_CONNECT_TIMEOUT_MILLIS)
                // a larger high-water mark than Netty's 64 KiB lets a publisher write longer batches
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 512 * 1024))
                .remoteAddress(broker);
    }

    /** The broker's address, resolved once. */
    InetSocketAddress broker() {
        return broker;
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

    /** Runs what is due, else polls the sockets until something is ready rather than sleeping in epoll_wait. */
    private static SelectStrategy busyPolling() {
        return (selectNow, hasTasks) -> hasTasks ? selectNow.get() : SelectStrategy.BUSY_WAIT;
    }

    /**
     * A CONNECT for {@code clientId} with the configured credentials and keep alive: a clean
     * session, but for subscribers when the settings ask for persistent ones. In 5.0 it has no
     * properties, except for a persistent subscriber a Session Expiry Interval that never ends:
     * without it a 5.0 session ends with its connection [MQTT-3.1.2-23], and a persistent
     * session is meant to stay on the broker after the run, as a 3.1.1 one does.
     */
    static Connect connectPacket(BenchSettings settings, String clientId, boolean subscriber) {
        Bytes password = settings.password() != null
                ? Bytes.of(settings.password().getBytes(StandardCharsets.UTF_8)) : null;
        boolean clean = !(subscriber && settings.persistentSubscribers());
        Properties properties = !clean && settings.version().isV5()
                ? Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, SESSION_NEVER_EXPIRES))
                : Properties.EMPTY;
        return new Connect(settings.version(), clientId, clean, settings.keepAlive(), settings.username(), password,
                null, properties);
    }

    /**
     * Opens one connection from a local address the system chooses; its
     * {@link LoadConnection#ready()} tells how the handshake went.
     */
    LoadConnection open(String clientId, @Nullable Subscription subscription, @Nullable Publisher publisher,
            @Nullable Subscriber subscriber) {
        return open(clientId, subscription, publisher, subscriber, null);
    }

    /**
     * Opens one connection, bound to {@code source} (an address with port 0: the system picks the
     * port) unless it is null; its {@link LoadConnection#ready()} tells how the handshake went.
     */
    LoadConnection open(String clientId, @Nullable Subscription subscription, @Nullable Publisher publisher,
            @Nullable Subscriber subscriber, @Nullable InetSocketAddress source) {
        return connect(0, clientId, subscription, publisher, subscriber, source);
    }

    /**
     * Opens one connection to broker {@code index} of those this was made with, from a local
     * address the system chooses; its {@link LoadConnection#ready()} tells how the handshake went.
     */
    LoadConnection openOn(int index, String clientId, @Nullable Subscription subscription, @Nullable Publisher publisher,
            @Nullable Subscriber subscriber) {
        return connect(index, clientId, subscription, publisher, subscriber, null);
    }

    private LoadConnection connect(int index, String clientId, @Nullable Subscription subscription, @Nullable Publisher publisher,
            @Nullable Subscriber subscriber, @Nullable InetSocketAddress source) {
        LoadConnection connection = new LoadConnection(clientId, connectPacket(settings, clientId, subscription != null),
                subscription, publisher, subscriber, counts, connectTimes);
        connections.add(connection);
        BrokerAddress target = brokers.get(index);
        Bootstrap one = bootstrap.clone().handler(tls == null ? connection : withTls(tls, connection, target));
        ChannelFuture connecting = source == null ? one.connect(addresses[index]) : one.connect(addresses[index], source);
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                connection.connectFailed(describe(target.toString(), source, f.cause(), fileDescriptorLimit));
            }
        });
        return connection;
    }

    /** TLS in front of {@code connection}: the broker's certificate is checked against the host name the bench was given for it. */
    private ChannelInitializer<Channel> withTls(SslContext context, LoadConnection connection, BrokerAddress target) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                // what the connection writes before the handshake ends (its CONNECT) waits in the SSL handler
                channel.pipeline().addLast(context.newHandler(channel.alloc(), target.host(), target.port()), connection);
            }
        };
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

    /**
     * The one-line reason a connection to {@code where} (from {@code source}, when bound) could not
     * be made. Running out of file descriptors or ports is the usual end of a large {@code bench
     * conn}; those say so plainly and name the fix, since Netty's wording buries them.
     * {@code fileDescriptorLimit} is this process's limit, or -1 when unknown.
     */
    static String describe(String where, @Nullable InetSocketAddress source, Throwable cause, long fileDescriptorLimit) {
        String from = source == null ? "" : " from " + NetUtil.toAddressString(source.getAddress());
        String prefix = "cannot connect to " + where + from + ": ";
        String messages = messages(cause);
        if (messages.contains("Too many open files in system")) {
            // ENFILE: the whole system's table is full, not this process's limit
            return prefix + "too many open files in the system (ENFILE): raise the system's limit (sysctl fs.file-max)";
        }
        if (messages.contains("Too many open files")) {
            return prefix + "too many open files (EMFILE)"
                    + (fileDescriptorLimit > 0 ? ", this process may have " + fileDescriptorLimit : "")
                    + ": raise the limit with 'ulimit -n' (for example 'ulimit -n 200000', up to 'ulimit -Hn')"
                    + " in the shell that starts the bench";
        }
        if (messages.contains("Cannot assign requested address")) {
            // EADDRNOTAVAIL: bind to an address this machine does not have, or no ephemeral port left
            return source == null
                    ? prefix + "no local port left (each source address has about 28k ephemeral ports;"
                            + " bench conn --source-address spreads connections over several addresses)"
                    : prefix + "address not available (it is not an address of this machine,"
                            + " or its ephemeral ports are used up: add more --source-address values)";
        }
        if (source != null && messages.contains("Address already in use")) {
            // EADDRINUSE from bind(2) with port 0: every ephemeral port of this address is taken
            return prefix + "no local port left on this source address (about 28k each):"
                    + " add more --source-address values";
        }
        if (messages.contains("Connection refused")) {
            return prefix + "connection refused";
        }
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return prefix + "no answer within " + TCP_CONNECT_TIMEOUT_MILLIS + " ms";
        }
        if (cause instanceof ConnectException) {
            return prefix + cause.getMessage();
        }
        return prefix + cause;
    }

    /** The messages of {@code cause} and its causes: Netty wraps the system's error, e.g. in "Unable to create Channel". */
    private static String messages(Throwable cause) {
        StringBuilder all = new StringBuilder();
        Throwable t = cause;
        // bounded: a cause chain may loop
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }

    /**
     * This process's open file limit, or -1 where the JVM does not tell it. Read before connecting:
     * once the descriptors are used up, the JVM cannot even load the native library that tells it.
     */
    private static long fileDescriptorLimit() {
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            return os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : -1;
        } catch (LinkageError e) {
            return -1;
        }
    }
}
