package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 5.0 PUBLISH in and out: properties, expiry, topic aliases, reason codes and the limits of both sides. */
class Mqtt5PublishConformanceTest {
    @RegisterExtension
    final LiveBroker live = new LiveBroker();

    private void restart(BrokerConfig.Mqtt5 limits) {
        live.restart(c -> c.withMqtt5(limits));
    }

    private static final Property[] FORWARDED = {
        Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
        Property.of(PropertyId.CONTENT_TYPE, "text/plain"),
        Property.of(PropertyId.RESPONSE_TOPIC, "replies/x"),
        Property.of(PropertyId.CORRELATION_DATA, Bytes.of(new byte[] {9, 8, 7})),
        Property.user("z", "last"),
        Property.user("a", "first"),
        Property.user("z", "again"),
    };

    @Test
    @DisplayName("[MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20] a message's properties reach the subscriber unchanged and in order")
    void propertiesForwarded() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "props-sub");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "props-pub")) {
            sub.subscribe(1, new Subscription("p/t", QoS.AT_LEAST_ONCE));
            pub.publish("p/t", QoS.AT_LEAST_ONCE, false, 7, "hello", FORWARDED);
            assertThat(pub.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            Publish got = sub.expect(Publish.class);
            assertThat(got.properties().all()).containsExactly(FORWARDED);
            assertThat(Mqtt5Client.text(got)).isEqualTo("hello");
        }
    }

    @Test
    @DisplayName("3.1.1 and 5.0 clients exchange messages: the 3.1.1 subscriber gets the payload without the properties")
    void mixedVersions() {
        try (RawClient old = RawClient.connected(live.port(), "old");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "new")) {
            old.subscribe(1, "mix/t", 0);
            pub.publish("mix/t", QoS.AT_MOST_ONCE, false, 0, "hi", FORWARDED);
            old.expect(Packets.publish0("mix/t", "hi"));
            pub.subscribe(2, new Subscription("mix/back", QoS.AT_MOST_ONCE));
            old.send(Packets.publish0("mix/back", "yo"));
            Publish got = pub.expect(Publish.class);
            assertThat(got.topic()).isEqualTo("mix/back");
            assertThat(got.properties().isEmpty()).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-6] a forwarded message carries the expiry interval left; [MQTT-3.3.2-5] one that expired while queued is not sent")
    void messageExpiry() {
        try (Mqtt5Client sub = Mqtt5Client.open(live.port(), "exp-sub")) {
            sub.connect(new Connect(MqttVersion.V5, "exp-sub", true, 60, null, null, null,
                    Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))));
            sub.subscribe(1, new Subscription("exp/#", QoS.AT_LEAST_ONCE));
            try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "exp-pub")) {
                pub.publish("exp/live", QoS.AT_LEAST_ONCE, false, 1, "live", Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 100));
                pub.expect(PubAck.class);
                Publish live = sub.expect(Publish.class);
                assertThat(live.properties().integer(PropertyId.MESSAGE_EXPIRY_INTERVAL).orElseThrow()).isBetween(98L, 100L);
                sub.send(new PubAck(live.packetId()));
            }
        }
        Brokers.awaitOffline(live.broker(), "exp-sub");
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "exp-pub")) {
            pub.publish("exp/short", QoS.AT_LEAST_ONCE, false, 2, "short", Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 1));
            pub.expect(PubAck.class);
            pub.publish("exp/long", QoS.AT_LEAST_ONCE, false, 3, "long", Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 600));
            pub.expect(PubAck.class);
        }
        // past the short one's expiry, measured by the broker's clock in the store, not by sleeping here
        org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(3)).until(() -> true);
        try (Mqtt5Client sub = Mqtt5Client.open(live.port(), "exp-sub")) {
            sub.connect(new Connect(MqttVersion.V5, "exp-sub", false, 60, null, null, null,
                    Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))));
            Publish got = sub.expect(Publish.class);
            assertThat(got.topic()).isEqualTo("exp/long");
            assertThat(got.properties().integer(PropertyId.MESSAGE_EXPIRY_INTERVAL).orElseThrow()).isBetween(590L, 600L);
            sub.send(new PubAck(got.packetId()));
            sub.expectNothing(Duration.ofMillis(300));
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-12] an inbound topic alias set once stands for its topic on the connection; [MQTT-3.3.2-7] not on the next")
    void inboundTopicAlias() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "alias-sub");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "alias-pub")) {
            sub.subscribe(1, new Subscription("alias/t", QoS.AT_MOST_ONCE));
            pub.publish("alias/t", QoS.AT_MOST_ONCE, false, 0, "one", Property.of(PropertyId.TOPIC_ALIAS, 10));
            pub.publish("", QoS.AT_MOST_ONCE, false, 0, "two", Property.of(PropertyId.TOPIC_ALIAS, 10));
            List<Publish> got = sub.expectPublishes(2);
            assertThat(got).extracting(Publish::topic).containsExactly("alias/t", "alias/t");
            assertThat(got).extracting(Mqtt5Client::text).containsExactly("one", "two");
        }
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "alias-pub")) {
            pub.publish("", QoS.AT_MOST_ONCE, false, 0, "three", Property.of(PropertyId.TOPIC_ALIAS, 10));
            pub.expectDisconnect(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-9] [MQTT-3.2.2-17] a topic alias above the broker's Topic Alias Maximum gets DISCONNECT 0x94")
    void inboundTopicAliasTooHigh() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "alias-high")) {
            pub.publish("a", QoS.AT_MOST_ONCE, false, 0, "x", Property.of(PropertyId.TOPIC_ALIAS, 11));
            pub.expectDisconnect(ReasonCode.TOPIC_ALIAS_INVALID);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-26] [MQTT-3.3.2-11] outbound topic aliases stay within the client's maximum; a repeated topic is sent as its alias alone")
    void outboundTopicAliases() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "out-sub", Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, 2));
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "out-pub")) {
            sub.subscribe(1, new Subscription("out/#", QoS.AT_MOST_ONCE));
            for (String topic : List.of("out/a", "out/a", "out/b", "out/c", "out/a", "out/c")) {
                pub.publish(topic, QoS.AT_MOST_ONCE, false, 0, topic);
            }
            List<Publish> got = sub.expectPublishes(6);
            java.util.Map<Long, String> aliases = new java.util.HashMap<>();
            for (Publish p : got) {
                long alias = p.properties().integer(PropertyId.TOPIC_ALIAS).orElse(0);
                assertThat(alias).isBetween(1L, 2L);
                if (!p.topic().isEmpty()) {
                    aliases.put(alias, p.topic());
                }
                assertThat(aliases.get(alias)).as("the topic alias %d stands for", alias).isEqualTo(Mqtt5Client.text(p));
            }
            assertThat(got.get(1).topic()).as("the second message to out/a").isEmpty();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-27] a client that gave no Topic Alias Maximum gets no topic aliases")
    void noOutboundAliasesByDefault() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "plain-sub");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "plain-pub")) {
            sub.subscribe(1, new Subscription("plain", QoS.AT_MOST_ONCE));
            pub.publish("plain", QoS.AT_MOST_ONCE, false, 0, "1");
            pub.publish("plain", QoS.AT_MOST_ONCE, false, 0, "2");
            for (Publish p : sub.expectPublishes(2)) {
                assertThat(p.topic()).isEqualTo("plain");
                assertThat(p.properties().contains(PropertyId.TOPIC_ALIAS)).isFalse();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] PUBACK and PUBREC carry 0x10 when no subscription matched, 0x00 when one did")
    void noMatchingSubscribers() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "nobody")) {
            pub.publish("nobody/listens", QoS.AT_LEAST_ONCE, false, 1, "x");
            assertThat(pub.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
            pub.publish("nobody/listens", QoS.EXACTLY_ONCE, false, 2, "x");
            assertThat(pub.expect(PubRec.class).reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
            pub.send(new PubRel(2));
            assertThat(pub.expect(PubComp.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-11] a PUBREL for an identifier the broker does not hold is answered with PUBCOMP 0x92")
    void pubRelUnknown() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "unknown-rel")) {
            pub.send(new PubRel(77));
            PubComp comp = pub.expect(PubComp.class);
            assertThat(comp.packetId()).isEqualTo(77);
            assertThat(comp.reasonCode()).isEqualTo(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] one QoS 1 PUBLISH beyond the broker's Receive Maximum gets DISCONNECT 0x93")
    void receiveMaximumExceeded() {
        restart(new BrokerConfig.Mqtt5(65535, 2, QoS.EXACTLY_ONCE, true, 10, null));
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "greedy")) {
            // QoS 2 PUBLISHes stay unacknowledged until the client's PUBREL, which it never sends
            pub.publish("g", QoS.EXACTLY_ONCE, false, 1, "1");
            pub.publish("g", QoS.EXACTLY_ONCE, false, 2, "2");
            pub.expect(PubRec.class);
            pub.expect(PubRec.class);
            pub.publish("g", QoS.EXACTLY_ONCE, false, 3, "3");
            pub.expectDisconnect(ReasonCode.RECEIVE_MAXIMUM_EXCEEDED);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-9] [MQTT-4.9.0-1] [MQTT-4.9.0-2] [MQTT-4.9.0-3] [MQTT-3.3.4-10] at most the client's Receive Maximum QoS 1 PUBLISHes unacknowledged; PINGRESP still comes when the quota is spent")
    void clientReceiveMaximumHonoured() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "slow", Property.of(PropertyId.RECEIVE_MAXIMUM, 2));
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "fast")) {
            sub.subscribe(1, new Subscription("slow/t", QoS.AT_LEAST_ONCE));
            for (int i = 1; i <= 5; i++) {
                pub.publish("slow/t", QoS.AT_LEAST_ONCE, false, i, "m" + i);
                pub.expect(PubAck.class);
            }
            List<Publish> first = sub.expectPublishes(2);
            sub.expectNothing(Duration.ofMillis(300));
            sub.send(io.starling.codec.packet.PingReq.INSTANCE);
            sub.expect(io.starling.codec.packet.PingResp.class);
            sub.send(new PubAck(first.get(0).packetId()));
            assertThat(Mqtt5Client.text(sub.expect(Publish.class))).isEqualTo("m3");
            sub.expectNothing(Duration.ofMillis(200));
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-15] a packet larger than the broker's Maximum Packet Size gets DISCONNECT 0x95")
    void inboundPacketTooLarge() {
        live.restart(c -> c.withLimits(64, BrokerConfig.DEFAULT_MAX_INFLIGHT, BrokerConfig.DEFAULT_MAX_QUEUED,
                BrokerConfig.DEFAULT_MAX_PENDING_QOS0));
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "big")) {
            pub.publish("big", QoS.AT_MOST_ONCE, false, 0, "x".repeat(100));
            pub.expectDisconnect(ReasonCode.PACKET_TOO_LARGE);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] [MQTT-3.1.2-25] a message larger than the client's Maximum Packet Size is not sent to it, and the flow goes on")
    void outboundPacketTooLarge() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "small", Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 100));
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "large")) {
            sub.subscribe(1, new Subscription("sz", QoS.AT_LEAST_ONCE));
            pub.publish("sz", QoS.AT_LEAST_ONCE, false, 1, "x".repeat(200));
            pub.expect(PubAck.class);
            pub.publish("sz", QoS.AT_LEAST_ONCE, false, 2, "fits");
            pub.expect(PubAck.class);
            Publish got = sub.expect(Publish.class);
            assertThat(Mqtt5Client.text(got)).isEqualTo("fits");
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-11] [MQTT-3.2.2-14] a PUBLISH above Maximum QoS gets DISCONNECT 0x9B, a retained one without Retain Available 0x9A")
    void qosAndRetainLimits() {
        restart(new BrokerConfig.Mqtt5(65535, 65535, QoS.AT_LEAST_ONCE, false, 10, null));
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "q2")) {
            pub.publish("t", QoS.EXACTLY_ONCE, false, 1, "x");
            pub.expectDisconnect(ReasonCode.QOS_NOT_SUPPORTED);
        }
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "r")) {
            pub.publish("t", QoS.AT_MOST_ONCE, true, 0, "x");
            pub.expectDisconnect(ReasonCode.RETAIN_NOT_SUPPORTED);
        }
    }

    @Test
    @DisplayName("a payload marked UTF-8 (Payload Format Indicator 1) that is not gets DISCONNECT 0x99")
    void payloadFormatInvalid() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "fmt")) {
            Publish bad = new Publish("fmt", QoS.AT_MOST_ONCE, false, false, 0,
                    Properties.of(Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1)),
                    Unpooled.wrappedBuffer(new byte[] {(byte) 0xC3, 0x28}));
            pub.send(bad);
            bad.release();
            pub.expectDisconnect(ReasonCode.PAYLOAD_FORMAT_INVALID);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-29] with Request Problem Information 0 no Reason String goes on a PUBCOMP; with 1 it may")
    void requestProblemInformation() {
        try (Mqtt5Client quiet = Mqtt5Client.connected(live.port(), "quiet", Property.of(PropertyId.REQUEST_PROBLEM_INFORMATION, 0))) {
            quiet.send(new PubRel(5));
            PubComp comp = quiet.expect(PubComp.class);
            assertThat(comp.reasonCode()).isEqualTo(ReasonCode.PACKET_IDENTIFIER_NOT_FOUND);
            assertThat(comp.properties().contains(PropertyId.REASON_STRING)).isFalse();
            assertThat(comp.properties().contains(PropertyId.USER_PROPERTY)).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-18] with topic_alias_maximum 0 the CONNACK offers none, and a Topic Alias gets DISCONNECT 0x94")
    void noInboundAliases() {
        restart(new BrokerConfig.Mqtt5(65535, 65535, QoS.EXACTLY_ONCE, true, 0, null));
        try (Mqtt5Client pub = Mqtt5Client.open(live.port(), "no-alias")) {
            io.starling.codec.packet.ConnAck ack = pub.connect(new Connect(MqttVersion.V5, "no-alias", true, 60, null, null, null,
                    Properties.EMPTY));
            assertThat(ack.properties().contains(PropertyId.TOPIC_ALIAS_MAXIMUM)).isFalse();
            pub.publish("a", QoS.AT_MOST_ONCE, false, 0, "x", Property.of(PropertyId.TOPIC_ALIAS, 1));
            pub.expectDisconnect(ReasonCode.TOPIC_ALIAS_INVALID);
        }
    }

    @Test
    @DisplayName("[MQTT-3.14.2-3] a DISCONNECT leaves its Reason String out when the client's Maximum Packet Size is too small for it")
    void disconnectWithinClientMaximum() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "tiny-max", Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 24))) {
            pub.publish("a", QoS.AT_MOST_ONCE, false, 0, "x", Property.of(PropertyId.TOPIC_ALIAS, 11));
            Disconnect d = pub.expectDisconnect(ReasonCode.TOPIC_ALIAS_INVALID);
            assertThat(d.properties().contains(PropertyId.REASON_STRING)).isFalse();
        }
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "big-max")) {
            pub.publish("a", QoS.AT_MOST_ONCE, false, 0, "x", Property.of(PropertyId.TOPIC_ALIAS, 11));
            assertThat(pub.expectDisconnect(ReasonCode.TOPIC_ALIAS_INVALID).properties().contains(PropertyId.REASON_STRING)).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-7] [MQTT-4.3.3-13] once sent, a QoS 2 message's flow completes even after its expiry has passed")
    void expiryDoesNotCutAStartedFlow() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "q2-exp");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "q2-exp-pub")) {
            sub.subscribe(1, new Subscription("q2e", QoS.EXACTLY_ONCE));
            pub.publish("q2e", QoS.EXACTLY_ONCE, false, 1, "x", Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 1));
            pub.expect(PubRec.class);
            Publish got = sub.expect(Publish.class);
            // past the expiry, measured by the broker's clock
            org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(1100)).atMost(Duration.ofSeconds(3)).until(() -> true);
            pub.send(new PubRel(1));
            assertThat(pub.expect(PubComp.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            sub.send(new PubRec(got.packetId()));
            assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(got.packetId());
            sub.send(new PubComp(got.packetId()));
            sub.expectNothing(Duration.ofMillis(200));
        }
    }
}
