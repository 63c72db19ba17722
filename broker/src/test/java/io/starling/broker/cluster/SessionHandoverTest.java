package io.starling.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.admin.AdminTestClient;
import io.starling.broker.admin.AdminTestClient.Received;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterPort#release} and {@link ClusterPort#adopt} between two real brokers: a persistent
 * session leaves one with its subscriptions, queued and in-flight messages and packet identifiers,
 * and its client resumes it on the other as if it had never moved.
 */
public class SessionHandoverTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    private final List<Broker> brokers = new ArrayList<>();
    private final List<AdminTestClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(AdminTestClient::close);
        brokers.forEach(Broker::close);
    }

    private Broker inMemory() throws IOException {
        Broker broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
        brokers.add(broker);
        return broker;
    }

    private AdminTestClient client(Broker broker, Connect connect) {
        AdminTestClient client = AdminTestClient.connected(broker.port(), connect);
        clients.add(client);
        return client;
    }

    public static Connect persistent311(String clientId) {
        return new Connect(MqttVersion.V3_1_1, clientId, false, 60);
    }

    /** A persistent 3.1.1 session on {@code a} with "q/#" at QoS 2, offline, holding a QoS 1 and a QoS 2 message. */
    public static void offlineSessionWithTwoMessages(Broker a, List<AdminTestClient> clients) {
        AdminTestClient dev = AdminTestClient.connected(a.port(), persistent311("dev")).subscribe(1, "q/#", QoS.EXACTLY_ONCE);
        clients.add(dev);
        dev.disconnect();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.admin().sessions(null, 0, 10).items().stream()
                .anyMatch(s -> s.clientId().equals("dev") && !s.online()));
        AdminTestClient pub = AdminTestClient.connected(a.port(), new Connect(MqttVersion.V3_1_1, "pub", true, 60));
        clients.add(pub);
        pub.publish("q/1", QoS.AT_LEAST_ONCE, false, 1, "one");
        pub.send(new io.starling.codec.packet.Publish("q/2", QoS.EXACTLY_ONCE, false, false, 2, Properties.EMPTY,
                io.netty.buffer.Unpooled.wrappedBuffer("two".getBytes(StandardCharsets.UTF_8))));
        assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(2);
        pub.send(new PubRel(2));
        assertThat(pub.expect(PubComp.class).packetId()).isEqualTo(2);
    }

    @Test
    @DisplayName("an offline persistent session moves with its subscription and queued QoS 1 and 2 messages; [MQTT-3.2.2-2] session present where it resumes")
    void offlineSessionMoves() throws Exception {
        Broker a = inMemory();
        Broker c = inMemory();
        offlineSessionWithTwoMessages(a, clients);

        Optional<SessionState> released = a.cluster().release("dev", false).get(5, TimeUnit.SECONDS);
        assertThat(released).isPresent();
        SessionState state = released.get();
        assertThat(state.subscriptions()).containsOnlyKeys("q/#");
        assertThat(state.deliveries()).extracting(d -> d.message().topic()).containsExactly("q/1", "q/2");
        assertThat(a.admin().sessions(null, 0, 10).items()).extracting(s -> s.clientId()).doesNotContain("dev");

        c.cluster().adopt(state).get(5, TimeUnit.SECONDS);
        AdminTestClient dev = AdminTestClient.connected(c.port(), persistent311("dev"));
        clients.add(dev);
        Received one = dev.expectPublish();
        assertThat(one.topic()).isEqualTo("q/1");
        assertThat(one.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(one.payload()).isEqualTo("one");
        dev.send(new PubAck(one.packetId()));
        Received two = dev.expectPublish();
        assertThat(two.topic()).isEqualTo("q/2");
        assertThat(two.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        dev.send(new PubRec(two.packetId()));
        assertThat(dev.expect(PubRel.class).packetId()).isEqualTo(two.packetId());
        dev.send(new PubComp(two.packetId()));
        dev.expectNothing(QUIET);

        // the subscription moved too: a message published on c now reaches it, and none on a
        client(c, new Connect(MqttVersion.V3_1_1, "pub-c", true, 60)).publish("q/3", QoS.AT_LEAST_ONCE, false, 1, "three");
        Received three = dev.expectPublish();
        assertThat(three.topic()).isEqualTo("q/3");
        dev.send(new PubAck(three.packetId()));
        assertThat(a.admin().overview().subscriptions()).isZero();
    }

    @Test
    @DisplayName("a message in flight moves with its packet identifier and is sent again with DUP [MQTT-4.4.0-1]")
    void inflightMessageKeepsPacketId() throws Exception {
        Broker a = inMemory();
        Broker c = inMemory();
        AdminTestClient dev = client(a, persistent311("dev")).subscribe(1, "q/#", QoS.AT_LEAST_ONCE);
        client(a, new Connect(MqttVersion.V3_1_1, "pub", true, 60)).publish("q/1", QoS.AT_LEAST_ONCE, false, 1, "one");
        Received first = dev.expectPublish();
        // not acknowledged: in flight when the session moves; the client is disconnected as by a take-over
        SessionState state = a.cluster().release("dev", false).get(5, TimeUnit.SECONDS).orElseThrow();
        dev.expectClosed();
        assertThat(state.deliveries()).singleElement().satisfies(d -> assertThat(d.packetId()).isEqualTo(first.packetId()));

        c.cluster().adopt(state).get(5, TimeUnit.SECONDS);
        AdminTestClient back = client(c, persistent311("dev"));
        Received again = back.expectPublish();
        assertThat(again.packetId()).isEqualTo(first.packetId());
        assertThat(again.payload()).isEqualTo("one");
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] a 5.0 client whose session another node takes is sent DISCONNECT 0x8E; with Clean Start on the new node nothing moves and its will is published")
    void connectedClientIsDisconnectedAndWillPublished() throws Exception {
        Broker a = inMemory();
        AdminTestClient watcher = client(a, new Connect(MqttVersion.V5, "watcher", true, 60)).subscribe(1, "wills/#", QoS.AT_LEAST_ONCE);
        Connect withWill = new Connect(MqttVersion.V5, "dev", false, 60, null, null,
                new Will("wills/dev", Bytes.of("gone".getBytes(StandardCharsets.UTF_8)), QoS.AT_LEAST_ONCE, false),
                Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 600)));
        AdminTestClient dev = client(a, withWill);

        Optional<SessionState> released = a.cluster().release("dev", true).get(5, TimeUnit.SECONDS);

        assertThat(released).isEmpty();
        Disconnect disconnect = dev.expect(Disconnect.class);
        assertThat(disconnect.reasonCode()).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
        Received will = watcher.expectPublish();
        assertThat(will.topic()).isEqualTo("wills/dev");
        assertThat(will.payload()).isEqualTo("gone");
        await().atMost(Duration.ofSeconds(5)).until(() -> a.admin().sessions(null, 0, 10).items().stream()
                .noneMatch(s -> s.clientId().equals("dev")));
    }

    @Test
    @DisplayName("a node without the session answers empty, and one with a clean session ends it without handing anything")
    void nothingToHand() throws Exception {
        Broker a = inMemory();
        assertThat(a.cluster().release("nobody", false).get(5, TimeUnit.SECONDS)).isEmpty();
        AdminTestClient clean = client(a, new Connect(MqttVersion.V3_1_1, "clean", true, 60)).subscribe(1, "x", QoS.AT_MOST_ONCE);
        assertThat(a.cluster().release("clean", false).get(5, TimeUnit.SECONDS)).isEmpty();
        clean.expectClosed();
    }
}
