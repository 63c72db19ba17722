package io.starling.broker.internal.sys;

import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.session.Session;
import io.starling.broker.internal.session.SessionStore;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.Message;
import io.starling.codec.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the {@code $SYS/broker/...} messages every {@code sys_interval} seconds, from the first
 * round at start-up, as retained QoS 0 messages from the broker itself (publisher id ""), through
 * the router like any client's message: subscribers get them only where the ACL file lets them
 * read. They are kept in memory only (see {@link SysRetained}) and not counted as received. Clients cannot publish there (see {@link #isSysTopic}). Rounds run on one thread, the
 * executor given; {@link #close} stops them.
 */
public final class SysPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SysPublisher.class);

    private final Router router;
    private final SessionStore sessions;
    private final BrokerMetrics metrics;
    private final SysTopics topics;
    private final long startNanos;
    private @Nullable ScheduledFuture<?> rounds;

    SysPublisher(Router router, SessionStore sessions, BrokerMetrics metrics, String version, long startNanos) {
        this.router = router;
        this.sessions = sessions;
        this.metrics = metrics;
        this.topics = new SysTopics(version);
        this.startNanos = startNanos;
    }

    /**
     * Starts publishing every {@code intervalSeconds} on {@code executor}, the first round now;
     * null when {@code intervalSeconds} is 0 ($SYS off).
     */
    public static @Nullable SysPublisher start(Router router, SessionStore sessions, BrokerMetrics metrics,
            ScheduledExecutorService executor, int intervalSeconds) {
        if (intervalSeconds <= 0) {
            return null;
        }
        String version = SysPublisher.class.getPackage().getImplementationVersion();
        SysPublisher publisher = new SysPublisher(router, sessions, metrics,
                version != null ? version : "(development build)", System.nanoTime());
        publisher.rounds = executor.scheduleAtFixedRate(publisher::roundSafely, 0, intervalSeconds, TimeUnit.SECONDS);
        return publisher;
    }

    /**
     * Whether {@code topic} is in the broker's {@code $SYS} tree, which clients may not publish
     * to, as in Mosquitto (its whole {@code $SYS} prefix).
     */
    public static boolean isSysTopic(String topic) {
        return !topic.isEmpty() && topic.charAt(0) == '$' && topic.startsWith("$SYS");
    }

    private void roundSafely() {
        try {
            round();
        } catch (RuntimeException e) {
            // a failed round must not end the next ones (a scheduled task that throws is not run again)
            log.warn("$SYS round failed", e);
        }
    }

    /** Samples the broker and publishes what changed. */
    void round() {
        Map<String, String> messages = topics.round(sample(), (System.nanoTime() - startNanos) / 1e9);
        for (Map.Entry<String, String> entry : messages.entrySet()) {
            publish(entry.getKey(), entry.getValue());
        }
    }

    private SysTopics.Sample sample() {
        long connected = 0;
        long total = 0;
        for (Session session : sessions.all()) {
            total++;
            if (session.online()) {
                connected++;
            }
        }
        Runtime runtime = Runtime.getRuntime();
        return new SysTopics.Sample(connected, total, router.subscriptions().size(), router.retained().size(),
                runtime.totalMemory() - runtime.freeMemory(),
                metrics.messagesReceived.sum(), metrics.messagesSent.sum(),
                metrics.bytesReceived.sum(), metrics.bytesSent.sum(), metrics.connectionsOpened.sum());
    }

    private void publish(String topic, String payload) {
        Message message = new Message(topic, QoS.AT_MOST_ONCE, true, payload.getBytes(StandardCharsets.UTF_8), "");
        router.publishFromBroker(message).deliver();
    }

    /** Stops the rounds; one running now finishes. */
    @Override
    public void close() {
        ScheduledFuture<?> r = rounds;
        if (r != null) {
            r.cancel(false);
        }
    }
}
