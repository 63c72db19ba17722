package io.starling.broker;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.starling.broker.auth.Authenticator;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.protocol.ConnectFlow;
import io.starling.broker.protocol.Connection;
import io.starling.broker.protocol.Flows;
import io.starling.broker.protocol.PublishInFlow;
import io.starling.broker.protocol.PublishOutFlow;
import io.starling.broker.protocol.SubscribeFlow;
import io.starling.broker.retained.RetainedIndex;
import io.starling.broker.routing.Router;
import io.starling.broker.routing.TopicTree;
import io.starling.broker.session.SessionRegistry;
import io.starling.broker.store.InMemorySessionStore;
import io.starling.broker.transport.MqttServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    private final BrokerConfig config;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final ChannelGroup channels;
    private final BrokerMetrics metrics;
    private final SessionRegistry sessions;
    private final Router router;
    private final MqttServer server;

    private Broker(BrokerConfig config, EventLoopGroup acceptors, EventLoopGroup workers, ChannelGroup channels,
            BrokerMetrics metrics, SessionRegistry sessions, Router router, MqttServer server) {
        this.config = config;
        this.acceptors = acceptors;
        this.workers = workers;
        this.channels = channels;
        this.metrics = metrics;
        this.sessions = sessions;
        this.router = router;
        this.server = server;
    }

    /**
     * Starts a broker with {@code config}: every listener is bound before this returns. Fails,
     * leaving nothing running, when a listener cannot be bound, the password file cannot be read,
     * or the configuration would let anonymous clients in off loopback by default.
     */
    public static Broker start(BrokerConfig config) throws IOException {
        String violation = config.securityViolation();
        if (violation != null) {
            throw new IllegalArgumentException(violation);
        }
        Authenticator authenticator = new Authenticator(config);
        BrokerMetrics metrics = new BrokerMetrics();
        TopicTree subscriptions = new TopicTree();
        Router router = new Router(subscriptions, new RetainedIndex(), metrics);
        PublishOutFlow publishOut = new PublishOutFlow(config, metrics);
        SessionRegistry sessions = new SessionRegistry(new InMemorySessionStore(), subscriptions, publishOut,
                config.sessionExpiry());
        ChannelGroup channels = new DefaultChannelGroup("mqtt-connections", GlobalEventExecutor.INSTANCE);
        Flows flows = new Flows(
                new ConnectFlow(authenticator, sessions, publishOut),
                new PublishInFlow(router),
                publishOut,
                new SubscribeFlow(router, publishOut),
                sessions, router, metrics, channels, config.maxPacketSize());
        EventLoopGroup acceptors = MqttServer.eventLoops(1, "starling-accept");
        EventLoopGroup workers = MqttServer.eventLoops(Runtime.getRuntime().availableProcessors(), "starling-io");
        MqttServer server;
        try {
            server = MqttServer.start(config, flows, workers, acceptors);
        } catch (IOException | RuntimeException e) {
            shutDown(acceptors, workers);
            throw e;
        }
        return new Broker(config, acceptors, workers, channels, metrics, sessions, router, server);
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

    public SessionRegistry sessions() {
        return sessions;
    }

    public Router router() {
        return router;
    }

    /** Stops accepting, closes every connection and stops the broker's threads, within a few seconds. */
    @Override
    public void close() {
        server.close();
        for (Channel channel : channels) {
            Connection connection = channel.pipeline().get(Connection.class);
            if (connection != null) {
                connection.closeForShutdown();
            }
        }
        channels.close().awaitUninterruptibly(3, TimeUnit.SECONDS);
        shutDown(acceptors, workers);
        log.info("broker stopped");
    }

    private static void shutDown(EventLoopGroup acceptors, EventLoopGroup workers) {
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        acceptors.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
        workers.terminationFuture().awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
