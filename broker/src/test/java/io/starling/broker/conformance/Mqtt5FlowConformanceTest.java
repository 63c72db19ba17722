package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The flows every version shares, run with MQTT 5.0 clients: QoS 1 and 2 in both directions,
 * packet identifiers, re-delivery, retained messages, SUBSCRIBE and UNSUBSCRIBE, ordering.
 */
class Mqtt5FlowConformanceTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    @RegisterExtension
    final LiveBroker live = new LiveBroker();

    /** A client with a session that outlives its connection by a minute. */
    private Mqtt5Client persistent(String clientId, boolean cleanStart) {
        Mqtt5Client client = Mqtt5Client.open(live.port(), clientId);
        client.connect(new Connect(MqttVersion.V5, clientId, cleanStart, 60, null, null, null,
                Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))));
        return client;
    }

    @Test
    @DisplayName("[MQTT-4.3.2-1] [MQTT-4.3.2-2] [MQTT-2.2.1-4] [MQTT-4.3.2-3] [MQTT-3.3.1-1] [MQTT-4.4.0-1] QoS 1 out: a fresh identifier, DUP 0; unacknowledged, it is sent again with DUP 1 and the same identifier on resume")
    void qos1Out() {
        int first;
        try (Mqtt5Client sub = persistent("q1-sub", true); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "q1-pub")) {
            sub.subscribe(1, new Subscription("q1", QoS.AT_LEAST_ONCE));
            pub.publish("q1", QoS.AT_LEAST_ONCE, false, 1, "a");
            pub.publish("q1", QoS.AT_LEAST_ONCE, false, 2, "b");
            List<Publish> got = sub.expectPublishes(2);
            assertThat(got).allSatisfy(p -> {
                assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
                assertThat(p.dup()).isFalse();
                assertThat(p.packetId()).isNotZero();
            });
            assertThat(got.get(0).packetId()).isNotEqualTo(got.get(1).packetId());
            first = got.get(0).packetId();
            sub.send(new PubAck(got.get(1).packetId()));
        }
        Brokers.awaitOffline(live.broker(), "q1-sub");
        try (Mqtt5Client sub = persistent("q1-sub", false)) {
            Publish again = sub.expect(Publish.class);
            assertThat(again.dup()).isTrue();
            assertThat(again.packetId()).isEqualTo(first);
            assertThat(Mqtt5Client.text(again)).isEqualTo("a");
            sub.send(new PubAck(first));
            sub.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.2-4] [MQTT-4.3.2-5] [MQTT-2.2.1-5] [MQTT-3.3.1-3] QoS 1 in: PUBACK with the identifier; the identifier reused after it is a new message; the DUP a message arrived with is not passed on")
    void qos1In() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "q1in-sub"); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "q1in-pub")) {
            sub.subscribe(1, new Subscription("q1in", QoS.AT_LEAST_ONCE));
            Publish dup = new Publish("q1in", QoS.AT_LEAST_ONCE, true, false, 5, Properties.EMPTY,
                    Unpooled.wrappedBuffer("one".getBytes(StandardCharsets.UTF_8)));
            pub.send(dup);
            dup.release();
            assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(5);
            pub.publish("q1in", QoS.AT_LEAST_ONCE, false, 5, "two");
            assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(5);
            List<Publish> got = sub.expectPublishes(2);
            assertThat(got).extracting(Mqtt5Client::text).containsExactly("one", "two");
            assertThat(got.get(0).dup()).as("DUP of the forwarded copy").isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] [MQTT-4.3.3-2] [MQTT-4.3.3-3] [MQTT-4.3.3-4] [MQTT-4.3.3-5] [MQTT-4.3.3-6] QoS 2 out: PUBREC is answered by PUBREL, which alone is sent again on resume, never the PUBLISH")
    void qos2Out() {
        int id;
        try (Mqtt5Client sub = persistent("q2-sub", true); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "q2-pub")) {
            sub.subscribe(1, new Subscription("q2", QoS.EXACTLY_ONCE));
            pub.publish("q2", QoS.EXACTLY_ONCE, false, 1, "x");
            Publish got = sub.expect(Publish.class);
            assertThat(got.qos()).isEqualTo(QoS.EXACTLY_ONCE);
            assertThat(got.dup()).isFalse();
            id = got.packetId();
            sub.send(new PubRec(id));
            assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(id);
        }
        Brokers.awaitOffline(live.broker(), "q2-sub");
        try (Mqtt5Client sub = persistent("q2-sub", false)) {
            assertThat(sub.expect(PubRel.class).packetId()).isEqualTo(id);
            sub.send(new PubComp(id));
            sub.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-8] [MQTT-4.3.3-10] [MQTT-4.3.3-11] [MQTT-4.3.3-12] QoS 2 in: PUBREC; a repeat before PUBREL is answered but not passed on; PUBCOMP; then the identifier is new again")
    void qos2In() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "q2in-sub"); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "q2in-pub")) {
            sub.subscribe(1, new Subscription("q2in", QoS.AT_MOST_ONCE));
            pub.publish("q2in", QoS.EXACTLY_ONCE, false, 9, "once");
            assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(9);
            Publish again = new Publish("q2in", QoS.EXACTLY_ONCE, true, false, 9, Properties.EMPTY,
                    Unpooled.wrappedBuffer("once".getBytes(StandardCharsets.UTF_8)));
            pub.send(again);
            again.release();
            assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(9);
            pub.send(new PubRel(9));
            PubComp comp = pub.expect(PubComp.class);
            assertThat(comp.packetId()).isEqualTo(9);
            assertThat(comp.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(Mqtt5Client.text(sub.expect(Publish.class))).isEqualTo("once");
            sub.expectNothing(QUIET);
            pub.publish("q2in", QoS.EXACTLY_ONCE, false, 9, "twice");
            pub.expect(PubRec.class);
            assertThat(Mqtt5Client.text(sub.expect(Publish.class))).isEqualTo("twice");
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-2] a PUBACK with a reason code of 0x80 or above acknowledges the message: it is not sent again")
    void errorPubAckAcknowledges() {
        try (Mqtt5Client sub = persistent("err-sub", true); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "err-pub")) {
            sub.subscribe(1, new Subscription("err", QoS.AT_LEAST_ONCE));
            pub.publish("err", QoS.AT_LEAST_ONCE, false, 1, "refused");
            Publish got = sub.expect(Publish.class);
            sub.send(new PubAck(got.packetId(), ReasonCode.UNSPECIFIED_ERROR, Properties.EMPTY));
            sub.send(PingReq.INSTANCE);
            sub.expect(PingResp.class);
        }
        Brokers.awaitOffline(live.broker(), "err-sub");
        try (Mqtt5Client sub = persistent("err-sub", false)) {
            sub.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-2.2.1-2] [MQTT-4.3.1-1] [MQTT-3.8.4-8] QoS 0 goes out without a packet identifier and with DUP 0; a message goes at the lower of published and granted QoS")
    void qos0AndDowngrade() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "q0-sub"); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "q0-pub")) {
            sub.subscribe(1, new Subscription("q0", QoS.AT_MOST_ONCE));
            pub.publish("q0", QoS.EXACTLY_ONCE, false, 1, "down");
            pub.expect(PubRec.class);
            Publish got = sub.expect(Publish.class);
            assertThat(got.qos()).isEqualTo(QoS.AT_MOST_ONCE);
            assertThat(got.packetId()).isZero();
            assertThat(got.dup()).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-3.12.4-1] every PINGREQ gets a PINGRESP")
    void ping() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "ping")) {
            for (int i = 0; i < 3; i++) {
                client.send(PingReq.INSTANCE);
            }
            for (int i = 0; i < 3; i++) {
                client.expect(PingResp.class);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-1] [MQTT-3.8.4-2] [MQTT-2.2.1-6] [MQTT-3.8.4-5] [MQTT-3.8.4-7] [MQTT-3.10.4-4] [MQTT-3.10.4-6] SUBACK and UNSUBACK answer with the packet's identifier, one code per filter")
    void subscribeAndUnsubscribeAnswers() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "acks")) {
            client.send(new Subscribe(0x1234, List.of(new Subscription("a", QoS.AT_MOST_ONCE), new Subscription("b", QoS.AT_LEAST_ONCE),
                    new Subscription("c", QoS.EXACTLY_ONCE)), Properties.EMPTY));
            SubAck sub = client.expect(SubAck.class);
            assertThat(sub.packetId()).isEqualTo(0x1234);
            assertThat(sub.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_2);
            client.send(new Unsubscribe(0x4321, List.of("a", "b", "c")));
            UnsubAck unsub = client.expect(UnsubAck.class);
            assertThat(unsub.packetId()).isEqualTo(0x4321);
            assertThat(unsub.reasonCodes()).containsOnly(ReasonCode.SUCCESS).hasSize(3);
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] [MQTT-3.8.4-4] a repeated filter replaces its subscription (new QoS) and sends the retained message again; nothing is lost")
    void replaceSubscription() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "repl"); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "repl-pub")) {
            pub.publish("repl/t", QoS.AT_LEAST_ONCE, true, 1, "kept");
            pub.expect(PubAck.class);
            client.subscribe(1, new Subscription("repl/#", QoS.AT_MOST_ONCE));
            assertThat(client.expect(Publish.class).qos()).isEqualTo(QoS.AT_MOST_ONCE);
            client.subscribe(2, new Subscription("repl/#", QoS.AT_LEAST_ONCE));
            Publish retained = client.expect(Publish.class);
            assertThat(retained.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(retained.retained()).isTrue();
            client.send(new PubAck(retained.packetId()));
            pub.publish("repl/u", QoS.AT_LEAST_ONCE, false, 2, "live");
            pub.expect(PubAck.class);
            Publish live = client.expect(Publish.class);
            assertThat(live.qos()).as("one subscription, at its new QoS").isEqualTo(QoS.AT_LEAST_ONCE);
            client.send(new PubAck(live.packetId()));
            client.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-7] [MQTT-3.3.1-8] retained: replaced by the next, removed by an empty payload (still delivered), untouched by RETAIN 0")
    void retainedMessages() {
        try (Mqtt5Client pub = Mqtt5Client.connected(live.port(), "ret-pub");
                Mqtt5Client watcher = Mqtt5Client.connected(live.port(), "ret-live")) {
            watcher.subscribe(1, new Subscription("ret/#", QoS.AT_MOST_ONCE));
            pub.publish("ret/a", QoS.AT_LEAST_ONCE, true, 1, "first");
            pub.publish("ret/a", QoS.AT_LEAST_ONCE, true, 2, "second");
            pub.publish("ret/a", QoS.AT_LEAST_ONCE, false, 3, "not retained");
            pub.publish("ret/b", QoS.AT_LEAST_ONCE, true, 4, "b");
            pub.publish("ret/b", QoS.AT_LEAST_ONCE, true, 5, "");
            for (int i = 0; i < 5; i++) {
                pub.expect(PubAck.class);
            }
            assertThat(watcher.expectPublishes(5)).extracting(Mqtt5Client::text)
                    .containsExactly("first", "second", "not retained", "b", "");
        }
        try (Mqtt5Client late = Mqtt5Client.connected(live.port(), "ret-late")) {
            late.subscribe(1, new Subscription("ret/#", QoS.AT_MOST_ONCE));
            Publish kept = late.expect(Publish.class);
            assertThat(kept.topic()).isEqualTo("ret/a");
            assertThat(Mqtt5Client.text(kept)).isEqualTo("second");
            late.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-3] [MQTT-4.7.2-1] [MQTT-4.7.3-4] a delivered topic matches the subscription's filter; '+' and '#' do not match '$' topics; no normalisation")
    void matching() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "match"); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "match-pub")) {
            sub.subscribe(1, new Subscription("+/x/#", QoS.AT_MOST_ONCE));
            for (String topic : List.of("$app/x/y", "a/x", "a/X", "a/x/b/c", "A/x", "a/x/")) {
                pub.publish(topic, QoS.AT_MOST_ONCE, false, 0, topic);
            }
            pub.send(PingReq.INSTANCE);
            pub.expect(PingResp.class);
            assertThat(sub.expectPublishes(4)).extracting(Publish::topic).containsExactly("a/x", "a/x/b/c", "A/x", "a/x/");
            sub.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.4-1] [MQTT-3.10.4-2] [MQTT-3.10.4-3] UNSUBSCRIBE matches filters character by character, stops new messages, and lets started flows finish")
    void unsubscribe() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "uns"); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "uns-pub")) {
            sub.subscribe(1, new Subscription("uns/+", QoS.AT_LEAST_ONCE));
            pub.publish("uns/a", QoS.AT_LEAST_ONCE, false, 1, "in flight");
            pub.expect(PubAck.class);
            Publish inFlight = sub.expect(Publish.class);
            sub.send(new Unsubscribe(2, List.of("uns/a")));
            assertThat(sub.expect(UnsubAck.class).reasonCodes()).containsExactly(ReasonCode.NO_SUBSCRIPTION_EXISTED);
            sub.send(new Unsubscribe(3, List.of("uns/+")));
            assertThat(sub.expect(UnsubAck.class).reasonCodes()).containsExactly(ReasonCode.SUCCESS);
            pub.publish("uns/a", QoS.AT_LEAST_ONCE, false, 2, "after");
            assertThat(pub.expect(PubAck.class).reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
            sub.send(new PubAck(inFlight.packetId()));
            sub.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-5] [MQTT-4.6.0-6] one publisher's messages reach a subscriber in the order they were published, across QoS levels")
    void ordering() {
        try (Mqtt5Client sub = Mqtt5Client.connected(live.port(), "ord"); Mqtt5Client pub = Mqtt5Client.connected(live.port(), "ord-pub")) {
            sub.subscribe(1, new Subscription("ord", QoS.AT_LEAST_ONCE));
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                sent.add("m" + i);
                pub.publish("ord", QoS.AT_LEAST_ONCE, false, i + 1, "m" + i);
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                Publish p = sub.expect(Publish.class);
                got.add(Mqtt5Client.text(p));
                sub.send(new PubAck(p.packetId()));
            }
            assertThat(got).containsExactlyElementsOf(sent);
            pub.send(Disconnect.NORMAL);
        }
    }
}
