package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.connack;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.publish0;
import static io.starling.broker.conformance.Packets.publish1;
import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.subscribe;
import static io.starling.broker.conformance.Packets.unsubscribe;
import static io.starling.broker.conformance.Packets.unsuback;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code max_topic_levels} and {@code max_topic_length}: a SUBSCRIBE filter beyond them fails
 * alone, a PUBLISH topic beyond them disconnects the client (as Mosquitto and EMQX do), a will
 * topic beyond them refuses the CONNECT, and each is counted. Brokers here allow 3 levels and 20
 * bytes.
 */
class LimitsTopicsTest {
    static final BrokerConfig.Limits SMALL_TOPICS = new BrokerConfig.Limits(0, 3, 20, 0, 0, 0, 0, 0, Duration.ofSeconds(60));

    @RegisterExtension
    final LiveBroker live = new LiveBroker(c -> c.inMemory().withLimits(SMALL_TOPICS));

    private long refused() {
        return live.broker().metrics().topicsRefused.sum();
    }

    @Test
    @DisplayName("[MQTT-3.9.3-1] 3.1.1: a filter too deep or too long gets 0x80 in the SUBACK, the others are granted")
    void subscribe311() {
        try (RawClient client = RawClient.connected(live.port(), "t-sub")) {
            client.send(subscribe(1, "a/b/c", 1, "a/b/c/d", 1, "a/+/#", 2, "abcdefghijklmnopqrstu", 0));
            client.expect(suback(1, 0x01, 0x80, 0x02, 0x80));
            assertThat(refused()).isEqualTo(2);
            // the granted filters work
            client.send(publish0("a/b/c", "ok"));
            client.expect(publish0("a/b/c", "ok"));
        }
    }

    @Test
    @DisplayName("5.0: a filter beyond the limits gets 0x8F Topic Filter invalid; a shared one counts levels after $share/{group}/")
    void subscribe5() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "t-sub5")) {
            client.send(new Subscribe(1, List.of(new Subscription("x/y/z/w", QoS.AT_LEAST_ONCE),
                    new Subscription("$share/g/x/y/z", QoS.AT_LEAST_ONCE), new Subscription("$share/g/x/y/z/w", QoS.AT_MOST_ONCE)),
                    Properties.EMPTY));
            SubAck ack = client.expect(SubAck.class);
            assertThat(ack.reasonCodes()).containsExactly(ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.GRANTED_QOS_1,
                    ReasonCode.TOPIC_FILTER_INVALID);
            assertThat(refused()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("UNSUBSCRIBE of a filter beyond the limits has nothing to remove: 0x11 in 5.0, a plain UNSUBACK in 3.1.1")
    void unsubscribeBeyondLimits() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "t-unsub5")) {
            client.send(new Unsubscribe(2, List.of("a/b/c/d/e")));
            UnsubAck ack = client.expect(UnsubAck.class);
            assertThat(ack.reasonCodes()).containsExactly(ReasonCode.NO_SUBSCRIPTION_EXISTED);
        }
        try (RawClient client = RawClient.connected(live.port(), "t-unsub")) {
            client.send(unsubscribe(3, "a/b/c/d/e"));
            client.expect(unsuback(3));
        }
    }

    @Test
    @DisplayName("5.0: a PUBLISH to a topic beyond the limits gets DISCONNECT 0x90 Topic Name invalid and is not delivered")
    void publish5() {
        try (Mqtt5Client watcher = Mqtt5Client.connected(live.port(), "t-watch5");
                Mqtt5Client publisher = Mqtt5Client.connected(live.port(), "t-pub5")) {
            watcher.subscribe(1, new Subscription("#", QoS.AT_LEAST_ONCE));
            publisher.publish("a/b/c", QoS.AT_LEAST_ONCE, false, 1, "fits");
            assertThat(publisher.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            publisher.publish("a/b/c/d", QoS.AT_LEAST_ONCE, false, 2, "too deep");
            Disconnect disconnect = publisher.expectDisconnect(ReasonCode.TOPIC_NAME_INVALID);
            assertThat(disconnect.properties().string(PropertyId.REASON_STRING))
                    .hasValue("topic deeper than max_topic_levels (3)");
            assertThat(Mqtt5Client.text(watcher.expect(Publish.class))).isEqualTo("fits");
            watcher.expectNothing(Duration.ofMillis(300));
            assertThat(refused()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("3.1.1: a PUBLISH to a topic beyond the limits closes the connection (3.1.1 has no way to say why)")
    void publish311() {
        try (RawClient watcher = RawClient.connected(live.port(), "t-watch").subscribe(1, "#", 1);
                RawClient publisher = RawClient.connected(live.port(), "t-pub")) {
            publisher.send(publish1("abcdefghijklmnopqrstu", 1, "too long"));
            publisher.expectClosed();
            watcher.expectNothing(Duration.ofMillis(300));
            assertThat(refused()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a will topic beyond the limits refuses the CONNECT: 5.0 CONNACK 0x90, 3.1.1 return code 0x03")
    void will() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "t-will5")) {
            Will will = new Will("w/x/y/z", Bytes.of(new byte[] {1}), QoS.AT_MOST_ONCE, false);
            ConnAck ack = client.connect(new Connect(MqttVersion.V5, "t-will5", true, 60, null, null, will, Properties.EMPTY));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.TOPIC_NAME_INVALID);
            client.expectClosed();
        }
        try (RawClient client = new RawClient(live.port(), "t-will")) {
            client.send(connect311("t-will").will("abcdefghijklmnopqrstu", "gone", 0, false).build());
            client.expect(connack(false, 0x03));
            client.expectClosed();
        }
        assertThat(refused()).isEqualTo(2);
    }
}
