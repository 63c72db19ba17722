package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The {@code $SYS/broker/...} topics on a live broker with {@code sys_interval: 1}: Mosquitto's
 * names, values that follow what clients do, [MQTT-4.7.2-1] for wildcards, the ACL file on
 * delivery, and no $SYS at all with {@code sys_interval: 0}.
 */
class SysTopicsConformanceTest {
    private static final MqttVersion V = MqttVersion.V3_1_1;
    private static final String P = "$SYS/broker/";
    private static final Duration ROUNDS = Duration.ofSeconds(10);
    private static final List<String> TOPICS = List.of("version", "uptime", "clients/total", "clients/maximum",
            "clients/disconnected", "clients/connected", "subscriptions/count", "retained messages/count",
            "heap/current", "heap/maximum", "messages/received", "messages/sent", "publish/messages/received",
            "publish/messages/sent", "bytes/received", "bytes/sent");
    private static final List<String> LOADS = List.of("messages/received", "messages/sent", "publish/received",
            "publish/sent", "bytes/received", "bytes/sent", "connections");

    private Broker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    /** The latest payload of each $SYS topic a client has received. */
    private static final class Latest {
        final AclClient client;
        final Map<String, String> values = new HashMap<>();

        Latest(AclClient client) {
            this.client = client;
        }

        /** Reads messages until the payload of {@code topic} satisfies {@code condition}; fails after a few rounds. */
        String await(String topic, Predicate<String> condition) {
            long deadline = System.nanoTime() + ROUNDS.toNanos();
            while (true) {
                String value = values.get(topic);
                if (value != null && condition.test(value)) {
                    return value;
                }
                if (System.nanoTime() > deadline) {
                    return fail("%s: no acceptable value within %s; last %s", topic, ROUNDS, value);
                }
                Publish p = client.expect(Publish.class);
                assertThat(p.topic()).startsWith(P);
                assertThat(p.qos()).isEqualTo(QoS.AT_MOST_ONCE);
                values.put(p.topic(), p.payload().toString(StandardCharsets.UTF_8));
            }
        }
    }

    private int start(Path acl, int sysInterval) {
        broker = Brokers.start(config -> config.withSysInterval(sysInterval).withAclFile(acl));
        return broker.port();
    }

    private int start(int sysInterval) {
        return start(null, sysInterval);
    }

    @Test
    @DisplayName("a $SYS/# subscriber gets every topic, retained, with Mosquitto's names and payload formats")
    void everyTopicRetained() {
        int port = start(1);
        // the first round is at start-up: a subscriber after it gets it as retained messages
        await().atMost(ROUNDS).until(() -> {
            AtomicBoolean retained = new AtomicBoolean();
            BrokerInternals.router(broker).retained().forEachMatching(P + "version", m -> retained.set(true));
            return retained.get();
        });
        try (AclClient first = AclClient.connected(port, V, "early", null)) {
            Latest latest = new Latest(first);
            assertThat(first.subscribe(1, "$SYS/#")).containsExactly(0x01);
            Publish version = first.expect(Publish.class);
            assertThat(version.retained()).as("a retained message sent on subscribing").isTrue();
            latest.values.put(version.topic(), version.payload().toString(StandardCharsets.UTF_8));
            latest.await(P + "version", v -> v.startsWith("starling version "));
            for (String topic : TOPICS) {
                latest.await(P + topic, v -> v.matches("starling version .+|[0-9]+( seconds)?"));
            }
            for (String load : LOADS) {
                for (String window : List.of("1min", "5min", "15min")) {
                    latest.await(P + "load/" + load + "/" + window, v -> v.matches("[0-9]+\\.[0-9]{2}"));
                }
            }
        }
    }

