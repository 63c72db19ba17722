package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.InMemorySessionStore;
import io.starling.broker.internal.session.Session;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.broker.internal.session.SessionStore;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.Persistence;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Session present when a reconnect races the expiry of its persistent session. Over the network
 * the race is a matter of microseconds, so this test drives the {@link SessionRegistry} directly
 * and fixes the interleaving that a reconnect can meet: the connection looks its session up, and
 * the expiry discards that session before the connection attaches to it.
 */
class SessionPresentRaceConformanceTest {
    private final EventExecutor loop = new DefaultEventExecutor();

    @AfterEach
    void stopLoop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A connection that only records: the registry's view of a network connection. */
    private final class FakeConnection implements ClientConnection {
        @Override
        public void send(Packet packet) {}

        @Override
        public void flush() {}

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public MqttVersion version() {
            return MqttVersion.V3_1_1;
        }

        @Override
        public EventExecutor eventLoop() {
            return loop;
        }

        @Override
        public void whenClosed(Runnable then) {
            then.run();
        }

        @Override
        public void closeForTakeOver() {}

        @Override
        public void closeForStoreFailure(String reason) {}

        @Override
        public void holdBackUntilDrained(io.starling.broker.internal.routing.Subscriber full) {}

        @Override
        public void stopHoldingBack() {}

        @Override
        public boolean publish(Message message, QoS qos, boolean dup, boolean retain, int packetId, int[] subscriptionIds) {
            return true;
        }

        @Override
        public boolean fits(Message message, int[] subscriptionIds) {
            return true;
        }

        @Override
        public int sendWindow() {
            return 32;
        }

        @Override
        public Session.@Nullable PendingWill takeWill() {
            return null;
        }

        @Override
        public void disconnect(ReasonCode reasonCode, String reason) {}
    }

    /** The in-memory store, which can hold a look-up until the session it found has been discarded. */
    private static final class RacingStore implements SessionStore {
        private final InMemorySessionStore delegate = new InMemorySessionStore();
        volatile boolean holdUntilDiscarded;

        @Override
        public @Nullable Session get(String clientId) {
            return delegate.get(clientId);
        }

        @Override
        public Session getOrCreate(String clientId, Function<String, Session> create) {
            Session session = delegate.getOrCreate(clientId, create);
            if (holdUntilDiscarded) {
                holdUntilDiscarded = false;
                await().atMost(Duration.ofSeconds(5)).until(session::isDiscarded);
            }
            return session;
        }

        @Override
        public void remove(Session session) {
            delegate.remove(session);
        }

        @Override
        public Collection<Session> all() {
            return delegate.all();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-3] a persistent session that expires while its client reconnects is not reported present")
    void reconnectRacingExpiry() throws Exception {
        RacingStore store = new RacingStore();
        SessionRegistry registry = new SessionRegistry(store, new TopicTree(), (s, m, q, retain, ids, stored) -> {}, Persistence.NONE,
                Duration.ofMillis(50));

        // a persistent session with a subscription, then its connection ends
        FakeConnection first = new FakeConnection();
        CompletableFuture<Boolean> firstPresent = new CompletableFuture<>();
        Session session = registry.open("race", false, first, (s, c, present) -> {
            s.subscriptions().put("t", SubscriptionOptions.of(QoS.AT_LEAST_ONCE));
            firstPresent.complete(present);
        });
        assertThat(firstPresent.get(5, TimeUnit.SECONDS)).isFalse();
        registry.closed(session, first);

        // the client reconnects just as the expiry (50 ms) discards the session
        store.holdUntilDiscarded = true;
        CompletableFuture<Boolean> secondPresent = new CompletableFuture<>();
        CompletableFuture<Integer> subscriptionsLeft = new CompletableFuture<>();
        registry.open("race", false, new FakeConnection(), (s, c, present) -> {
            subscriptionsLeft.complete(s.subscriptions().size());
            secondPresent.complete(present);
        });

        assertThat(subscriptionsLeft.get(5, TimeUnit.SECONDS)).as("subscriptions of the session attached to").isZero();
        assertThat(secondPresent.get(5, TimeUnit.SECONDS))
                .as("session present for a session whose state was discarded").isFalse();
    }
}
