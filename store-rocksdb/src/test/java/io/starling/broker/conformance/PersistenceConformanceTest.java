package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED;
import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED_SESSION_PRESENT;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.pubcomp;
import static io.starling.broker.conformance.Packets.publish1;
import static io.starling.broker.conformance.Packets.publish2;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.pubrec;
import static io.starling.broker.conformance.Packets.pubrel;
import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.subscribe;
import static io.starling.broker.conformance.Packets.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.FsyncMode;
import io.starling.broker.spi.StoreException;
import io.starling.store.rocksdb.Keyspace;
import io.starling.store.rocksdb.RocksPersistence;
import io.starling.store.rocksdb.RocksStore;
import io.starling.store.rocksdb.StoreWrite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Durable sessions across a broker restart (MQTT 3.1.1 §3.1.2.4, §4.1, §4.3, §4.4): with
 * persistence on, what a persistent session holds (its existence, subscriptions, queued and
 * in-flight messages, inbound QoS 2 packet identifiers) and the retained messages are the same
 * after the broker is stopped and started again on the same store. Each test restarts an embedded
 * broker on one store directory; the process-kill variant is the crash test in the it module.
 */
class PersistenceConformanceTest {
    private final BrokerConfig config = Brokers.config();
    private Broker broker;

    private Broker start(BrokerConfig with) {
        try {
            broker = Broker.start(with);
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Broker start() {
        return start(config);
    }

    private void restart() {
        broker.close();
        start();
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private int port() {
        return broker.port();
    }

    private RawClient persistent(String clientId, byte[] connack) {
        return RawClient.connected(port(), clientId, connect311(clientId).clean(false).build(), connack);
    }

    private RocksStore store() {
        return ((RocksPersistence) broker.persistence()).store();
    }

    private long count(Keyspace keyspace) {
        AtomicLong n = new AtomicLong();
        store().forEach(keyspace, (k, v) -> n.incrementAndGet());
        return n.get();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.2.2-2] a persistent session and its subscriptions survive a restart: session present, and messages still route")
    void sessionAndSubscriptionsSurviveRestart() {
        start();
        try (RawClient sub = persistent("keeper", CONNACK_ACCEPTED)) {
            sub.subscribe(1, "p/a/+", 1);
        }
        Brokers.awaitOffline(broker, "keeper");
        restart();

        try (RawClient sub = persistent("keeper", CONNACK_ACCEPTED_SESSION_PRESENT);
                RawClient pub = RawClient.connected(port(), "pub")) {
            pub.send(publish1("p/a/x", 5, "hello")).expect(puback(5));
            sub.expect(publish(false, 1, false, "p/a/x", 1, utf8("hello")));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] QoS 1 and 2 messages queued for an offline session are delivered after a restart, in order")
    void queuedMessagesSurviveRestart() {
        start();
        try (RawClient sub = persistent("offline", CONNACK_ACCEPTED)) {
            sub.send(subscribe(1, "q/1", 1, "q/2", 2)).expect(suback(1, 1, 2));
        }
        Brokers.awaitOffline(broker, "offline");
        try (RawClient pub = RawClient.connected(port(), "pub")) {
            pub.send(publish1("q/1", 1, "one")).expect(puback(1));
            pub.send(publish2("q/2", 2, "two")).expect(pubrec(2));
            pub.send(pubrel(2)).expect(pubcomp(2));
            pub.send(publish1("q/1", 3, "three")).expect(puback(3));
        }
        restart();

        try (RawClient sub = persistent("offline", CONNACK_ACCEPTED_SESSION_PRESENT)) {
            sub.expect(publish(false, 1, false, "q/1", 1, utf8("one")));
            sub.expect(publish(false, 2, false, "q/2", 2, utf8("two")));
            sub.expect(publish(false, 1, false, "q/1", 3, utf8("three")));
            sub.send(puback(1), pubrec(2)).expect(pubrel(2));
            sub.send(pubcomp(2), puback(3));
            sub.expectNothing(Duration.ofMillis(200));
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] after a restart, unacknowledged PUBLISHes are re-sent with DUP under their packet identifiers, and PUBREL where PUBREC came")
    void inflightResentAfterRestart() {
        start();
        RawClient sub = persistent("inflight", CONNACK_ACCEPTED);
        sub.send(subscribe(1, "f/#", 2)).expect(suback(1, 2));
        try (RawClient pub = RawClient.connected(port(), "pub")) {
            pub.send(publish1("f/1", 1, "a")).expect(puback(1));
            pub.send(publish2("f/2", 2, "b")).expect(pubrec(2));
            pub.send(pubrel(2)).expect(pubcomp(2));
            pub.send(publish2("f/3", 3, "c")).expect(pubrec(3));
            pub.send(pubrel(3)).expect(pubcomp(3));
        }
        sub.expect(publish(false, 1, false, "f/1", 1, utf8("a")));
        sub.expect(publish(false, 2, false, "f/2", 2, utf8("b")));
        sub.expect(publish(false, 2, false, "f/3", 3, utf8("c")));
        // the third is received (PUBREC) and released (PUBREL) but not completed
        sub.send(pubrec(3)).expect(pubrel(3));
        restart();
        sub.close();

        try (RawClient again = persistent("inflight", CONNACK_ACCEPTED_SESSION_PRESENT)) {
            again.expect(publish(true, 1, false, "f/1", 1, utf8("a")));
            again.expect(publish(true, 2, false, "f/2", 2, utf8("b")));
            again.expect(pubrel(3));
            again.send(puback(1), pubrec(2)).expect(pubrel(2));
            again.send(pubcomp(2), pubcomp(3));
            again.expectNothing(Duration.ofMillis(200));
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 PUBLISH received before a restart and re-sent after it is not delivered twice")
    void inboundQos2SurvivesRestart() {
        start();
        try (RawClient sub = persistent("watcher", CONNACK_ACCEPTED)) {
            sub.subscribe(1, "x", 2);
        }
        Brokers.awaitOffline(broker, "watcher");
        try (RawClient pub = persistent("sender", CONNACK_ACCEPTED)) {
            pub.send(publish2("x", 7, "once")).expect(pubrec(7));
            // no PUBREL: the broker crashes, as far as this client knows
        }
        Brokers.awaitOffline(broker, "sender");
        restart();

        try (RawClient pub = persistent("sender", CONNACK_ACCEPTED_SESSION_PRESENT)) {
            pub.send(publish(true, 2, false, "x", 7, utf8("once"))).expect(pubrec(7));
            pub.send(pubrel(7)).expect(pubcomp(7));
        }
        try (RawClient sub = persistent("watcher", CONNACK_ACCEPTED_SESSION_PRESENT)) {
            sub.expect(publish(false, 2, false, "x", 1, utf8("once")));
            sub.send(pubrec(1)).expect(pubrel(1));
            sub.send(pubcomp(1));
            sub.expectNothing(Duration.ofMillis(200));
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-10] retained messages survive a restart, and so does their removal")
    void retainedSurviveRestart() {
        start();
        try (RawClient pub = RawClient.connected(port(), "pub")) {
            pub.send(publish(1, true, "r/kept", 1, "stay")).expect(puback(1));
            pub.send(publish(1, true, "r/gone", 2, "go")).expect(puback(2));
            pub.send(publish(1, true, "r/gone", 3, "")).expect(puback(3));
        }
        restart();

        assertThat(BrokerInternals.router(broker).retained().size()).isEqualTo(1);
        try (RawClient sub = RawClient.connected(port(), "late")) {
            sub.send(subscribe(1, "r/#", 1)).expect(suback(1, 1));
            sub.expect(publish(false, 1, true, "r/kept", 1, utf8("stay")));
            sub.send(puback(1));
            sub.expectNothing(Duration.ofMillis(200));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-6] clean sessions are not stored, and a clean connect discards a stored session for good")
    void cleanSessionsAreNotStored() {
        start();
        try (RawClient clean = RawClient.connected(port(), "clean")) {
            clean.subscribe(1, "c", 1);
        }
        try (RawClient sub = persistent("turncoat", CONNACK_ACCEPTED)) {
            sub.subscribe(1, "c", 1);
        }
        Brokers.awaitOffline(broker, "turncoat");
        try (RawClient turned = RawClient.connected(port(), "turncoat")) {
            turned.expectNothing(Duration.ofMillis(50));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> count(Keyspace.SESSIONS) == 0 && count(Keyspace.SUBSCRIPTIONS) == 0);
        restart();

        persistent("clean", CONNACK_ACCEPTED).close();
        persistent("turncoat", CONNACK_ACCEPTED).close();
    }

    @Test
    @DisplayName("a message for many persistent sessions is stored once, and its record goes when the last one acknowledges it")
    void messagesStoredOnceAndReclaimed() {
        start();
        List<String> ids = List.of("s1", "s2", "s3");
        for (String id : ids) {
            try (RawClient sub = persistent(id, CONNACK_ACCEPTED)) {
                sub.subscribe(1, "shared", 1);
            }
            Brokers.awaitOffline(broker, id);
        }
        try (RawClient pub = RawClient.connected(port(), "pub")) {
            pub.send(publish1("shared", 1, "payload")).expect(puback(1));
        }
        // acknowledged means stored: no waiting needed
        assertThat(count(Keyspace.MESSAGES)).isEqualTo(1);
        assertThat(count(Keyspace.QUEUES)).isEqualTo(3);

        List<RawClient> open = new ArrayList<>();
        try {
            for (String id : ids) {
                RawClient sub = persistent(id, CONNACK_ACCEPTED_SESSION_PRESENT);
                open.add(sub);
                sub.expect(publish(false, 1, false, "shared", 1, utf8("payload")));
                sub.send(puback(1));
                if (!id.equals("s3")) {
                    await().atMost(Duration.ofSeconds(5)).until(() -> count(Keyspace.QUEUES) == 3 - open.size());
                    assertThat(count(Keyspace.MESSAGES)).as("still referred to").isEqualTo(1);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> count(Keyspace.QUEUES) == 0 && count(Keyspace.MESSAGES) == 0);
        } finally {
            open.forEach(RawClient::close);
        }
    }

    @Test
    @DisplayName("a persistent session's expiry counts from when it went offline, across a restart")
    void expiryCountsAcrossRestart() {
        BrokerConfig expiring = config.withSessions(false, Duration.ofSeconds(2));
        start(expiring);
        try (RawClient sub = persistent("ephemeral", CONNACK_ACCEPTED)) {
            sub.subscribe(1, "e", 1);
        }
        Brokers.awaitOffline(broker, "ephemeral");
        broker.close();
        start(expiring);

        assertThat(BrokerInternals.sessions(broker).store().get("ephemeral")).as("restored").isNotNull();
        assertThat(broker.metrics().sessionsRestored.sum()).as("sessions restored").isEqualTo(1);
        await().atMost(Duration.ofSeconds(6)).until(() -> BrokerInternals.sessions(broker).store().get("ephemeral") == null
                && count(Keyspace.SESSIONS) == 0 && count(Keyspace.SUBSCRIPTIONS) == 0);
        persistent("ephemeral", CONNACK_ACCEPTED).close();
    }

    @Test
    @DisplayName("a QoS 1 message is not acknowledged, nor delivered, when the store cannot write it; the publisher's connection closes")
    void storeFailureIsNotAcknowledged() {
        start();
        try (RawClient sub = persistent("durable", CONNACK_ACCEPTED)) {
            sub.subscribe(1, "w", 1);
        }
        Brokers.awaitOffline(broker, "durable");
        // every write from now on fails, as on a full disk
        store().commits().close();
        try (RawClient pub = RawClient.connected(port(), "pub")) {
            pub.send(publish1("w", 1, "lost?"));
            pub.expectClosed();
        }
    }

    @Test
    @DisplayName("a store written by an unknown format stops the start with a message, and is left as it was")
    void unreadableStoreStopsStart() throws Exception {
        Path dir = config.storage().dataDir();
        try (RocksStore store = RocksStore.open(dir, FsyncMode.BATCH)) {
            store.commits().submit(new StoreWrite().put(Keyspace.SESSIONS, utf8("future"), new byte[] {9, 0}))
                    .get(10, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> Broker.start(config))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("unknown format (version 9)");
        try (RocksStore store = RocksStore.open(dir, FsyncMode.BATCH)) {
            assertThat(store.get(Keyspace.SESSIONS, utf8("future"))).containsExactly(9, 0);
        }
    }

    @Test
    @DisplayName("a data directory holding other files is refused by name, and nothing in it is touched")
    void foreignDirectoryStopsStart() throws Exception {
        Path dir = config.storage().dataDir();
        Files.createDirectories(dir);
        Path mine = Files.writeString(dir.resolve("notes.txt"), "not a store");
        assertThatThrownBy(() -> Broker.start(config))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(dir.toAbsolutePath().normalize().toString())
                .hasMessageContaining("holds files but no store");
        assertThat(Files.list(dir).toList()).containsExactly(mine);
        assertThat(Files.readString(mine)).isEqualTo("not a store");
    }
}
