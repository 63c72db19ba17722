package io.starling.client;

import static io.starling.client.BrokerTestBed.WAIT;
import static io.starling.client.BrokerTestBed.config;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.failure;
import static io.starling.client.BrokerTestBed.mqtt5;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The limits a broker's CONNACK sets, as the client keeps them: Receive Maximum, Maximum Packet
 * Size, Topic Alias Maximum, Maximum QoS, Retain Available; and, against a scripted server since
 * the broker offers them all, Wildcard, Subscription Identifier and Shared Subscription Available.
 */
class Mqtt5ServerLimitsTest {
    private static final int MAX_PACKET_SIZE = 1024;
    private final BrokerTestBed bed = new BrokerTestBed();

    @AfterEach
    void close() throws Exception {
        bed.close();
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] the broker's Receive Maximum 2 caps the client's in-flight window: 20 QoS 1"
            + " publishes at once go out never more than 2 unacknowledged, and all complete")
    void receiveMaximum() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 2, QoS.EXACTLY_ONCE, true, 10, null)));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.client(v5(broker.port(), "rm-2").packetTracer(tracer));
        assertThat(done(publisher.connect()).receiveMaximum()).isEqualTo(2);

        List<CompletableFuture<PublishResult>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(publisher.publish("rm/t", new byte[] {(byte) i}, QoS.AT_LEAST_ONCE, false));
        }
        done(CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])));

        assertThat(tracer.sent(Publish.class)).hasSize(20);
        // a third one in flight would have got DISCONNECT 0x93 Receive Maximum exceeded
        assertThat(tracer.maxQos1InFlight()).isEqualTo(2);
        assertThat(publisher.isConnected()).isTrue();
    }

    /** A broker that takes packets of {@value #MAX_PACKET_SIZE} bytes at most, with {@code aliases} topic aliases. */
    private Broker smallPacketBroker(int aliases) throws Exception {
        return bed.broker(config().withLimits(MAX_PACKET_SIZE, BrokerConfig.DEFAULT_MAX_INFLIGHT, BrokerConfig.DEFAULT_MAX_QUEUED,
                BrokerConfig.DEFAULT_MAX_PENDING_QOS0).withMqtt5(mqtt5(65_535, 65_535, QoS.EXACTLY_ONCE, true, aliases, null)));
    }

    @ParameterizedTest(name = "topic aliases {0}: largest payload {1}")
    @CsvSource({
        "0, 1011",  // 1 + 2 (remaining length) + 7 (topic mps/t) + 2 (packet id) + 1 (no properties) + 1011
        "10, 1008", // the same with a Topic Alias property of 3 bytes next to the topic at its first use
    })
    @DisplayName("[MQTT-3.2.2-15] a PUBLISH of exactly the broker's Maximum Packet Size goes out and arrives; one byte"
            + " more fails locally with ServerLimitException 0x95 and nothing is sent")
    void maximumPacketSize(int aliases, int largestPayload) throws Exception {
        Broker broker = smallPacketBroker(aliases);
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "mps-sub").subscribe("mps/#", QoS.AT_LEAST_ONCE, received::add));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.client(v5(broker.port(), "mps-pub").packetTracer(tracer));
        assertThat(done(publisher.connect()).maximumPacketSize()).hasValue(MAX_PACKET_SIZE);

        ServerLimitException tooLarge = failure(publisher.publish("mps/t", new byte[largestPayload + 1], QoS.AT_LEAST_ONCE, false),
                ServerLimitException.class);
        assertThat(tooLarge.reasonCode()).isEqualTo(ReasonCode.PACKET_TOO_LARGE);
        assertThat(tracer.sent(Publish.class)).isEmpty();

        assertThat(done(publisher.publish("mps/t", new byte[largestPayload], QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        Publish sent = tracer.sent(Publish.class).get(0);
        assertThat(new PacketEncoder(MqttVersion.V5).encodedSize(sent)).isEqualTo(MAX_PACKET_SIZE);
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).payload()).hasSize(largestPayload);
        assertThat(publisher.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-17] [MQTT-3.3.2-9] with the broker's Topic Alias Maximum 2 a repeated topic goes out as"
            + " alias alone, the least recently used alias is reassigned, and the subscriber gets the right topics")
    void outboundTopicAliases() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 65_535, QoS.EXACTLY_ONCE, true, 2, null)));
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "ta-sub").subscribe("t/#", QoS.AT_LEAST_ONCE, received::add));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.connected(v5(broker.port(), "ta-pub").packetTracer(tracer));

        List<String> topics = List.of("t/a", "t/a", "t/b", "t/c", "t/a", "t/c");
        for (String topic : topics) {
            done(publisher.publish(topic, topic.getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        }

        assertThat(tracer.sentTopicsAndAliases()).containsExactly(
                "t/a|1", // new: alias 1 with the topic
                "|1",    // known: the alias alone
                "t/b|2",
                "t/c|1", // both taken: t/a, least recently used, gives up alias 1
                "t/a|2", // and t/b gives up alias 2
                "|1");
        await().atMost(WAIT).until(() -> received.size() == topics.size());
        assertThat(received).extracting(MqttMessage::topic).containsExactlyElementsOf(topics);
        assertThat(received).extracting(MqttMessage::payloadAsString).containsExactlyElementsOf(topics);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-18] a broker without Topic Alias Maximum gets no topic alias")
    void noTopicAliases() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 65_535, QoS.EXACTLY_ONCE, true, 0, null)));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.connected(v5(broker.port(), "no-alias").packetTracer(tracer));
        done(publisher.publish("t/a", new byte[0], QoS.AT_LEAST_ONCE, false));
        done(publisher.publish("t/a", new byte[0], QoS.AT_LEAST_ONCE, false));

        assertThat(tracer.sentTopicsAndAliases()).containsExactly("t/a|0", "t/a|0");
    }

    @Test
    @DisplayName("[MQTT-3.2.2-11] with the broker's Maximum QoS 1 a QoS 2 publish fails locally with 0x9B and nothing"
            + " is sent; QoS 1 still goes")
    void maximumQos() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 65_535, QoS.AT_LEAST_ONCE, true, 10, null)));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.client(v5(broker.port(), "max-qos").packetTracer(tracer));
        assertThat(done(publisher.connect()).maximumQos()).isEqualTo(QoS.AT_LEAST_ONCE);

        ServerLimitException refused = failure(publisher.publish("q/t", new byte[0], QoS.EXACTLY_ONCE, false), ServerLimitException.class);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.QOS_NOT_SUPPORTED);
        assertThat(refused).hasMessage("the server takes QoS 1 at most (Maximum QoS), not 2");
        assertThat(tracer.sent(Publish.class)).isEmpty();
        done(publisher.publish("q/t", new byte[0], QoS.AT_LEAST_ONCE, false));
        assertThat(tracer.sent(Publish.class)).extracting(Publish::qos).containsExactly(QoS.AT_LEAST_ONCE);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-12] a will above the broker's Maximum QoS is refused with CONNACK 0x9B")
    void willAboveMaximumQos() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 65_535, QoS.AT_LEAST_ONCE, true, 10, null)));
        MqttClient client = bed.client(v5(broker.port(), "will-qos2")
                .will(MqttMessage.builder("w/t").qos(QoS.EXACTLY_ONCE).build()));

        ConnectionRefusedException refused = failure(client.connect(), ConnectionRefusedException.class);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.QOS_NOT_SUPPORTED);
        assertThat(refused).hasMessage("Connection Refused: 0x9B Qos not supported (will QoS 2 is above the maximum of 1)");
    }

    @Test
    @DisplayName("[MQTT-3.2.2-14] with the broker's Retain Available 0 a retained publish fails locally with 0x9A and"
            + " nothing is sent")
    void retainNotAvailable() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 65_535, QoS.EXACTLY_ONCE, false, 10, null)));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.client(v5(broker.port(), "no-retain").packetTracer(tracer));
        assertThat(done(publisher.connect()).retainAvailable()).isFalse();

        ServerLimitException refused = failure(publisher.publish("r/t", new byte[0], QoS.AT_LEAST_ONCE, true), ServerLimitException.class);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.RETAIN_NOT_SUPPORTED);
        assertThat(tracer.sent(Publish.class)).isEmpty();
        done(publisher.publish("r/t", new byte[0], QoS.AT_LEAST_ONCE, false));
        assertThat(tracer.sent(Publish.class)).hasSize(1);
    }

    @Test
    @DisplayName("a server saying Wildcard, Subscription Identifier and Shared Subscription Available 0 has the"
            + " client refuse such subscriptions itself with 0xA2, 0xA1 and 0x9E, sending nothing")
    void subscriptionFeaturesUnavailable() throws Exception {
        try (ScriptedServer server = new ScriptedServer()) {
            MqttClient client = bed.client(v5(server.port(), "features"));
            CompletableFuture<ConnectResult> connected = client.connect();
            server.accept();
            assertThat(server.readPacket()[0] & 0xFF).isEqualTo(0x10);
            server.write(0x20, 0x09,      // CONNACK, remaining length 9
                    0x00, 0x00,           // no session present, 0x00 Success
                    0x06,                 // property length 6
                    0x28, 0x00,           // Wildcard Subscription Available 0
                    0x29, 0x00,           // Subscription Identifier Available 0
                    0x2A, 0x00);          // Shared Subscription Available 0
            ConnectResult result = done(connected);
            assertThat(result.wildcardSubscriptionAvailable()).isFalse();
            assertThat(result.subscriptionIdentifiersAvailable()).isFalse();
            assertThat(result.sharedSubscriptionAvailable()).isFalse();

            assertThat(failure(client.subscribe("a/+", QoS.AT_LEAST_ONCE, m -> { }), ServerLimitException.class).reasonCode())
                    .isEqualTo(ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED);
            assertThat(failure(client.subscribe("$share/g/a", QoS.AT_LEAST_ONCE, m -> { }), ServerLimitException.class).reasonCode())
                    .isEqualTo(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED);
            assertThat(failure(client.subscribe(List.of(new Subscription("a/b", QoS.AT_LEAST_ONCE)),
                    Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 1)), m -> { }), ServerLimitException.class).reasonCode())
                    .isEqualTo(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED);

            // the first packet after CONNECT is the plain SUBSCRIBE: the refused ones were never sent
            client.subscribe("a/b", QoS.AT_LEAST_ONCE, m -> { });
            assertThat(server.readPacket()).containsExactly(
                    0x82, 0x09,               // SUBSCRIBE, remaining length 9
                    0x00, 0x01,               // packet identifier 1
                    0x00,                     // no properties
                    0x00, 0x03, 'a', '/', 'b',
                    0x01);                    // QoS 1, no options
        }
    }
}
