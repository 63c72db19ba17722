package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import io.starling.store.rocksdb.Keyspace;
import io.starling.store.rocksdb.RocksPersistence;
import io.starling.store.rocksdb.RocksStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 sessions across a broker restart, as {@link PersistenceConformanceTest} does for 3.1.1:
 * with persistence on, what a 5.0 session holds beyond a 3.1.1 one (its Session Expiry Interval,
 * its subscriptions' options and identifiers, its messages' properties and expiry deadlines, the
 * RETAIN flag and identifiers of each queued message, its pending will with its delay) is the same
 * after the broker is stopped and started again on the same store. Each test restarts an embedded
 * broker on one store directory, and talks to it with {@link Mqtt5Client}.
 */
class Mqtt5PersistenceConformanceTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final long NEVER = 0xFFFF_FFFFL;
    /** The broker stamps times with the wall clock in whole milliseconds, the test measures with nanoTime. */
    private static final long CLOCK_SLACK_MS = 20;
    /** The properties a PUBLISH carries to its subscribers unchanged, User Properties in this order. */
    private static final List<Property> FORWARDED = List.of(
            Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
            Property.of(PropertyId.CONTENT_TYPE, "application/json"),
            Property.of(PropertyId.RESPONSE_TOPIC, "replies/q5"),
            Property.of(PropertyId.CORRELATION_DATA, Bytes.of(new byte[] {0, 1, (byte) 0xFF})),
            Property.user("z", "last"),
            Property.user("a", "first"),
            Property.user("z", "again"));

    private final BrokerConfig config = Brokers.config();
    private Broker broker;

    private void start() {
        try {
            broker = Broker.start(config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the broker as SIGTERM would: it commits what is waiting, then closes the store. */
    private void stop() {
        Broker stopping = broker;
        broker = null;
        stopping.close();
    }

    private void restart() {
        stop();
        start();
    }

    @AfterEach
    void stopIfRunning() {
        if (broker != null) {
            stop();
        }
    }

    private int port() {
        return broker.port();
    }

    private RocksStore store() {
        return ((RocksPersistence) broker.persistence()).store();
    }

    private long count(Keyspace keyspace) {
        AtomicLong n = new AtomicLong();
        store().forEach(keyspace, (k, v) -> n.incrementAndGet());
        return n.get();
    }

    private static Properties sessionExpiry(long seconds) {
        return Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, seconds));
    }

    /** Connects {@code clientId} with a Session Expiry Interval, and checks CONNACK's Session Present. */
    private Mqtt5Client connect(String clientId, boolean cleanStart, long expirySeconds, boolean sessionPresent) {
        return connect(clientId, new Connect(MqttVersion.V5, clientId, cleanStart, 60, null, null, null, sessionExpiry(expirySeconds)),
                sessionPresent);
    }

    private Mqtt5Client connect(String clientId, Connect connect, boolean sessionPresent) {
        Mqtt5Client client = Mqtt5Client.open(port(), clientId);
        try {
            ConnAck ack = client.connect(connect);
            assertThat(ack.reasonCode()).as("CONNACK of %s", clientId).isEqualTo(ReasonCode.SUCCESS);
            assertThat(ack.sessionPresent()).as("Session Present of %s", clientId).isEqualTo(sessionPresent);
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    private static void subscribe(Mqtt5Client client, int packetId, Subscription subscription, long identifier) {
        SubAck ack = client.subscribe(packetId, subscription, Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, identifier));
        assertThat(ack.reasonCodes()).containsExactly(subscription.qos() == QoS.EXACTLY_ONCE ? ReasonCode.GRANTED_QOS_2 : ReasonCode.GRANTED_QOS_1);
    }

    /** Publishes at QoS 1 and expects the PUBACK. */
    private static void publish1(Mqtt5Client client, String topic, boolean retain, int packetId, String payload, Property... properties) {
        client.publish(topic, QoS.AT_LEAST_ONCE, retain, packetId, payload, properties);
        PubAck ack = client.expect(PubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        assertThat(ack.reasonCode().isError()).as("PUBACK %s", ack.reasonCode()).isFalse();
    }

    /** Reads the next PUBLISH, checks its topic and payload, and acknowledges it at QoS 1. */
    private static Publish expectAndAck(Mqtt5Client client, String topic, String payload) {
        Publish publish = client.expect(Publish.class);
        assertThat(publish.topic()).isEqualTo(topic);
        assertThat(Mqtt5Client.text(publish)).isEqualTo(payload);
        assertThat(publish.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        client.send(new PubAck(publish.packetId()));
        return publish;
    }

    /** The properties other than the two the broker sets for each subscriber: expiry left and identifiers. */
    private static List<Property> forwarded(Publish publish) {
        return publish.properties().all().stream()
                .filter(p -> p.id() != PropertyId.MESSAGE_EXPIRY_INTERVAL && p.id() != PropertyId.SUBSCRIPTION_IDENTIFIER)
                .toList();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] [MQTT-3.2.2-3] [MQTT-3.8.3-3] [MQTT-3.3.1-12] [MQTT-3.3.1-13] [MQTT-3.3.4-3] a 5.0 session keeps its subscriptions' options and identifiers across a restart")
    void subscriptionOptionsAndIdentifiersSurviveRestart() {
        start();
        try (Mqtt5Client opts = connect("opts", true, 300, false)) {
            subscribe(opts, 1, new Subscription("opts/nl", QoS.AT_LEAST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE), 11);
            subscribe(opts, 2, new Subscription("opts/rap", QoS.AT_LEAST_ONCE, false, true, RetainHandling.SEND_ON_SUBSCRIBE), 12);
            subscribe(opts, 3, new Subscription("opts/plain", QoS.AT_LEAST_ONCE, false, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION), 268_435_455);
        }
        Brokers.awaitOffline(broker, "opts");
        restart();

        try (Mqtt5Client opts = connect("opts", false, 300, true);
                Mqtt5Client other = Mqtt5Client.connected(port(), "other")) {
            // No Local: its own message does not come back, the other client's does
            publish1(opts, "opts/nl", false, 1, "mine");
            publish1(other, "opts/nl", false, 1, "theirs");
            Publish theirs = expectAndAck(opts, "opts/nl", "theirs");
            assertThat(theirs.properties().subscriptionIdentifiers()).containsExactly(11L);
            assertThat(theirs.retained()).isFalse();

            // Retain As Published keeps RETAIN on a live message; without it, RETAIN is 0
            publish1(other, "opts/rap", true, 2, "kept");
            Publish kept = expectAndAck(opts, "opts/rap", "kept");
            assertThat(kept.retained()).as("RETAIN with Retain As Published").isTrue();
            assertThat(kept.properties().subscriptionIdentifiers()).containsExactly(12L);
            publish1(other, "opts/plain", true, 3, "cleared");
            Publish cleared = expectAndAck(opts, "opts/plain", "cleared");
            assertThat(cleared.retained()).as("RETAIN without Retain As Published").isFalse();
            assertThat(cleared.properties().subscriptionIdentifiers()).containsExactly(268_435_455L);
            opts.expectNothing(QUIET);

            // Retain Handling 1 sends retained messages only for a new subscription: this one survived
            subscribe(opts, 4, new Subscription("opts/plain", QoS.AT_LEAST_ONCE, false, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION), 268_435_455);
            opts.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] [MQTT-3.3.2-5] [MQTT-3.3.2-6] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20] queued messages keep their properties, RETAIN and identifiers across a restart; their expiry counts the time the broker was down")
    void queuedMessagesKeepPropertiesAndExpiry() {
        start();
        try (Mqtt5Client sub = connect("queued", true, 300, false)) {
            subscribe(sub, 1, new Subscription("q5/#", QoS.AT_LEAST_ONCE, false, true, RetainHandling.SEND_ON_SUBSCRIBE), 21);
        }
        Brokers.awaitOffline(broker, "queued");
        long shortAcked;
        try (Mqtt5Client pub = Mqtt5Client.connected(port(), "pub")) {
            Property[] withExpiry = FORWARDED.toArray(new Property[FORWARDED.size() + 1]);
            withExpiry[FORWARDED.size()] = Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 600);
            publish1(pub, "q5/props", false, 1, "{\"n\":1}", withExpiry);
            publish1(pub, "q5/short", false, 2, "short", Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 1));
            shortAcked = System.currentTimeMillis();
            publish1(pub, "q5/retained", true, 3, "flagged", Property.user("k", "v"));
            publish1(pub, "q5/plain", false, 4, "plain");
        }
        stop();
        // the broker stamped the short one's deadline before its PUBACK: past it, the broker is still down
        await("the 1 s expiry to pass while the broker is down").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> System.currentTimeMillis() > shortAcked + 1000);
        start();

        try (Mqtt5Client sub = connect("queued", false, 300, true)) {
            Publish props = expectAndAck(sub, "q5/props", "{\"n\":1}");
            assertThat(forwarded(props)).as("properties, User Properties in order").containsExactlyElementsOf(FORWARDED);
            // more than a second has passed since it was published: the interval left is below 600
            assertThat(props.properties().integer(PropertyId.MESSAGE_EXPIRY_INTERVAL).orElseThrow()).isBetween(590L, 599L);
            assertThat(props.properties().subscriptionIdentifiers()).containsExactly(21L);
            assertThat(props.retained()).isFalse();

            // q5/short expired while the broker was down: it is not sent
            Publish flagged = expectAndAck(sub, "q5/retained", "flagged");
            assertThat(flagged.retained()).as("RETAIN kept for a Retain As Published subscription").isTrue();
            assertThat(forwarded(flagged)).containsExactly(Property.user("k", "v"));
            assertThat(flagged.properties().contains(PropertyId.MESSAGE_EXPIRY_INTERVAL)).isFalse();
            assertThat(flagged.properties().subscriptionIdentifiers()).containsExactly(21L);

            Publish plain = expectAndAck(sub, "q5/plain", "plain");
            assertThat(forwarded(plain)).isEmpty();
            assertThat(plain.properties().contains(PropertyId.MESSAGE_EXPIRY_INTERVAL)).isFalse();
            sub.expectNothing(QUIET);
        }
        assertThat(broker.metrics().messagesExpired.sum()).as("messages expired").isEqualTo(1);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] a session's expiry interval is kept across a restart: 1 s ends it soon after, 0xFFFFFFFF never")
    void sessionExpiryIntervalSurvivesRestart() {
        start();
        try (Mqtt5Client brief = connect("brief", true, 1, false)) {
            subscribe(brief, 1, new Subscription("se/t", QoS.AT_LEAST_ONCE), 1);
        }
        try (Mqtt5Client forever = connect("forever", true, NEVER, false)) {
            subscribe(forever, 1, new Subscription("se/t", QoS.AT_LEAST_ONCE), 2);
        }
        Brokers.awaitOffline(broker, "brief");
        Brokers.awaitOffline(broker, "forever");
        restart();

        // the broker's own session_expiry is "never": only the stored 1 s can end this session
        assertThat(config.sessionExpiry()).isNull();
        await("the 1 s session to expire").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                .until(() -> BrokerInternals.sessions(broker).store().get("brief") == null && count(Keyspace.SESSIONS) == 1);
        assertThat(BrokerInternals.sessions(broker).store().get("forever")).as("the session that never expires").isNotNull();
        assertThat(count(Keyspace.SUBSCRIPTIONS)).as("the subscription of the one left").isEqualTo(1);
        connect("forever", false, NEVER, true).close();
        connect("brief", false, 1, false).close();
    }

    private static Connect withWill(String clientId, long willDelay, long sessionExpiry) {
        Will will = new Will("will/" + clientId, Bytes.of(("gone " + clientId).getBytes(StandardCharsets.UTF_8)), QoS.AT_LEAST_ONCE,
                false, Properties.of(Property.of(PropertyId.WILL_DELAY_INTERVAL, willDelay),
                        Property.of(PropertyId.CONTENT_TYPE, "text/plain"), Property.user("why", "crash")));
        return new Connect(MqttVersion.V5, clientId, true, 60, null, null, will, sessionExpiry(sessionExpiry));
    }

    /** A persistent subscriber of every will: what is published while it is offline waits in its queue. */
    private void watchWills() {
        try (Mqtt5Client watcher = connect("watcher", true, 300, false)) {
            subscribe(watcher, 1, new Subscription("will/#", QoS.AT_LEAST_ONCE), 7);
        }
        Brokers.awaitOffline(broker, "watcher");
    }

    private static void expectWill(Mqtt5Client watcher, String clientId) {
        Publish will = expectAndAck(watcher, "will/" + clientId, "gone " + clientId);
        assertThat(forwarded(will)).containsExactly(Property.of(PropertyId.CONTENT_TYPE, "text/plain"), Property.user("why", "crash"));
        assertThat(will.properties().subscriptionIdentifiers()).containsExactly(7L);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] a pending will survives a restart and is published when its delay is over, counted from the disconnection")
    void pendingWillPublishedAfterRestart() {
        start();
        watchWills();
        connect("dying", withWill("dying", 2, 60), false).close(); // no DISCONNECT: the will is due 2 s from now
        long closed = System.nanoTime();
        Brokers.awaitOffline(broker, "dying");
        assertThat(count(Keyspace.WILLS)).as("the pending will, stored").isEqualTo(1);
        restart();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed)).as("restarted within the will delay").isLessThan(2000);

        try (Mqtt5Client watcher = connect("watcher", false, 300, true)) {
            expectWill(watcher, "dying");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed)).as("ms from the disconnection to the will")
                    .isGreaterThanOrEqualTo(2000 - CLOCK_SLACK_MS);
            await("the published will removed from the store").atMost(Duration.ofSeconds(5)).until(() -> count(Keyspace.WILLS) == 0);
            watcher.send(Disconnect.NORMAL);
        }
        Brokers.awaitOffline(broker, "watcher");
        restart();
        assertThat(BrokerInternals.sessions(broker).store().get("dying")).as("the session outlives its will").isNotNull();
        try (Mqtt5Client watcher = connect("watcher", false, 300, true)) {
            watcher.expectNothing(QUIET); // published once, not again after another restart
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-9] a client that reconnects after a restart, within its will delay, cancels the stored will")
    void reconnectAfterRestartCancelsWill() {
        start();
        watchWills();
        connect("returning", withWill("returning", 3, 60), false).close();
        long closed = System.nanoTime();
        Brokers.awaitOffline(broker, "returning");
        restart();

        try (Mqtt5Client returning = connect("returning", false, 60, true)) {
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed)).as("back within the will delay").isLessThan(3000);
            assertThat(count(Keyspace.WILLS)).as("the stored will, removed with the CONNACK").isZero();
            try (Mqtt5Client watcher = connect("watcher", false, 300, true)) {
                // past the moment the will was due (3 s, and up to 1 s more for the restart's rounding)
                watcher.expectNothing(Duration.ofMillis(Math.max(0, 4500 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed))));
            }
            returning.send(Disconnect.NORMAL);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will of a connection open when the broker stops is published after the restart, once its delay is over")
    void willOfConnectionOpenAtShutdown() {
        start();
        watchWills();
        long stopping;
        try (Mqtt5Client online = connect("online", withWill("online", 2, 60), false)) {
            stopping = System.nanoTime();
            stop();
            online.expectDisconnect(ReasonCode.SERVER_SHUTTING_DOWN);
        }
        start();

        try (Mqtt5Client watcher = connect("watcher", false, 300, true)) {
            expectWill(watcher, "online");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping)).as("ms from the shutdown to the will")
                    .isGreaterThanOrEqualTo(2000 - CLOCK_SLACK_MS);
            watcher.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] after a restart, a 5.0 subscriber gets PUBREL for the QoS 2 message it received, and the unacknowledged one again with DUP, its properties and identifier")
    void inflightQos2ResumesAfterRestart() {
        start();
        Mqtt5Client sub = connect("inflight5", true, 300, false);
        Publish first;
        Publish second;
        try {
            subscribe(sub, 1, new Subscription("f5/#", QoS.EXACTLY_ONCE), 5);
            try (Mqtt5Client pub = Mqtt5Client.connected(port(), "pub")) {
                for (int id = 1; id <= 2; id++) {
                    pub.publish("f5/" + id, QoS.EXACTLY_ONCE, false, id, "m" + id, Property.user("n", Integer.toString(id)));
                    assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(id);
                    pub.send(new PubRel(id));
                    assertThat(pub.expect(PubComp.class).packetId()).isEqualTo(id);
                }
            }
            first = sub.expect(Publish.class);
            second = sub.expect(Publish.class);
            assertThat(List.of(first.topic(), second.topic())).containsExactly("f5/1", "f5/2");
            // the first is received (PUBREC) and released (PUBREL), not completed; the second not even received
            sub.send(new PubRec(first.packetId()));
            PubRel rel = sub.expect(PubRel.class);
            assertThat(rel.packetId()).isEqualTo(first.packetId());
            stop();
            sub.expectDisconnect(ReasonCode.SERVER_SHUTTING_DOWN);
        } finally {
            sub.close();
        }
        start();

        try (Mqtt5Client again = connect("inflight5", false, 300, true)) {
            PubRel rel = again.expect(PubRel.class);
            assertThat(rel.packetId()).isEqualTo(first.packetId());
            Publish resent = again.expect(Publish.class);
            assertThat(resent.dup()).as("DUP").isTrue();
            assertThat(resent.packetId()).isEqualTo(second.packetId());
            assertThat(resent.qos()).isEqualTo(QoS.EXACTLY_ONCE);
            assertThat(resent.topic()).isEqualTo("f5/2");
            assertThat(Mqtt5Client.text(resent)).isEqualTo("m2");
            assertThat(forwarded(resent)).containsExactly(Property.user("n", "2"));
            assertThat(resent.properties().subscriptionIdentifiers()).containsExactly(5L);

            again.send(new PubComp(first.packetId()));
            again.send(new PubRec(second.packetId()));
            assertThat(again.expect(PubRel.class).packetId()).isEqualTo(second.packetId());
            again.send(new PubComp(second.packetId()));
            again.expectNothing(QUIET);
        }
        await("the queue empty in the store").atMost(Duration.ofSeconds(5)).until(() -> count(Keyspace.QUEUES) == 0 && count(Keyspace.MESSAGES) == 0);
    }
}
