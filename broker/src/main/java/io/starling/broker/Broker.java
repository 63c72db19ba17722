package io.starling.broker;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.auth.PasswordFile;
import io.starling.broker.cluster.ClusterPort;
import io.starling.broker.config.ConfigException;
import io.starling.broker.internal.acl.AccessControl;
import io.starling.broker.internal.acl.AclFile;
import io.starling.broker.internal.admin.Administration;
import io.starling.broker.internal.auth.Authentication;
import io.starling.broker.internal.cluster.LocalNode;
import io.starling.broker.internal.cluster.ReplicatedPersistence;
import io.starling.broker.internal.auth.ScramSha256Mechanism;
import io.starling.broker.internal.limits.LiveLimits;
import io.starling.broker.internal.protocol.ConnectFlow;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.protocol.Flows;
import io.starling.broker.internal.protocol.PublishInFlow;
import io.starling.broker.internal.protocol.PublishOutFlow;
import io.starling.broker.internal.protocol.SubscribeFlow;
import io.starling.broker.internal.retained.RetainedIndex;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.session.InMemorySessionStore;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.broker.internal.sys.SysPublisher;
import io.starling.broker.internal.sys.SysRetained;
import io.starling.broker.internal.transport.MqttServer;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.Message;
import io.starling.broker.spi.AuthenticationMechanism;
import io.starling.broker.spi.Authenticator;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.PersistenceProvider;
import io.starling.broker.spi.Recovered;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Starling broker: the composition root, which builds every part with {@code new}, and
 * the embedding API.
 *
 * <pre>{@code
 * try (Broker broker = Broker.start(BrokerConfig.defaults())) {
 *     int port = broker.port();
 *     ...
 * }
 * }</pre>
 */
