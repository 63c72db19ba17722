package io.starling.client;

import static io.starling.client.BrokerTestBed.WAIT;
import static io.starling.client.BrokerTestBed.config;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.mqtt5;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The MQTT 5.0 CONNECT the client sends (its properties and will, seen on the wire and in what
 * the broker then does) and the CONNACK it reads back into {@link ConnectResult}, against a real
 * Starling broker.
 */
class Mqtt5ConnectTest {
    private final BrokerTestBed bed = new BrokerTestBed();

    @AfterEach
    void close() {
        bed.close();
    }

    @Test
    @DisplayName("a 5.0 CONNECT with the builder's defaults has Clean Start 1, keep alive 60 and no properties")
    void defaultConnect() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        bed.connected(v5(broker.port(), "plain").packetTracer(tracer));

        Connect connect = tracer.sent(Connect.class).get(0);
        assertThat(connect.version()).isEqualTo(MqttVersion.V5);
        assertThat(connect.clientId()).isEqualTo("plain");
        assertThat(connect.cleanStart()).isTrue();
        assertThat(connect.keepAlive()).isEqualTo(60);
        assertThat(connect.will()).isNull();
        assertThat(connect.properties().all()).isEmpty();
    }

    @Test
    @DisplayName("CONNECT carries every 5.0 property the builder sets, in order, user properties repeated as given")
    void connectProperties() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        bed.connected(v5(broker.port(), "props").packetTracer(tracer).sessionExpiryInterval(120).receiveMaximum(20)
                .maxPacketSize(65_536).topicAliasMaximum(5).requestResponseInformation(true).requestProblemInformation(false)
                .userProperty("region", "eu").userProperty("region", "us").userProperty("app", "t"));

        assertThat(tracer.sent(Connect.class).get(0).properties().all()).containsExactly(
                Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 120),
                Property.of(PropertyId.RECEIVE_MAXIMUM, 20),
                Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 65_536),
                Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, 5),
                Property.of(PropertyId.REQUEST_RESPONSE_INFORMATION, 1),
                Property.of(PropertyId.REQUEST_PROBLEM_INFORMATION, 0),
                Property.user("region", "eu"),
                Property.user("region", "us"),
                Property.user("app", "t"));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.3-10] the will goes out with its properties, and the broker publishes it"
            + " no sooner than its Will Delay Interval after the connection is lost, properties kept")
    void willWithDelayAndProperties() throws Exception {
        Broker broker = bed.broker();
        TcpProxy proxy = bed.proxy(broker.port());
        List<MqttMessage> wills = new CopyOnWriteArrayList<>();
        List<Long> arrivedAt = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "will-watcher").subscribe("will/#", QoS.AT_LEAST_ONCE, m -> {
            arrivedAt.add(System.nanoTime());
            wills.add(m);
        }));
        MqttMessage will = MqttMessage.builder("will/dying").payload("gone").qos(QoS.AT_LEAST_ONCE)
                .willDelay(Duration.ofSeconds(1)).messageExpiry(Duration.ofSeconds(30)).contentType("text/plain")
                .userProperty("k", "v1").userProperty("k", "v2").build();
        RecordingTracer tracer = new RecordingTracer();
        // the session outlives the connection by more than the delay, so the delay decides [MQTT-3.1.3-9]
        bed.connected(v5(proxy.port(), "dying").packetTracer(tracer).sessionExpiryInterval(10).will(will));

        Connect connect = tracer.sent(Connect.class).get(0);
        assertThat(connect.will()).isNotNull();
        assertThat(connect.will().topic()).isEqualTo("will/dying");
        assertThat(connect.will().qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(connect.will().properties().all()).containsExactly(
                Property.of(PropertyId.WILL_DELAY_INTERVAL, 1),
                Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 30),
                Property.of(PropertyId.CONTENT_TYPE, "text/plain"),
                Property.user("k", "v1"),
                Property.user("k", "v2"));

        long cutAt = System.nanoTime();
        proxy.cut();
        await().atMost(WAIT).until(() -> wills.size() == 1);
        assertThat(TimeUnit.NANOSECONDS.toMillis(arrivedAt.get(0) - cutAt)).isGreaterThanOrEqualTo(1000);
        MqttMessage received = wills.get(0);
        assertThat(received.topic()).isEqualTo("will/dying");
        assertThat(received.payloadAsString()).isEqualTo("gone");
        assertThat(received.contentType()).contains("text/plain");
        assertThat(received.userProperties()).containsExactly(new UserProperty("k", "v1"), new UserProperty("k", "v2"));
        assertThat(received.messageExpiryInterval()).isEqualTo(OptionalLong.of(30));
        assertThat(received.properties().contains(PropertyId.WILL_DELAY_INTERVAL)).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] disconnect with 0x04 Disconnect with Will Message has the broker publish the will")
    void disconnectWithWill() throws Exception {
        Broker broker = bed.broker();
        List<MqttMessage> wills = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "will-watcher").subscribe("will/#", QoS.AT_LEAST_ONCE, wills::add));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "leaving").packetTracer(tracer)
                .will(MqttMessage.builder("will/leaving").payload("bye").qos(QoS.AT_LEAST_ONCE).build()));

        done(client.disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, Properties.EMPTY));

        assertThat(tracer.sent(Disconnect.class)).containsExactly(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, Properties.EMPTY));
        await().atMost(WAIT).until(() -> wills.size() == 1);
        assertThat(wills.get(0).topic()).isEqualTo("will/leaving");
        assertThat(wills.get(0).payloadAsString()).isEqualTo("bye");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] [MQTT-3.1.2-25] the client's Maximum Packet Size keeps larger messages from it; smaller ones still arrive")
    void clientMaximumPacketSize() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient small = bed.connected(v5(broker.port(), "small").packetTracer(tracer).maxPacketSize(200));
        done(small.subscribe("mps/#", QoS.AT_LEAST_ONCE, received::add));

        MqttClient publisher = bed.connected(broker, "mps-pub");
        done(publisher.publish("mps/big", new byte[500], QoS.AT_LEAST_ONCE, false));
        done(publisher.publish("mps/small", "ok".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));

        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).topic()).isEqualTo("mps/small");
        assertThat(tracer.received(Publish.class)).extracting(Publish::topic).containsExactly("mps/small");
        assertThat(small.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.3.4-9] the client's Receive Maximum 1 holds the broker to one unacknowledged QoS 1 message"
            + " until the listener has returned")
    void clientReceiveMaximum() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        CountDownLatch release = new CountDownLatch(1);
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient slow = bed.connected(v5(broker.port(), "slow").packetTracer(tracer).receiveMaximum(1));
        done(slow.subscribe("rm/#", QoS.AT_LEAST_ONCE, m -> {
            received.add(m);
            await().atMost(WAIT).until(() -> release.getCount() == 0); // the PUBACK waits for this
        }));

        MqttClient publisher = bed.connected(broker, "rm-pub");
        for (int i = 1; i <= 3; i++) {
            done(publisher.publish("rm/" + i, new byte[] {(byte) i}, QoS.AT_LEAST_ONCE, false));
        }
        // a SUBSCRIBE answered on the same connection comes behind whatever the broker had to send on it
        slow.subscribe("rm-barrier", QoS.AT_MOST_ONCE, m -> { });
        await().atMost(WAIT).until(() -> tracer.received(SubAck.class).size() == 2);
        assertThat(tracer.received(Publish.class)).extracting(Publish::topic).containsExactly("rm/1");
        assertThat(tracer.sent(PubAck.class)).isEmpty();

        release.countDown();
        await().atMost(WAIT).until(() -> tracer.sent(PubAck.class).size() == 3);
        assertThat(received).extracting(MqttMessage::topic).containsExactly("rm/1", "rm/2", "rm/3");
        // each further message came only once the one before it was acknowledged
        assertThat(tracer.all()).filteredOn(t -> t.packet() instanceof Publish || t.packet() instanceof PubAck)
                .extracting(t -> (t.sent() ? "sent " : "received ") + t.packet().type())
                .containsExactly("received PUBLISH", "sent PUBACK", "received PUBLISH", "sent PUBACK", "received PUBLISH", "sent PUBACK");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-26] [MQTT-3.3.2-10] with the client's Topic Alias Maximum the broker sends a repeated topic"
            + " as an alias alone, and the listener still sees the topic, without the alias")
    void inboundTopicAliases() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = bed.connected(v5(broker.port(), "alias-sub").packetTracer(tracer).topicAliasMaximum(2));
        done(subscriber.subscribe("ta/#", QoS.AT_LEAST_ONCE, received::add));

        MqttClient publisher = bed.connected(broker, "alias-pub");
        for (String topic : List.of("ta/a", "ta/a", "ta/b", "ta/a")) {
            done(publisher.publish(topic, topic.getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        }

        await().atMost(WAIT).until(() -> received.size() == 4);
        assertThat(tracer.received(Publish.class)).extracting(p -> p.topic() + "|" + p.properties().integer(PropertyId.TOPIC_ALIAS).orElse(0))
                .containsExactly("ta/a|1", "|1", "ta/b|2", "|1");
        assertThat(received).extracting(MqttMessage::topic).containsExactly("ta/a", "ta/a", "ta/b", "ta/a");
        assertThat(received).extracting(MqttMessage::payloadAsString).containsExactly("ta/a", "ta/a", "ta/b", "ta/a");
        assertThat(received).allSatisfy(m -> assertThat(m.properties().contains(PropertyId.TOPIC_ALIAS)).isFalse());
    }

    @Test
    @DisplayName("[MQTT-3.1.3-6] [MQTT-3.1.3-7] [MQTT-3.2.2-16] an empty client identifier is assigned one, which"
            + " ConnectResult and clientId() give")
    void assignedClientIdentifier() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.client(v5(broker.port(), "").packetTracer(tracer));
        ConnectResult result = done(client.connect());

        assertThat(tracer.sent(Connect.class).get(0).clientId()).isEmpty();
        assertThat(result.assignedClientIdentifier()).hasValueSatisfying(id -> assertThat(id).matches("starling-[0-9a-f-]{36}"));
        assertThat(client.clientId()).isEqualTo(result.assignedClientIdentifier().orElseThrow());
    }

    @Test
    @DisplayName("ConnectResult gives the standard's defaults for what a default broker leaves out of its CONNACK")
    void connAckDefaults() throws Exception {
        Broker broker = bed.broker();
        ConnectResult result = done(bed.client(v5(broker.port(), "defaults").requestResponseInformation(true)).connect());

        assertThat(result.sessionPresent()).isFalse();
        assertThat(result.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(result.receiveMaximum()).isEqualTo(65_535);
        assertThat(result.maximumQos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(result.retainAvailable()).isTrue();
        assertThat(result.topicAliasMaximum()).isEqualTo(10);
        assertThat(result.maximumPacketSize()).isEqualTo(OptionalLong.of(1024 * 1024));
        assertThat(result.wildcardSubscriptionAvailable()).isTrue();
        assertThat(result.subscriptionIdentifiersAvailable()).isTrue();
        assertThat(result.sharedSubscriptionAvailable()).isTrue();
        assertThat(result.serverKeepAlive()).isEmpty();
        assertThat(result.sessionExpiryInterval()).isEmpty();
        assertThat(result.assignedClientIdentifier()).isEmpty();
        assertThat(result.responseInformation()).isEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-9] [MQTT-3.1.2-28] ConnectResult gives the broker's Receive Maximum, Maximum QoS, Retain"
            + " Available, Topic Alias Maximum, Maximum Packet Size and, when asked for, Response Information")
    void connAckOffers() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 7, QoS.AT_LEAST_ONCE, false, 3, "replies/"))
                .withLimits(4096, 32, 1000, 1000));
        ConnectResult asked = done(bed.client(v5(broker.port(), "asks").requestResponseInformation(true)).connect());
        ConnectResult notAsked = done(bed.client(v5(broker.port(), "does-not-ask")).connect());

        assertThat(asked.receiveMaximum()).isEqualTo(7);
        assertThat(asked.maximumQos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(asked.retainAvailable()).isFalse();
        assertThat(asked.topicAliasMaximum()).isEqualTo(3);
        assertThat(asked.maximumPacketSize()).isEqualTo(OptionalLong.of(4096));
        assertThat(asked.responseInformation()).contains("replies/");
        assertThat(notAsked.responseInformation()).isEmpty();
        assertThat(notAsked.receiveMaximum()).isEqualTo(7);
    }

    @Test
    @DisplayName("the broker's cap on the Session Expiry Interval comes back in ConnectResult")
    void sessionExpiryCapped() throws Exception {
        Broker broker = bed.broker(config().withSessions(false, Duration.ofSeconds(30)));
        ConnectResult result = done(bed.client(v5(broker.port(), "capped").sessionExpiryInterval(3600)).connect());

        assertThat(result.sessionExpiryInterval()).isEqualTo(OptionalLong.of(30));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-21] [MQTT-3.2.2-21] the broker's Server Keep Alive of 1 s replaces the 60 s asked for:"
            + " the client's first PINGREQ goes out about 1 s after the CONNACK, and is answered")
    void serverKeepAlive() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(1, 65_535, QoS.EXACTLY_ONCE, true, 10, null)));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.client(v5(broker.port(), "keep-alive").packetTracer(tracer).keepAlive(Duration.ofSeconds(60)));
        ConnectResult result = done(client.connect());

        assertThat(tracer.sent(Connect.class).get(0).keepAlive()).isEqualTo(60);
        assertThat(result.serverKeepAlive()).isEqualTo(OptionalLong.of(1));
        await().atMost(Duration.ofSeconds(3)).until(() -> !tracer.received(PingResp.class).isEmpty());
        long afterConnAck = TimeUnit.NANOSECONDS.toMillis(tracer.firstNanos(PingReq.class, true) - tracer.firstNanos(ConnAck.class, false));
        // idle for the keep alive of 1 s; the broker would close the connection after 1.5 s without it
        assertThat(afterConnAck).isBetween(900L, 1500L);
        assertThat(client.isConnected()).isTrue();
    }
}