    @Test
    @DisplayName("the counts follow the clients: connected, messages and bytes received, uptime")
    void countsFollowReality() {
        int port = start(1);
        try (AclClient subscriber = AclClient.connected(port, V, "watcher", null)) {
            Latest latest = new Latest(subscriber);
            assertThat(subscriber.subscribe(1, "$SYS/#")).containsExactly(0x01);
            latest.await(P + "clients/connected", "1"::equals);
            long received = Long.parseLong(latest.await(P + "messages/received", v -> true));
            long bytes = Long.parseLong(latest.await(P + "bytes/received", v -> true));
            long uptime = Long.parseLong(latest.await(P + "uptime", v -> true).replace(" seconds", ""));
            try (AclClient a = AclClient.connected(port, V, "a", null);
                    AclClient b = AclClient.connected(port, V, "b", null)) {
                latest.await(P + "clients/connected", "3"::equals);
                assertThat(latest.await(P + "clients/total", "3"::equals)).isEqualTo("3");
                for (int i = 0; i < 5; i++) {
                    a.publish("t/x", QoS.AT_MOST_ONCE, false, 0, "m" + i);
                }
                latest.await(P + "messages/received", v -> Long.parseLong(v) >= received + 5);
                latest.await(P + "publish/messages/received", v -> Long.parseLong(v) >= received + 5);
                // 5 PUBLISH of at least 7 bytes each, and two CONNECTs
                latest.await(P + "bytes/received", v -> Long.parseLong(v) >= bytes + 35);
                latest.await(P + "load/messages/received/1min", v -> v.matches("[0-9]+\\.[0-9]{2}") && !v.equals("0.00"));
            }
            latest.await(P + "clients/connected", "1"::equals);
            latest.await(P + "clients/maximum", "3"::equals);
            latest.await(P + "uptime", v -> Long.parseLong(v.replace(" seconds", "")) > uptime);
        }
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] '#' and '+/...' do not match $SYS topics")
    void wildcardsDoNotMatchSys() {
        int port = start(1);
        try (AclClient all = AclClient.connected(port, V, "all", null)) {
            assertThat(all.subscribe(1, "#", "+/broker/uptime", "+/+/+")).containsExactly(0x01, 0x01, 0x01);
            all.expectNothing(Duration.ofMillis(2500));
        }
    }

    @Test
    @DisplayName("the ACL file applies on delivery: a topic denied to a user never reaches it, the rest does")
    void aclOnDelivery() {
        Path acl = AclConformanceTest.write(
                "user bob",
                "topic read $SYS/#",
                "topic deny $SYS/broker/uptime",
                "",
                "user carol",
                "topic read #");
        int port = start(acl, 1);
        try (AclClient bob = AclClient.connected(port, V, "bob1", "bob");
                AclClient carol = AclClient.connected(port, V, "carol1", "carol")) {
            assertThat(carol.subscribe(1, "$SYS/#")).as("'#' in the ACL file does not cover $SYS").containsExactly(0x80);
            assertThat(bob.subscribe(1, "$SYS/#")).containsExactly(0x01);
            Latest latest = new Latest(bob);
            // two rounds at least: each has the uptime, withheld from bob
            latest.await(P + "version", v -> true);
            // bob reads every round until the uptime of two of them was withheld from him
            long denied = broker.metrics().aclDeliveryDenied.sum();
            latest.await(P + "heap/current", v -> broker.metrics().aclDeliveryDenied.sum() >= denied + 2);
            assertThat(latest.values).containsKey(P + "clients/connected").doesNotContainKey(P + "uptime");
            carol.expectNothing(Duration.ofMillis(100));
        }
    }

    @Test
    @DisplayName("sys_interval 0: nothing is published under $SYS")
    void offPublishesNothing() {
        int port = start(0);
        try (AclClient subscriber = AclClient.connected(port, V, "watcher", null)) {
            assertThat(subscriber.subscribe(1, "$SYS/#")).containsExactly(0x01);
            subscriber.expectNothing(Duration.ofMillis(2500));
        }
        assertThat(broker.metrics().bytesReceived.sum()).as("bytes are not counted either").isZero();
    }

    @Test
    @DisplayName("clients cannot publish to $SYS: acknowledged as an ACL refusal, never routed or retained")
    void clientsCannotPublishToSys() {
        int port = start(0);
        try (AclClient subscriber = AclClient.connected(port, V, "watcher", null);
                AclClient publisher = AclClient.connected(port, V, "pub", null)) {
            assertThat(subscriber.subscribe(1, "$SYS/#")).containsExactly(0x01);
            publisher.publish(P + "uptime", QoS.AT_LEAST_ONCE, true, 7, "forever");
            assertThat(publisher.expect(PubAck.class).packetId()).isEqualTo(7);
            subscriber.expectNothing(Duration.ofMillis(300));
            assertThat(broker.metrics().aclPublishDenied.sum()).isEqualTo(1);
        }
        try (AclClient late = AclClient.connected(port, V, "late", null)) {
            assertThat(late.subscribe(2, "$SYS/#")).containsExactly(0x01);
            late.expectNothing(Duration.ofMillis(300));
        }
    }
}
