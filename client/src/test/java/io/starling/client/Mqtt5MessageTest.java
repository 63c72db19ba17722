package io.starling.client;

import static io.starling.client.BrokerTestBed.WAIT;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.Bytes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Application messages between two 5.0 clients through a real broker: their properties from
 * publisher to subscriber, subscription identifiers, and the subscription options (No Local,
 * Retain As Published, Retain Handling, shared subscriptions).
 */
class Mqtt5MessageTest {
    private final BrokerTestBed bed = new BrokerTestBed();
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        broker = bed.broker();
    }

    @AfterEach
    void close() {
        bed.close();
    }

    private static Subscription subscription(String filter, boolean noLocal, boolean retainAsPublished, RetainHandling handling) {
        return new Subscription(filter, QoS.AT_LEAST_ONCE, noLocal, retainAsPublished, handling);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-4] [MQTT-3.3.2-6] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18]"
            + " [MQTT-3.3.2-20] every property of a message reaches the subscriber as published, user properties"
            + " in order with repeated names")
    void propertiesRoundTrip() throws Exception {
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "props-sub").subscribe("props/#", QoS.AT_LEAST_ONCE, received::add));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.connected(v5(broker.port(), "props-pub").packetTracer(tracer));
        byte[] correlation = {0, 1, 2, (byte) 0xFF};
        MqttMessage message = MqttMessage.builder("props/t").payload("{\"t\":21.5}").qos(QoS.AT_LEAST_ONCE)
                .messageExpiry(Duration.ofSeconds(60)).payloadIsUtf8(true).contentType("application/json")
                .responseTopic("reply/here").correlationData(correlation)
                .userProperty("a", "1").userProperty("b", "2").userProperty("a", "3").build();

        done(publisher.publish(message));

        List<Property> published = List.of(
                Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60),
                Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
                Property.of(PropertyId.CONTENT_TYPE, "application/json"),
                Property.of(PropertyId.RESPONSE_TOPIC, "reply/here"),
                Property.of(PropertyId.CORRELATION_DATA, Bytes.of(correlation)),
                Property.user("a", "1"), Property.user("b", "2"), Property.user("a", "3"));
        // and the Topic Alias the client adds, as the broker takes 10 of them
        assertThat(tracer.sent(Publish.class).get(0).properties().all()).containsExactlyElementsOf(
                concat(published, Property.of(PropertyId.TOPIC_ALIAS, 1)));
        await().atMost(WAIT).until(() -> received.size() == 1);
        MqttMessage m = received.get(0);
        assertThat(m.payloadAsString()).isEqualTo("{\"t\":21.5}");
        assertThat(m.messageExpiryInterval()).isEqualTo(OptionalLong.of(60)); // delivered within the second
        assertThat(m.payloadIsUtf8()).isTrue();
        assertThat(m.contentType()).contains("application/json");
        assertThat(m.responseTopic()).contains("reply/here");
        assertThat(m.correlationData()).hasValueSatisfying(c -> assertThat(c).containsExactly(correlation));
        assertThat(m.userProperties()).containsExactly(new UserProperty("a", "1"), new UserProperty("b", "2"), new UserProperty("a", "3"));
        assertThat(m.subscriptionIdentifiers()).isEmpty();
    }

    private static List<Property> concat(List<Property> list, Property last) {
        List<Property> all = new ArrayList<>(list);
        all.add(last);
        return all;
    }

    @Test
    @DisplayName("[MQTT-3.3.2-6] a retained message's Message Expiry Interval counts down: a later subscriber gets what is left")
    void messageExpiryCountsDown() throws Exception {
        MqttClient publisher = bed.connected(broker, "expiry-pub");
        done(publisher.publish(MqttMessage.builder("expiry/t").payload("soon gone").qos(QoS.AT_LEAST_ONCE).retain(true)
                .messageExpiry(Duration.ofSeconds(5)).build()));

        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = bed.connected(broker, "expiry-sub");
        // each SUBSCRIBE with Retain Handling 0 sends the retained message again [MQTT-3.8.4-4]
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(200)).until(() -> {
            int before = received.size();
            done(subscriber.subscribe("expiry/t", QoS.AT_LEAST_ONCE, received::add));
            await().atMost(WAIT).until(() -> received.size() == before + 1);
            return received.get(before).messageExpiryInterval().orElseThrow() < 5;
        });
        assertThat(received).extracting(m -> m.messageExpiryInterval().orElseThrow()).containsOnly(5L, 4L).endsWith(4L);
        assertThat(received).allSatisfy(m -> assertThat(m.retain()).isTrue());
    }

    @Test
    @DisplayName("[MQTT-3.3.4-3] [MQTT-3.3.4-4] a message matching two subscriptions arrives once with both"
            + " Subscription Identifiers; one matching only one of them carries that one")
    void subscriptionIdentifiers() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = bed.connected(v5(broker.port(), "sid-sub").packetTracer(tracer));
        MessageListener listener = received::add;
        done(subscriber.subscribe(List.of(new Subscription("sid/#", QoS.AT_LEAST_ONCE)),
                Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 7)), listener));
        done(subscriber.subscribe(List.of(new Subscription("sid/+", QoS.AT_LEAST_ONCE)),
                Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 300)), listener));

        MqttClient publisher = bed.connected(broker, "sid-pub");
        done(publisher.publish("sid/a", "both".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        done(publisher.publish("sid/a/b", "deep".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received.get(0).payloadAsString()).isEqualTo("both");
        assertThat(received.get(0).subscriptionIdentifiers()).containsExactlyInAnyOrder(7L, 300L);
        assertThat(received.get(1).payloadAsString()).isEqualTo("deep");
        assertThat(received.get(1).subscriptionIdentifiers()).containsExactly(7L);
        assertThat(tracer.received(Publish.class)).hasSize(2);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-6] a received message published again goes out without its Subscription Identifier,"
            + " its other properties kept")
    void republishWithoutSubscriptionIdentifier() throws Exception {
        List<MqttMessage> incoming = new CopyOnWriteArrayList<>();
        List<MqttMessage> forwarded = new CopyOnWriteArrayList<>();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient bridge = bed.connected(v5(broker.port(), "bridge").packetTracer(tracer));
        done(bridge.subscribe(List.of(new Subscription("in/#", QoS.AT_LEAST_ONCE)),
                Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 3)), incoming::add));
        done(bed.connected(broker, "out-sub").subscribe("out/#", QoS.AT_LEAST_ONCE, forwarded::add));
        done(bed.connected(broker, "in-pub").publish(MqttMessage.builder("in/a").payload("p").qos(QoS.AT_LEAST_ONCE)
                .contentType("text/plain").build()));
        await().atMost(WAIT).until(() -> incoming.size() == 1);
        MqttMessage in = incoming.get(0);
        assertThat(in.subscriptionIdentifiers()).containsExactly(3L);

        done(bridge.publish(new MqttMessage("out/a", in.payload(), in.qos(), false, false, in.properties())));

        Publish sent = tracer.sent(Publish.class).get(0);
        assertThat(sent.properties().contains(PropertyId.SUBSCRIPTION_IDENTIFIER)).isFalse();
        assertThat(sent.properties().string(PropertyId.CONTENT_TYPE)).contains("text/plain");
        await().atMost(WAIT).until(() -> forwarded.size() == 1);
        assertThat(forwarded.get(0).contentType()).contains("text/plain");
        assertThat(bridge.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.8.3-3] No Local: a client's own messages do not come back to it; another client's do")
    void noLocal() throws Exception {
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient self = bed.connected(broker, "no-local");
        done(self.subscribe(List.of(subscription("nl/#", true, false, RetainHandling.SEND_ON_SUBSCRIBE)), received::add));

        done(self.publish("nl/own", "own".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        done(bed.connected(broker, "other").publish("nl/other", "other".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));

        // the broker routed the own message before it acknowledged it, so it would have come first
        await().atMost(WAIT).until(() -> !received.isEmpty());
        assertThat(received).extracting(MqttMessage::topic).containsExactly("nl/other");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published keeps RETAIN 1 on a live retained message; without it RETAIN is 0")
    void retainAsPublished() throws Exception {
        List<MqttMessage> kept = new CopyOnWriteArrayList<>();
        List<MqttMessage> cleared = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "rap-1").subscribe(List.of(subscription("rap/t", false, true, RetainHandling.DO_NOT_SEND)), kept::add));
        done(bed.connected(broker, "rap-0").subscribe(List.of(subscription("rap/t", false, false, RetainHandling.DO_NOT_SEND)), cleared::add));

        done(bed.connected(broker, "rap-pub").publish("rap/t", "r".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true));

        await().atMost(WAIT).until(() -> kept.size() == 1 && cleared.size() == 1);
        assertThat(kept.get(0).retain()).isTrue();
        assertThat(cleared.get(0).retain()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] [MQTT-3.8.4-4] Retain Handling 0 sends the retained"
            + " message at every SUBSCRIBE, 1 only when the subscription is new, 2 never")
    void retainHandling() throws Exception {
        MqttClient publisher = bed.connected(broker, "rh-pub");
        done(publisher.publish("rh/t", "kept".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true));

        assertThat(retainedAtTwoSubscribes(publisher, RetainHandling.SEND_ON_SUBSCRIBE)).containsExactly("kept", "kept", "live");
        assertThat(retainedAtTwoSubscribes(publisher, RetainHandling.SEND_IF_NEW_SUBSCRIPTION)).containsExactly("kept", "live");
        assertThat(retainedAtTwoSubscribes(publisher, RetainHandling.DO_NOT_SEND)).containsExactly("live");
    }

    /**
     * Subscribes a new client twice to rh/t with {@code handling}, then has a live message published:
     * what the client received, in order. The live message comes after any retained one, which
     * the broker sends right behind its SUBACK.
     */
    private List<String> retainedAtTwoSubscribes(MqttClient publisher, RetainHandling handling) {
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = bed.connected(broker, "rh-" + handling);
        done(subscriber.subscribe(List.of(subscription("rh/t", false, false, handling)), received::add));
        done(subscriber.subscribe(List.of(subscription("rh/t", false, false, handling)), received::add));
        done(publisher.publish("rh/t", "live".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> received.stream().anyMatch(m -> m.payloadAsString().equals("live")));
        assertThat(received).allSatisfy(m -> assertThat(m.retain()).isEqualTo(!m.payloadAsString().equals("live")));
        return received.stream().map(MqttMessage::payloadAsString).toList();
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] No Local on a shared subscription, and Subscription Identifier 0, are refused at the"
            + " call and never sent: the broker would end the connection for them")
    void protocolErrorsRefusedLocally() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "careful").packetTracer(tracer));

        assertThatThrownBy(() -> client.subscribe(List.of(subscription("$share/g/nl", true, false, RetainHandling.SEND_ON_SUBSCRIBE)),
                m -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("[MQTT-3.8.3-4] No Local on the shared subscription $share/g/nl is a protocol error");
        assertThatThrownBy(() -> client.subscribe(List.of(new Subscription("sid0/#", QoS.AT_LEAST_ONCE)),
                Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 0)), m -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a Subscription Identifier is 1 to 268435455, not 0");

        assertThat(tracer.sent(Subscribe.class)).isEmpty();
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-4.8.2-3] two members of a shared subscription split the messages, each message to one"
            + " of them, and each member's listener gets its share")
    void sharedSubscription() throws Exception {
        List<MqttMessage> first = new CopyOnWriteArrayList<>();
        List<MqttMessage> second = new CopyOnWriteArrayList<>();
        SubscribeResult granted = done(bed.connected(broker, "member-1").subscribe("$share/g/sh/#", QoS.AT_LEAST_ONCE, first::add));
        done(bed.connected(broker, "member-2").subscribe("$share/g/sh/#", QoS.AT_LEAST_ONCE, second::add));
        assertThat(granted.grantedQos(0)).contains(QoS.AT_LEAST_ONCE);

        MqttClient publisher = bed.connected(broker, "sh-pub");
        for (int i = 0; i < 10; i++) {
            done(publisher.publish("sh/" + i, ("m" + i).getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        }

        await().atMost(WAIT).until(() -> first.size() + second.size() == 10);
        Set<String> all = new HashSet<>();
        first.forEach(m -> all.add(m.payloadAsString()));
        second.forEach(m -> all.add(m.payloadAsString()));
        assertThat(all).hasSize(10);
        // round robin between the two members
        assertThat(first).hasSize(5);
        assertThat(second).hasSize(5);
        assertThat(first).allSatisfy(m -> assertThat(m.topic()).isEqualTo("sh/" + m.payloadAsString().substring(1)));
    }
}
