package io.starling.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.transport.TlsEndpoint;
import io.starling.http.api.AdminApi;
import io.starling.http.api.ConfigurationReload;
import io.starling.http.api.LiveStream;
import io.starling.http.auth.Credentials;
import io.starling.http.dashboard.Dashboard;
import io.starling.http.health.Probes;
import io.starling.http.metrics.BrokerMeters;
import io.starling.http.server.HttpError;
import io.starling.http.server.HttpPipeline;
import io.starling.http.server.Reply;
import io.starling.http.server.RequestHandler;
import io.starling.http.server.Routes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's HTTP listener: {@code /metrics} (Prometheus text format), {@code /health/live} and
 * {@code /health/ready}, the admin API under {@code /api/v1/} (docs/admin-api.md) and the web
 * dashboard at {@code /}. It starts before the broker, so that readiness can say 503 while the
 * store is read back, and is {@linkplain #attach attached} to the broker once that has started:
 *
 * <pre>{@code
 * try (HttpListener http = HttpListener.start(config.http());
 *      Broker broker = Broker.start(config)) {
 *     http.attach(broker, null);
 *     ...
 * }
 * }</pre>
 */
public final class HttpListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpListener.class);

    private final BrokerConfig.Http config;
    private final EventLoopGroup loops;
    private final ExecutorService blocking;
    private final Channel server;
    private final Credentials credentials;
    private final @Nullable TlsEndpoint tls;
    private final PrometheusMeterRegistry registry;
    private volatile @Nullable Broker broker;
    private volatile @Nullable ConfigurationReload reload;
    private volatile Probes.Stage stage = Probes.Stage.STARTING;
    private volatile @Nullable BrokerMeters meters;

    private HttpListener(BrokerConfig.Http config, EventLoopGroup loops, ExecutorService blocking, Channel server,
            Credentials credentials, @Nullable TlsEndpoint tls, PrometheusMeterRegistry registry) {
        this.config = config;
        this.loops = loops;
        this.blocking = blocking;
        this.server = server;
        this.credentials = credentials;
        this.tls = tls;
        this.registry = registry;
    }

    /**
     * Reads the credentials and TLS files {@code config} names and binds the listener; until
     * {@link #attach} only the health probes answer (ready: 503) and the rest says 503.
     *
     * @throws ConfigException when a file cannot be read or the listener would be open off loopback
     * @throws IOException when the address cannot be bound
     */
    public static HttpListener start(BrokerConfig.Http config) throws IOException {
        String violation = config.securityViolation();
        if (violation != null) {
            throw new ConfigException("configuration", violation, null);
        }
        Credentials credentials = Credentials.load(config);
        // the HTTP listener's handshakes are not the MQTT listeners': they are counted apart
        TlsEndpoint tls = config.tls() == null ? null : TlsEndpoint.load(config.tls(), new BrokerMetrics());
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("starling-http", true), NioIoHandler.newFactory());
        ExecutorService blocking = Executors.newFixedThreadPool(2, new DefaultThreadFactory("starling-http-api", true));
        Holder holder = new Holder();
        Routes routes = new Routes();
        Probes.addTo(routes, () -> holder.listener == null ? Probes.Stage.STARTING : holder.listener.stage);
        routes.add(HttpMethod.GET, "/metrics", Routes.Threading.BLOCKING, (request, params) -> {
            HttpListener listener = holder.listener;
            if (listener != null) {
                listener.refreshMeters();
            }
            return Reply.text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
        });
        new AdminApi(() -> holder.require().runningBroker(), () -> holder.listener == null ? null : holder.listener.reload,
                new LiveStream(registry)).addTo(routes);
        new Dashboard().addTo(routes);
        Channel server;
        try {
            server = new ServerBootstrap()
                    .group(loops)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new HttpPipeline(tls, new RequestHandler(routes, credentials, blocking)))
                    .bind(config.bind(), config.port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            // Netty rethrows the bind's IOException unchecked
            blocking.shutdownNow();
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            registry.close();
            if (e instanceof IOException || e instanceof UnresolvedAddressException) {
                throw new IOException("cannot listen for HTTP on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
            }
            throw e;
        }
        HttpListener listener = new HttpListener(config, loops, blocking, server, credentials, tls, registry);
        holder.listener = listener;
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        log.info("HTTP listener on {}://{}:{}/ (metrics, health, admin API, dashboard){}", tls == null ? "http" : "https",
                bound.getHostString(), bound.getPort(), credentials.anonymousAllowed() ? "" : "; credentials required");
        return listener;
    }

    /** Lets the routes, made before the listener exists, find it. */
    private static final class Holder {
        volatile @Nullable HttpListener listener;

        HttpListener require() {
            HttpListener known = listener;
            if (known == null) {
                throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "the broker is starting");
            }
            return known;
        }
    }

    private Broker runningBroker() {
        Broker running = broker;
        if (running == null || stage != Probes.Stage.READY) {
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, stage == Probes.Stage.STOPPING ? "the broker is stopping"
                    : "the broker is starting");
        }
        return running;
    }

    /**
     * Serves {@code broker}: its metrics, the admin API and the dashboard; readiness says 200 from
     * now on. {@code reload} is what {@code POST /api/v1/reload} runs (null: the broker has no
     * configuration file to read again).
     */
    public synchronized void attach(Broker broker, @Nullable ConfigurationReload reload) {
        this.broker = broker;
        this.reload = reload;
        this.meters = BrokerMeters.bind(registry, broker, broker.admin());
        stage = Probes.Stage.READY;
    }

    /** The cluster's meters appear with the cluster, after {@link #attach}: look for it at each scrape. */
    private void refreshMeters() {
        BrokerMeters bound = meters;
        if (bound != null) {
            bound.refresh();
        }
    }

    /** The port the listener is bound to (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The configuration the listener was started with. */
    public BrokerConfig.Http config() {
        return config;
    }

    /** The registry {@code /metrics} is scraped from, for meters of the embedding application. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Reads the password, token and TLS files again (SIGHUP): new requests and handshakes use
     * them. Everything is read before anything changes; on a problem the old ones stay and it is thrown.
     */
    public void reloadFiles() throws ConfigException {
        Credentials.load(config);
        if (tls != null) {
            tls.reload();
        }
        credentials.reload(config);
    }

    /** Readiness says 503 from now on (the broker is about to stop). */
    public void stopping() {
        stage = Probes.Stage.STOPPING;
    }

    /** Stops listening and closes every HTTP connection (live streams included). */
    @Override
    public synchronized void close() {
        stage = Probes.Stage.STOPPING;
        BrokerMeters bound = meters;
        if (bound != null) {
            bound.close();
        }
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        blocking.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        registry.close();
    }
}
