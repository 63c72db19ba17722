package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 5.0 subscriptions: options, identifiers, shared subscriptions and the reason codes of SUBACK and UNSUBACK. */
class Mqtt5SubscribeConformanceTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    @RegisterExtension
    final LiveBroker live = new LiveBroker();

    private static Subscription options(String filter, QoS qos, boolean noLocal, boolean retainAsPublished, RetainHandling handling) {
        return new Subscription(filter, qos, noLocal, retainAsPublished, handling);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-3] No Local: a client's own messages do not come back to it, others' do")
    void noLocal() {
        try (Mqtt5Client self = Mqtt5Client.connected(live.port(), "self");
                Mqtt5Client other = Mqtt5Client.connected(live.port(), "other")) {
            self.subscribe(1, options("nl/t", QoS.AT_MOST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE));
            self.publish("nl/t", QoS.AT_MOST_ONCE, false, 0, "mine");
            other.publish("nl/t", QoS.AT_MOST_ONCE, false, 0, "theirs");
            assertThat(Mqtt5Client.text(self.expect(Publish.class))).isEqualTo("theirs");
            self.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published keeps a live message's RETAIN flag; without it RETAIN is 0")
    void retainAsPublished() {
        try (Mqtt5Client keeps = Mqtt5Client.connected(live.port(), "rap");
                Mqtt5Client clears = Mqtt5Client.connected(live.port(), "norap");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "rap-pub")) {
            keeps.subscribe(1, options("rap/t", QoS.AT_MOST_ONCE, false, true, RetainHandling.SEND_ON_SUBSCRIBE));
            clears.subscribe(1, options("rap/t", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE));
            pub.publish("rap/t", QoS.AT_MOST_ONCE, true, 0, "r");
            assertThat(keeps.expect(Publish.class).retained()).isTrue();
            assertThat(clears.expect(Publish.class).retained()).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] Retain Handling 0 sends retained messages, 1 only for a new subscription, 2 never")
    void retainHandling() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "rh-pub")) {
            pub.publish("rh/t", QoS.AT_LEAST_ONCE, true, 1, "kept");
            pub.expect(PubAck.class);
        }
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "rh")) {
            sub.subscribe(1, options("rh/#", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE));
            assertThat(sub.expect(Publish.class).retained()).isTrue();
            sub.subscribe(2, options("rh/#", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE));
            assertThat(sub.expect(Publish.class).retained()).as("sent again on the replacing subscription [MQTT-3.8.4-4]").isTrue();
            sub.subscribe(3, options("rh/#", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION));
            sub.expectNothing(QUIET);
            sub.subscribe(4, options("rh/+", QoS.AT_MOST_ONCE, false, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION));
            assertThat(Mqtt5Client.text(sub.expect(Publish.class))).isEqualTo("kept");
            sub.subscribe(5, options("rh/t", QoS.AT_MOST_ONCE, false, false, RetainHandling.DO_NOT_SEND));
            sub.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-3] [MQTT-3.3.4-4] [MQTT-3.3.4-2] overlapping subscriptions: one copy at the highest QoS with every matching Subscription Identifier")
    void subscriptionIdentifiers() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "ids");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "ids-pub")) {
            sub.subscribe(1, new Subscription("ids/#", QoS.AT_MOST_ONCE), Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 7));
            sub.subscribe(2, new Subscription("ids/+", QoS.AT_LEAST_ONCE), Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 268_435_455));
            sub.subscribe(3, new Subscription("ids/a", QoS.AT_MOST_ONCE));
            pub.publish("ids/a", QoS.AT_LEAST_ONCE, false, 1, "x");
            pub.expect(PubAck.class);
            Publish got = sub.expect(Publish.class);
            assertThat(got.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(got.properties().subscriptionIdentifiers()).containsExactlyInAnyOrder(7L, 268_435_455L);
            sub.send(new PubAck(got.packetId()));
            sub.expectNothing(QUIET);
            pub.publish("ids/b/c", QoS.AT_MOST_ONCE, false, 0, "y");
            assertThat(sub.expect(Publish.class).properties().subscriptionIdentifiers()).containsExactly(7L);
        }
    }

    @Test
    @DisplayName("a retained message sent for a new subscription carries its Subscription Identifier")
    void retainedCarriesIdentifier() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "rid-pub")) {
            pub.publish("rid/t", QoS.AT_LEAST_ONCE, true, 1, "kept");
            pub.expect(PubAck.class);
        }
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "rid")) {
            sub.subscribe(1, new Subscription("rid/t", QoS.AT_MOST_ONCE), Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 42));
            assertThat(sub.expect(Publish.class).properties().subscriptionIdentifiers()).containsExactly(42L);
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-6] [MQTT-3.9.3-1] [MQTT-3.9.3-2] SUBACK has a code per filter in order: the granted QoS, 0x8F for an invalid filter")
    void subAckReasonCodes() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "codes")) {
            sub.send(new Subscribe(9, List.of(new Subscription("ok/+", QoS.EXACTLY_ONCE), new Subscription("bad/#/x", QoS.AT_MOST_ONCE),
                    new Subscription("$share//t", QoS.AT_MOST_ONCE), new Subscription("also/ok", QoS.AT_LEAST_ONCE))));
            SubAck ack = sub.expect(SubAck.class);
            assertThat(ack.packetId()).isEqualTo(9);
            assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_2, ReasonCode.TOPIC_FILTER_INVALID,
                    ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.GRANTED_QOS_1);
        }
    }

    @Test
    @DisplayName("[MQTT-3.11.3-1] [MQTT-3.11.3-2] [MQTT-3.10.4-5] UNSUBACK has a code per filter in order: 0x00, or 0x11 where there was no subscription")
    void unsubAckReasonCodes() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "unsub")) {
            sub.subscribe(1, new Subscription("u/a", QoS.AT_MOST_ONCE));
            sub.send(new Unsubscribe(2, List.of("u/none", "u/a", "u/a")));
            UnsubAck ack = sub.expect(UnsubAck.class);
            assertThat(ack.packetId()).isEqualTo(2);
            assertThat(ack.reasonCodes()).containsExactly(ReasonCode.NO_SUBSCRIPTION_EXISTED, ReasonCode.SUCCESS,
                    ReasonCode.NO_SUBSCRIPTION_EXISTED);
        }
    }

    @Test
    @DisplayName("[MQTT-4.8.2-3] a shared subscription group gets each message once, round robin among its members, at each member's QoS")
    void sharedSubscriptionRoundRobin() {
        try (Mqtt5Client a = Mqtt5Client.connected(live.port(), "share-a");
                Mqtt5Client b = Mqtt5Client.connected(live.port(), "share-b");
                RawClient c = RawClient.connected(live.port(), "share-c");
                Mqtt5Client pub = Mqtt5Client.connected(live.port(), "share-pub")) {
            a.subscribe(1, new Subscription("$share/g/sh/t", QoS.AT_LEAST_ONCE));
            b.subscribe(1, new Subscription("$share/g/sh/t", QoS.AT_MOST_ONCE));
            c.subscribe(1, "$share/g/sh/t", 0); // a 3.1.1 member of the same group
            for (int i = 0; i < 6; i++) {
                pub.publish("sh/t", QoS.AT_LEAST_ONCE, false, i + 1, "m" + i);
                pub.expect(PubAck.class);
            }
            List<Publish> toA = a.expectPublishes(2);
            List<Publish> toB = b.expectPublishes(2);
            assertThat(toA).allSatisfy(p -> assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE));
            assertThat(toB).allSatisfy(p -> assertThat(p.qos()).isEqualTo(QoS.AT_MOST_ONCE));
            List<String> seen = new ArrayList<>();
            toA.forEach(p -> seen.add(Mqtt5Client.text(p)));
            toB.forEach(p -> seen.add(Mqtt5Client.text(p)));
            for (int i = 0; i < 2; i++) {
                byte[] packet = c.readPacket();
                seen.add(new String(packet, packet.length - 2, 2, java.nio.charset.StandardCharsets.UTF_8));
            }
            assertThat(seen).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4", "m5");
            a.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-4.8.2-3] a shared subscription gets no retained messages, and a plain subscription beside it still gets its own copy")
    void sharedSubscriptionNoRetained() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "shr-pub")) {
            pub.publish("shr/t", QoS.AT_LEAST_ONCE, true, 1, "kept");
            pub.expect(PubAck.class);
        }
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "shr")) {
            sub.subscribe(1, new Subscription("$share/g/shr/t", QoS.AT_MOST_ONCE));
            sub.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] No Local on a shared subscription is a protocol error: DISCONNECT 0x82")
    void noLocalOnSharedSubscription() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "shnl")) {
            sub.send(new Subscribe(1, List.of(options("$share/g/t", QoS.AT_MOST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE)),
                    Properties.EMPTY));
            sub.expectDisconnect(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-10] a broker with Maximum QoS 1 still accepts a SUBSCRIBE asking QoS 2, and grants 1")
    void grantedQosCapped() {
        live.restart(c -> c.withMqtt5(new io.starling.broker.config.BrokerConfig.Mqtt5(65535, 65535, QoS.AT_LEAST_ONCE,
                true, 10, null)));
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "capq")) {
            assertThat(sub.subscribe(1, new Subscription("c", QoS.EXACTLY_ONCE)).reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1);
        }
    }

    private Mqtt5Client member(String clientId, long expiry, QoS qos) {
        Mqtt5Client client = Mqtt5Client.open(live.port(), clientId);
        client.connect(new io.starling.codec.packet.Connect(io.starling.codec.wire.MqttVersion.V5, clientId, false, 60, null, null,
                null, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, expiry))));
        client.subscribe(1, new Subscription("$share/q2/sq/t", qos));
        return client;
    }

    @Test
    @DisplayName("[MQTT-4.8.2-4] a QoS 2 shared delivery cut off by the member's disconnect is completed when it comes back, and goes to no one else")
    void sharedQos2CompletedOnReconnect() {
        try (Mqtt5Client b = member("sq-b", 60, QoS.EXACTLY_ONCE); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "sq-pub")) {
            try (Mqtt5Client a = member("sq-a", 60, QoS.EXACTLY_ONCE)) {
                pub.publish("sq/t", QoS.EXACTLY_ONCE, false, 1, "one");
                pub.expect(io.starling.codec.packet.PubRec.class);
                // round robin: b subscribed first, so b takes this one; the next goes to a
                assertThat(Mqtt5Client.text(b.expect(Publish.class))).isEqualTo("one");
                pub.publish("sq/t", QoS.EXACTLY_ONCE, false, 2, "two");
                pub.expect(io.starling.codec.packet.PubRec.class);
                assertThat(Mqtt5Client.text(a.expect(Publish.class))).isEqualTo("two");
            }
            Brokers.awaitOffline(live.broker(), "sq-a");
            b.expectNothing(QUIET);
            try (Mqtt5Client a = Mqtt5Client.open(live.port(), "sq-a")) {
                a.connect(new io.starling.codec.packet.Connect(io.starling.codec.wire.MqttVersion.V5, "sq-a", false, 60, null, null,
                        null, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))));
                Publish again = a.expect(Publish.class);
                assertThat(Mqtt5Client.text(again)).isEqualTo("two");
                assertThat(again.dup()).isTrue();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.8.2-5] [MQTT-4.8.2-6] a shared delivery whose member's session ends, or that the member refuses with 0x80, goes to no other member")
    void sharedDeliveryNotRedirected() {
        try (Mqtt5Client b = member("sr-b", 0, QoS.AT_LEAST_ONCE); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "sr-pub")) {
            try (Mqtt5Client a = member("sr-a", 0, QoS.EXACTLY_ONCE)) {
                pub.publish("sq/t", QoS.AT_LEAST_ONCE, false, 1, "refused by b");
                pub.expect(PubAck.class);
                Publish toB = b.expect(Publish.class);
                b.send(new PubAck(toB.packetId(), ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY));
                pub.publish("sq/t", QoS.EXACTLY_ONCE, false, 2, "lost with a");
                pub.expect(io.starling.codec.packet.PubRec.class);
                assertThat(Mqtt5Client.text(a.expect(Publish.class))).isEqualTo("lost with a");
            }
            Brokers.awaitOffline(live.broker(), "sr-a");
            b.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("QoS 1 messages queued or in flight to a shared member whose session ends go to another member of the group")
    void sharedLeftoversHandedOver() {
        try (Mqtt5Client b = member("ho-b", 60, QoS.AT_LEAST_ONCE); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "ho-pub")) {
            try (Mqtt5Client a = Mqtt5Client.connected(live.port(), "ho-a", Property.of(PropertyId.RECEIVE_MAXIMUM, 1))) {
                a.subscribe(1, new Subscription("$share/q2/sq/t", QoS.AT_LEAST_ONCE));
                // b has the first turn; then a, b, a: a gets m1 in flight and m3 queued behind it
                for (int i = 0; i < 4; i++) {
                    pub.publish("sq/t", QoS.AT_LEAST_ONCE, false, i + 1, "m" + i);
                    pub.expect(PubAck.class);
                }
                assertThat(Mqtt5Client.text(a.expect(Publish.class))).isEqualTo("m1");
                List<String> toB = new ArrayList<>();
                for (Publish p : b.expectPublishes(2)) {
                    toB.add(Mqtt5Client.text(p));
                    b.send(new PubAck(p.packetId()));
                }
                assertThat(toB).containsExactly("m0", "m2");
            }
            List<String> handedOver = new ArrayList<>();
            for (Publish p : b.expectPublishes(2)) {
                handedOver.add(Mqtt5Client.text(p));
                b.send(new PubAck(p.packetId()));
            }
            assertThat(handedOver).containsExactly("m1", "m3");
        }
    }
}
