package io.starling.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.admin.BrokerAdmin.AdminMessage;
import io.starling.broker.admin.BrokerAdmin.Overview;
import io.starling.broker.admin.BrokerAdmin.Page;
import io.starling.broker.admin.BrokerAdmin.RetainedMessage;
import io.starling.broker.admin.BrokerAdmin.RetainedSummary;
import io.starling.broker.admin.BrokerAdmin.Watch;
import io.starling.broker.admin.BrokerAdmin.WatchedMessage;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link BrokerAdmin} on retained messages, publishing, watching and the overview, against a real broker and real clients. */
class BrokerAdminMessagesTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);

    private Broker broker;
    private BrokerAdmin admin;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
        admin = broker.admin();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private AdminTestClient client(MqttVersion version, String clientId) {
        return AdminTestClient.connected(broker.port(), version, clientId);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("retained messages: listed by filter in topic order ('#' leaves $SYS out), read, deleted as an empty retained PUBLISH would")
    void retained() {
        try (AdminTestClient publisher = client(MqttVersion.V5, "publisher")) {
            publisher.publish("a/2", QoS.AT_LEAST_ONCE, true, 1, "two");
            publisher.publish("a/1", QoS.AT_MOST_ONCE, true, 0, "one", Properties.of(
                    Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1), Property.of(PropertyId.CONTENT_TYPE, "text/plain")));
            publisher.publish("b", QoS.AT_LEAST_ONCE, true, 2, "bee");
            await().atMost(WAIT).until(() -> admin.retained("#", 0, 100).total() == 3);
        }
        // the broker's own $SYS messages, retained apart, show only under a filter starting with '$'
        await().atMost(WAIT).until(() -> admin.retained("$SYS/broker/version", 0, 10).total() == 1);

        assertThat(admin.retained("#", 0, 100).items()).containsExactly(
                new RetainedSummary("a/1", 0, 3, "publisher"),
                new RetainedSummary("a/2", 1, 3, "publisher"),
                new RetainedSummary("b", 1, 3, "publisher"));
        assertThat(admin.retained("a/+", 0, 100).items()).extracting(RetainedSummary::topic).containsExactly("a/1", "a/2");
        Page<RetainedSummary> second = admin.retained("#", 1, 1);
        assertThat(second.items()).extracting(RetainedSummary::topic).containsExactly("a/2");
        assertThat(second.total()).isEqualTo(3);
        assertThatThrownBy(() -> admin.retained("a/#/b", 0, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a/#/b");

        RetainedMessage one = admin.retainedMessage("a/1").orElseThrow();
        assertThat(one.topic()).isEqualTo("a/1");
        assertThat(one.qos()).isZero();
        assertThat(one.payload()).isEqualTo(utf8("one"));
        assertThat(one.publisherId()).isEqualTo("publisher");
        assertThat(one.payloadUtf8()).isTrue();
        assertThat(one.contentType()).isEqualTo("text/plain");
        assertThat(one.expiresAtMillis()).isZero();
        RetainedMessage bee = admin.retainedMessage("b").orElseThrow();
        assertThat(bee.payloadUtf8()).isFalse();
        assertThat(bee.contentType()).isNull();
        assertThat(admin.retainedMessage("a")).isEmpty();

        Overview before = admin.overview();
        assertThat(before.retainedMessages()).isEqualTo(3);
        assertThat(before.retainedBytes()).isEqualTo((3 + 3) + (3 + 3) + (1 + 3));

        assertThat(admin.deleteRetained("a/1")).isTrue();
        assertThat(admin.deleteRetained("a/1")).isFalse();
        assertThat(admin.retainedMessage("a/1")).isEmpty();
        assertThat(admin.overview().retainedMessages()).isEqualTo(2);
        assertThat(admin.overview().retainedBytes()).isEqualTo((3 + 3) + (1 + 3));
        try (AdminTestClient subscriber = client(MqttVersion.V3_1_1, "late")) {
            subscriber.subscribe(1, "a/#", QoS.AT_LEAST_ONCE);
            AdminTestClient.Received only = subscriber.expectPublish();
            assertThat(only.topic()).isEqualTo("a/2");
            assertThat(only.retain()).isTrue();
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("publish() routes as the broker: a QoS 1 subscriber gets it, a retained one is kept, and the count of subscribers is returned")
    void publish() throws Exception {
        try (AdminTestClient subscriber = client(MqttVersion.V3_1_1, "subscriber")) {
            subscriber.subscribe(1, "p/#", QoS.AT_LEAST_ONCE);

            int reached = admin.publish(new AdminMessage("p/1", utf8("hello"), 1, true)).get(5, TimeUnit.SECONDS);

            assertThat(reached).isEqualTo(1);
            AdminTestClient.Received received = subscriber.expectPublish();
            assertThat(received.topic()).isEqualTo("p/1");
            assertThat(received.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(received.retain()).isFalse();
            assertThat(received.payload()).isEqualTo("hello");
            assertThat(admin.publish(new AdminMessage("nobody/listens", utf8("x"), 2, false)).get(5, TimeUnit.SECONDS)).isZero();
        }
        RetainedMessage kept = admin.retainedMessage("p/1").orElseThrow();
        assertThat(kept.publisherId()).isEmpty();
        assertThat(kept.qos()).isEqualTo(1);
        try (AdminTestClient late = client(MqttVersion.V5, "late")) {
            late.subscribe(1, "p/1", QoS.AT_MOST_ONCE);
            AdminTestClient.Received retained = late.expectPublish();
            assertThat(retained.retain()).isTrue();
            assertThat(retained.qos()).isEqualTo(QoS.AT_MOST_ONCE);
            assertThat(retained.payload()).isEqualTo("hello");
        }
    }

    @Test
    @DisplayName("publish() refuses what is not a topic name a client could publish to")
    void publishRefusesInvalidTopics() {
        for (String topic : List.of("", "a/+", "a/#", "#", "$SYS/broker/uptime", "a".repeat(65_536), "nul\0")) {
            assertThatThrownBy(() -> admin.publish(new AdminMessage(topic, utf8("x"), 0, false)))
                    .as("topic of %d characters", topic.length())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the topic");
        }
        assertThatThrownBy(() -> new AdminMessage("a", utf8("x"), 3, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(admin.overview().retainedMessages()).isZero();
    }

    @Test
    @DisplayName("a watch gets every matching message as published, is no subscription, and gets nothing once closed")
    void watch() throws Exception {
        List<WatchedMessage> seen = new CopyOnWriteArrayList<>();
        try (AdminTestClient publisher = client(MqttVersion.V3_1_1, "publisher");
                AdminTestClient subscriber = client(MqttVersion.V3_1_1, "subscriber")) {
            subscriber.subscribe(1, "w/#", QoS.AT_LEAST_ONCE);
            int before = admin.overview().subscriptions();
            long start = System.currentTimeMillis();
            Watch watch = admin.watch("w/+", seen::add);
            assertThat(admin.overview().subscriptions()).isEqualTo(before).isEqualTo(1);
            // $SYS/broker/subscriptions/count counts the same
            assertThat(BrokerInternals.router(broker).subscriptions().size()).isEqualTo(1);

            publisher.publish("w/1", QoS.AT_LEAST_ONCE, true, 1, "first");
            publisher.publish("x/1", QoS.AT_LEAST_ONCE, false, 2, "other");
            assertThat(subscriber.expectPublish().payload()).isEqualTo("first");
            await().atMost(WAIT).until(() -> seen.size() == 1);
            WatchedMessage first = seen.get(0);
            assertThat(first.topic()).isEqualTo("w/1");
            assertThat(first.qos()).isEqualTo(1);
            assertThat(first.retain()).isTrue();
            assertThat(first.payload()).isEqualTo(utf8("first"));
            assertThat(first.publisherId()).isEqualTo("publisher");
            assertThat(first.receivedAtMillis()).isBetween(start, System.currentTimeMillis());

            watch.close();
            watch.close();
            // without a store the publication is delivered before publish() returns
            assertThat(admin.publish(new AdminMessage("w/2", utf8("second"), 0, false)).get(5, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(subscriber.expectPublish().payload()).isEqualTo("second");
            assertThat(seen).hasSize(1);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.5-1] overlapping subscriptions still get one copy with a watch matching too; the watch gets one")
    void watchKeepsOneCopyPerSubscriber() throws Exception {
        List<WatchedMessage> seen = new CopyOnWriteArrayList<>();
        try (AdminTestClient subscriber = client(MqttVersion.V5, "subscriber");
                Watch watch = admin.watch("#", seen::add)) {
            subscriber.subscribe(1, "d/#", QoS.AT_LEAST_ONCE);
            subscriber.subscribe(2, "d/+", QoS.AT_MOST_ONCE);

            assertThat(admin.publish(new AdminMessage("d/1", utf8("once"), 1, false)).get(5, TimeUnit.SECONDS)).isEqualTo(2);

            AdminTestClient.Received received = subscriber.expectPublish();
            assertThat(received.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            subscriber.expectNothing(QUIET);
            assertThat(seen).extracting(WatchedMessage::topic).containsExactly("d/1");
        }
    }

    @Test
    @DisplayName("watch() refuses what is not a topic filter, and shared subscriptions")
    void watchRefusesInvalidFilters() {
        for (String filter : List.of("", "a/#/b", "a+", "$share/g/a")) {
            assertThatThrownBy(() -> admin.watch(filter, m -> {})).as(filter)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the topic filter");
        }
        assertThat(BrokerInternals.router(broker).subscriptions().size()).isZero();
    }

    @Test
    @DisplayName("a listener that throws costs the subscribers nothing")
    void failingWatch() throws Exception {
        try (AdminTestClient subscriber = client(MqttVersion.V3_1_1, "subscriber");
                Watch watch = admin.watch("f", m -> {
                    throw new IllegalStateException("broken listener");
                })) {
            subscriber.subscribe(1, "f", QoS.AT_MOST_ONCE);
            assertThat(admin.publish(new AdminMessage("f", utf8("still"), 0, false)).get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(subscriber.expectPublish().payload()).isEqualTo("still");
        }
    }

    @Test
    @DisplayName("overview() counts connections, sessions, subscriptions, shared groups with members and retained messages")
    void overview() {
        try (AdminTestClient keeper = AdminTestClient.connected(broker.port(),
                new io.starling.codec.packet.Connect(MqttVersion.V3_1_1, "keeper", false, 30))) {
            keeper.subscribe(1, "k/#", QoS.AT_LEAST_ONCE);
            keeper.disconnect();
        }
        await().atMost(WAIT).until(() -> admin.overview().sessionsOffline() == 1);
        try (AdminTestClient one = client(MqttVersion.V5, "one");
                AdminTestClient two = client(MqttVersion.V3_1_1, "two");
                Watch watch = admin.watch("#", m -> {})) {
            one.subscribe(1, "$share/workers/jobs/#", QoS.AT_LEAST_ONCE);
            two.subscribe(1, "$share/workers/jobs/#", QoS.AT_LEAST_ONCE);
            two.subscribe(2, "$share/other/jobs/+", QoS.AT_LEAST_ONCE);
            two.subscribe(3, "t", QoS.AT_MOST_ONCE);
            one.publish("r", QoS.AT_LEAST_ONCE, true, 1, "12345");

            assertThat(admin.overview()).isEqualTo(new Overview(2, 2, 1, 5, 2, 1, 1 + 5));
        }
        await().atMost(WAIT).until(() -> admin.overview().connections() == 0);
        await().atMost(WAIT).until(() -> admin.overview().equals(new Overview(0, 0, 1, 1, 0, 1, 6)));
    }
}