public final class Broker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Broker.class);

    /** The configuration in force: the one started with, with what reloads changed. */
    private volatile BrokerConfig config;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ChannelGroup channels;
    private final BrokerMetrics metrics;
    private final SessionRegistry sessions;
    private final Router router;
    private final MqttServer server;
    private final Persistence persistence;
    private final LiveLimits limits;
    private final AccessControl access;
    private final Authentication authentication;
    /** Publishes $SYS/broker/...; null when sys_interval is 0. */
    private final @Nullable SysPublisher sys;
    private final BrokerAdmin admin;
    private final LocalNode cluster;

    private Broker(BrokerConfig config, EventLoopGroup acceptors, EventLoopGroup workers, ChannelGroup channels,
            BrokerMetrics metrics, SessionRegistry sessions, Router router, MqttServer server, Persistence persistence,
            LiveLimits limits, AccessControl access, Authentication authentication, @Nullable SysPublisher sys, BrokerAdmin admin,
            LocalNode cluster) {
        this.cluster = cluster;
        this.access = access;
        this.admin = admin;
        this.sys = sys;
        this.config = config;
        this.acceptors = acceptors;
        this.workers = workers;
        this.channels = channels;
        this.metrics = metrics;
        this.sessions = sessions;
        this.router = router;
        this.server = server;
        this.persistence = persistence;
        this.limits = limits;
        this.authentication = authentication;
    }

    /**
     * Starts a broker with {@code config}: the store is read back and every listener is bound
     * before this returns. Fails, leaving nothing running, when a listener cannot be bound, the
     * password file or the ACL file cannot be read (a {@link ConfigException}), the store cannot be opened or read (a {@link
     * io.starling.broker.spi.StoreException}; the files are left as they are), or the
     * configuration would let anonymous clients in off loopback by default. {@link Authenticator}s
     * on the class path (found with {@link ServiceLoader}) decide about logins before the password file.
     */
    public static Broker start(BrokerConfig config) throws IOException {
        return start(config, List.of());
    }

    /**
     * Starts a broker as {@link #start(BrokerConfig)} does, with {@code authenticators} asked about
     * every login first, in order, before those on the class path and the password file.
     */
    public static Broker start(BrokerConfig config, List<Authenticator> authenticators) throws IOException {
        String violation = config.securityViolation();
        if (violation != null) {
            throw new IllegalArgumentException(violation);
        }
        Authentication authentication = new Authentication(config, authenticators(authenticators));
        AccessControl access = AccessControl.load(config.aclFile());
        BrokerConfig.Storage storage = config.storage();
        // a store that cannot be opened or read stops the start here, and is left as it is
        Persistence persistence;
        try {
            persistence = openPersistence(storage);
        } catch (RuntimeException e) {
            authentication.close();
            throw e;
        }
        // in a cluster, what is stored is also sent to the nodes holding a replica of this node's sessions
        ReplicatedPersistence replicated = config.cluster() == null ? null : new ReplicatedPersistence(persistence);
        if (replicated != null) {
            persistence = replicated;
        }
        EventLoopGroup acceptors = null;
        EventLoopGroup workers = null;
        try {
            Recovered recovered = persistence.recover();
            BrokerMetrics metrics = new BrokerMetrics();
            persistence.commitListener(metrics.storeCommits);
            TopicTree subscriptions = new TopicTree();
            RetainedIndex retained = new RetainedIndex(storage.maxRetainedMessages(), storage.maxRetainedBytes());
            restoreRetained(recovered, retained);
            // $SYS messages are retained apart, outside the clients' limits
            Router router = new Router(subscriptions, config.sysInterval() > 0 ? new SysRetained(retained) : retained, persistence,
                    metrics, access);
            // before the sessions are restored: their subscriptions are this node's first routes
            LocalNode cluster = new LocalNode(router, retained, metrics, replicated);
            LiveLimits limits = new LiveLimits(config.limits(), metrics);
            PublishOutFlow publishOut = new PublishOutFlow(config, persistence, metrics, limits);
            PublishInFlow publishIn = new PublishInFlow(router, persistence, metrics);
            SessionRegistry sessions = new SessionRegistry(new InMemorySessionStore(), subscriptions, publishOut, persistence,
                    config.sessionExpiry(), publishIn::onWill);
            ChannelGroup channels = new DefaultChannelGroup("mqtt-connections", GlobalEventExecutor.INSTANCE);
            Flows flows = new Flows(
                    new ConnectFlow(authentication, sessions, publishOut, config, authenticationMechanisms(authentication), access),
                    publishIn,
                    publishOut,
                    new SubscribeFlow(router, publishOut, persistence, config.mqtt5().maximumQos(), limits, metrics),
                    sessions, router, metrics, channels, config.maxPacketSize(), config.maxInflightMessages(), config.mqtt5(), limits);
            acceptors = MqttServer.eventLoops(1, "starling-accept");
            workers = MqttServer.eventLoops(Runtime.getRuntime().availableProcessors(), "starling-io");
            // the store keeps no user names: until its client is back, a session is judged as anonymous
            sessions.restore(recovered, workers::next, clientId -> access.rights(null, clientId));
            // in a cluster, sessions are claimed, handed over and adopted through the cluster node
            sessions.cluster(cluster, workers::next, clientId -> access.rights(null, clientId));
            cluster.sessions(sessions);
            metrics.sessionsRestored.add(recovered.sessions().size());
            MqttServer server = MqttServer.start(config, flows, workers, acceptors);
            log.info("sessions: {}", persistence);
            // on one of the event loops: rounds take microseconds, and stop with the loops
            SysPublisher sys = SysPublisher.start(router, sessions.store(), metrics, workers.next(), config.sysInterval());
            Administration admin = new Administration(sessions, router, retained, channels);
            cluster.fencing(admin::disconnectAllForLostMajority);
            return new Broker(config, acceptors, workers, channels, metrics, sessions, router, server, persistence, limits, access,
                    authentication, sys, admin, cluster);
        } catch (IOException | RuntimeException e) {
            if (acceptors != null && workers != null) {
                shutDown(acceptors, workers);
            }
            authentication.close();
            persistence.close();
            throw e;
        }
    }

    /** The ACL file of {@code config} loaded; a file that cannot be read or parsed stops the start. */
    /** Puts an ACL file in force for every client at once (for {@link BrokerReload}); null: none. */
    void replaceAclFile(@Nullable AclFile aclFile) {
        access.reload(aclFile);
    }

    /**
     * The store a {@link PersistenceProvider} on the class path opens, or {@link Persistence#NONE}
     * when persistence is off or no provider is there (said once, at INFO).
     */
    private static Persistence openPersistence(BrokerConfig.Storage storage) {
        if (!storage.persistence()) {
            return Persistence.NONE;
        }
        Iterator<PersistenceProvider> providers = ServiceLoader.load(PersistenceProvider.class, Broker.class.getClassLoader()).iterator();
        if (!providers.hasNext()) {
            log.info("no durable store on the class path (add io.starling:starling-store-rocksdb): sessions and retained"
                    + " messages are kept in memory only");
            return Persistence.NONE;
        }
        PersistenceProvider provider = providers.next();
        if (providers.hasNext()) {
            log.warn("more than one durable store on the class path; using {} ({})", provider.name(), provider.getClass().getName());
        }
        return provider.open(storage);
    }

    /** {@code embedded}, then the authenticators on the class path, in the order asked. */
    private static List<Authenticator> authenticators(List<Authenticator> embedded) {
        List<Authenticator> all = new ArrayList<>(embedded);
        for (Authenticator found : ServiceLoader.load(Authenticator.class, Broker.class.getClassLoader())) {
            log.info("authenticator {} ({})", found.name(), found.getClass().getName());
            all.add(found);
        }
        return all;
    }

    /**
     * The enhanced authentication mechanisms, by Authentication Method: the broker's SCRAM-SHA-256
     * when a password file is configured, and those on the class path (which replace it for the same method).
     */
    private static Map<String, AuthenticationMechanism> authenticationMechanisms(Authentication authentication) {
        Map<String, AuthenticationMechanism> mechanisms = new HashMap<>();
        if (authentication.hasPasswordFile()) {
            mechanisms.put(ScramSha256Mechanism.METHOD, new ScramSha256Mechanism(authentication));
        }
        for (AuthenticationMechanism mechanism : ServiceLoader.load(AuthenticationMechanism.class, Broker.class.getClassLoader())) {
            if (mechanism.method().equals(ScramSha256Mechanism.METHOD) && mechanisms.get(ScramSha256Mechanism.METHOD) instanceof ScramSha256Mechanism) {
                log.info("enhanced authentication: method '{}' from {} replaces the broker's own", mechanism.method(),
                        mechanism.getClass().getName());
                mechanisms.put(mechanism.method(), mechanism);
                continue;
            }
            AuthenticationMechanism before = mechanisms.putIfAbsent(mechanism.method(), mechanism);
            if (before != null) {
                log.warn("two mechanisms for authentication method '{}'; using {}", mechanism.method(), before.getClass().getName());
            } else {
                log.info("enhanced authentication: method '{}' ({})", mechanism.method(), mechanism.getClass().getName());
            }
        }
        return mechanisms;
    }

    private static void restoreRetained(Recovered recovered, RetainedIndex retained) {
        int refused = 0;
        for (Message message : recovered.retained()) {
            if (!retained.put(message)) {
                refused++;
            }
        }
        if (refused > 0) {
            log.warn("{} stored retained messages were not loaded: they exceed max_retained_messages or max_retained_bytes", refused);
        }
    }

    /**
     * Reads and checks everything {@code config} names, as {@link #start} would, without opening
     * a listener or the store: the password file, the ACL file, and every TLS listener's
     * certificates, key, CA and CRL. Returns the warnings (for example clear-text passwords).
     *
     * @throws ConfigException naming the file (and line) of the first problem
     */
    public static List<String> check(BrokerConfig config) throws ConfigException {
        String violation = config.securityViolation();
        if (violation != null) {
            throw new ConfigException("configuration", violation, null);
        }
        return BrokerReload.check(config);
    }

    /**
     * Applies {@code next} to the running broker, as SIGHUP does: the password and ACL files, the
     * TLS listeners' certificates and the limits are read again and take effect for new
     * connections and decisions, without dropping any. Everything is read and checked before
     * anything changes: on a problem this throws and the broker keeps what it had. Keys that
     * cannot change while running are logged as needing a restart and keep their values.
     *
     * @throws ConfigException naming the file (and line) of the first problem
     */
    public synchronized void reload(BrokerConfig next) throws ConfigException {
        config = BrokerReload.apply(this, config, next);
    }

    /** The port of the first listener, as bound (useful with port 0). */
    public int port() {
        return addresses().get(0).getPort();
    }

    /** Every listener's bound address, in configuration order. */
    public List<InetSocketAddress> addresses() {
        return server.addresses();
    }

    public BrokerConfig config() {
        return config;
    }

    public BrokerMetrics metrics() {
        return metrics;
    }

    /** The operator's view of this broker: its clients, sessions and retained messages, publishing and watching. */
    public BrokerAdmin admin() {
        return admin;
    }

    /**
     * This broker's side of a cluster, for the cluster transport: until a transport {@link
     * ClusterPort#attach attaches}, the broker is alone and sends nothing anywhere.
     */
    public ClusterPort cluster() {
        return cluster;
    }

    /**
     * Puts the connection limits of {@code config} in force (for {@link BrokerReload}): the global
     * and per-listener {@code max_connections} and {@code max_connection_rate}, listeners matched
     * by position; connections open now stay open.
     */
    void replaceConnectionLimits(BrokerConfig config) {
        server.reloadLimits(config);
    }

    /** For tests in this package (see the test jar's {@code BrokerInternals}); not part of the embedding API. */
    SessionRegistry sessions() {
        return sessions;
    }

    /** For tests in this package (see the test jar's {@code BrokerInternals}); not part of the embedding API. */
    Router router() {
        return router;
    }

    /** Puts other limits in force (for {@link BrokerReload}): each applies from a connection's next packet or message. */
    void replaceLimits(BrokerConfig.Limits limits) {
        this.limits.replace(limits);
    }

    /** Puts a password file (read already; null: none) and the anonymous rule of {@code config} in force for the next logins (for {@link BrokerReload}). */
    void replaceAuthentication(BrokerConfig config, @Nullable PasswordFile passwords) {
        authentication.replace(config, passwords);
    }

    /** Where sessions are stored: on disk, or {@link Persistence#NONE}. */
    public Persistence persistence() {
        return persistence;
    }

    /**
     * Reads the TLS listeners' certificate, key, CA and CRL files again (SIGHUP): new handshakes
     * use them, open connections stay up. All are checked before any is used; when one is broken,
     * the ones in use stay and a {@link ConfigException} names the file and the problem.
     */
    public void reloadTls() throws ConfigException {
        server.reloadTls();
    }

    /** Stops accepting, closes every connection and stops the broker's threads, within a few seconds. */
    @Override
    public void close() {
        SysPublisher publisher = sys;
        if (publisher != null) {
            publisher.close();
        }
        server.close();
        for (Channel channel : channels) {
            Connection connection = channel.pipeline().get(Connection.class);
            if (connection != null) {
                connection.closeForShutdown();
            }
        }
        channels.close().awaitUninterruptibly(3, TimeUnit.SECONDS);
        shutDown(acceptors, workers);
        authentication.close();
        // after the event loops: what the closing sessions wrote is committed before the store closes
        persistence.close();
        log.info("broker stopped");
    }

    private static void shutDown(EventLoopGroup acceptors, EventLoopGroup workers) {
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        acceptors.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
