package io.starling.client;

import static io.starling.client.BrokerTestBed.config;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.failure;
import static io.starling.client.BrokerTestBed.mqtt5;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.starling.broker.Broker;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.PacketType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the broker answers a 5.0 client's PUBLISH, SUBSCRIBE and UNSUBSCRIBE with, as the client
 * hands it on: {@link PublishResult}, {@link PublishRefusedException}, {@link SubscribeResult} and
 * {@link UnsubscribeResult}, each with the broker's exact reason codes.
 */
class Mqtt5ClientTest {
    /** Anonymous clients may publish and subscribe under open/, only subscribe under readonly/. */
    private static final List<String> ACL = List.of("topic readwrite open/#", "topic read readonly/#");

    @TempDir
    Path dir;
    private final BrokerTestBed bed = new BrokerTestBed();

    @AfterEach
    void close() {
        bed.close();
    }

    private Broker brokerWithAcl() throws IOException {
        Path acl = Files.write(dir.resolve("acl"), ACL);
        return bed.broker(config().withAclFile(acl));
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(QoS.class)
    @DisplayName("a publish with a subscriber completes with 0x00 Success and no properties")
    void publishSucceeds(QoS qos) throws Exception {
        Broker broker = bed.broker();
        done(bed.connected(broker, "ok-sub").subscribe("ok/t", QoS.EXACTLY_ONCE, m -> { }));
        PublishResult result = done(bed.connected(broker, "ok-pub").publish("ok/t", new byte[] {1}, qos, false));

        assertThat(result.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(result.reasonString()).isEmpty();
        assertThat(result.properties().all()).isEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.4.2-1] QoS 1 without a matching subscriber completes with PUBACK 0x10 No matching subscribers")
    void qos1NoMatchingSubscribers() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.connected(v5(broker.port(), "nobody-1").packetTracer(tracer));

        PublishResult result = done(publisher.publish("nobody/listens", new byte[] {1}, QoS.AT_LEAST_ONCE, false));

        assertThat(result.reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(tracer.received(PubAck.class)).extracting(PubAck::reasonCode).containsExactly(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-3.5.2-1] [MQTT-4.3.3-4] QoS 2 without a matching subscriber: PUBREC 0x10 is answered with PUBREL, and the"
            + " result is the PUBREC's 0x10")
    void qos2NoMatchingSubscribers() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.connected(v5(broker.port(), "nobody-2").packetTracer(tracer));

        PublishResult result = done(publisher.publish("nobody/listens", new byte[] {1}, QoS.EXACTLY_ONCE, false));

        assertThat(result.reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        int packetId = tracer.sent(Publish.class).get(0).packetId();
        assertThat(tracer.received(PubRec.class)).containsExactly(new PubRec(packetId, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY));
        assertThat(tracer.sent(PubRel.class)).extracting(PubRel::packetId).containsExactly(packetId);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-2] a QoS 1 publish the ACL refuses fails with PublishRefusedException 0x87 from PUBACK")
    void qos1Refused() throws Exception {
        Broker broker = brokerWithAcl();
        MqttClient publisher = bed.connected(broker, "refused-1");

        PublishRefusedException refused = failure(publisher.publish("readonly/x", new byte[] {1}, QoS.AT_LEAST_ONCE, false),
                PublishRefusedException.class);

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(refused.answer()).isEqualTo(PacketType.PUBACK);
        assertThat(refused.reasonString()).isNull();
        assertThat(refused).hasMessage("the server refused the publish: PUBACK 0x87 Not authorized");
        assertThat(done(publisher.publish("open/x", new byte[] {1}, QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-4.3.3-4] [MQTT-4.4.0-2] a QoS 2 publish refused with PUBREC 0x87 fails with"
            + " PublishRefusedException, gets no PUBREL, and leaves the in-flight window")
    void qos2Refused() throws Exception {
        Broker broker = brokerWithAcl();
        RecordingTracer tracer = new RecordingTracer();
        // one message in flight at most: the next publish goes out only if the refused one left the window
        MqttClient publisher = bed.connected(v5(broker.port(), "refused-2").packetTracer(tracer).maxInflight(1));

        PublishRefusedException refused = failure(publisher.publish("readonly/x", new byte[] {1}, QoS.EXACTLY_ONCE, false),
                PublishRefusedException.class);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(refused.answer()).isEqualTo(PacketType.PUBREC);
        assertThat(refused).hasMessage("the server refused the publish: PUBREC 0x87 Not authorized");
        int refusedId = tracer.sent(Publish.class).get(0).packetId();
        assertThat(tracer.received(PubRec.class)).containsExactly(new PubRec(refusedId, ReasonCode.NOT_AUTHORIZED, Properties.EMPTY));

        PublishResult next = done(publisher.publish("open/x", new byte[] {2}, QoS.EXACTLY_ONCE, false));
        assertThat(next.reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        // the only PUBREL is the accepted message's
        assertThat(tracer.sent(PubRel.class)).extracting(PubRel::packetId)
                .containsExactly(tracer.sent(Publish.class).get(1).packetId());
    }

    @Test
    @DisplayName("[MQTT-3.8.4-6] [MQTT-3.8.4-7] [MQTT-3.9.3-1] SubscribeResult has a code per filter, in order: granted"
            + " QoS lowered to the broker's Maximum QoS, 0x87 where the ACL refuses, 0x8F for an invalid filter")
    void subscribeResult() throws Exception {
        Path acl = Files.write(dir.resolve("acl"), ACL);
        Broker broker = bed.broker(config().withAclFile(acl).withMqtt5(mqtt5(65_535, 65_535, QoS.AT_LEAST_ONCE, true, 10, null)));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "codes").packetTracer(tracer));

        List<Subscription> subscriptions = List.of(
                new Subscription("open/a", QoS.EXACTLY_ONCE),
                new Subscription("readonly/#", QoS.AT_MOST_ONCE),
                new Subscription("secret/#", QoS.AT_LEAST_ONCE),
                new Subscription("open/#/x", QoS.AT_LEAST_ONCE));
        SubscribeResult result = done(client.subscribe(subscriptions, m -> { }));

        assertThat(tracer.sent(Subscribe.class)).hasSize(1);
        assertThat(tracer.sent(Subscribe.class).get(0).subscriptions()).isEqualTo(subscriptions);
        assertThat(result.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_0,
                ReasonCode.NOT_AUTHORIZED, ReasonCode.TOPIC_FILTER_INVALID);
        assertThat(result.grantedQos(0)).contains(QoS.AT_LEAST_ONCE);
        assertThat(result.grantedQos(1)).contains(QoS.AT_MOST_ONCE);
        assertThat(result.grantedQos(2)).isEmpty();
        assertThat(result.grantedQos(3)).isEmpty();
        assertThat(result.allGranted()).isFalse();
        assertThat(result.reasonString()).isEmpty();
    }

    @Test
    @DisplayName("[MQTT-3.11.3-1] [MQTT-3.11.3-2] UnsubscribeResult has 0x00 for a filter subscribed to and 0x11 No"
            + " subscription existed for one that was not, in order")
    void unsubscribeResult() throws Exception {
        Broker broker = bed.broker();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "unsub").packetTracer(tracer));
        done(client.subscribe("un/a", QoS.AT_LEAST_ONCE, received::add));

        Properties why = Properties.of(Property.user("reason", "done"));
        UnsubscribeResult result = done(client.unsubscribe(List.of("never/subscribed", "un/a"), why));

        assertThat(tracer.sent(Unsubscribe.class)).extracting(Unsubscribe::topicFilters, Unsubscribe::properties)
                .containsExactly(tuple(List.of("never/subscribed", "un/a"), why));

        assertThat(result.reasonCodes()).containsExactly(ReasonCode.NO_SUBSCRIPTION_EXISTED, ReasonCode.SUCCESS);
        assertThat(result.reasonString()).isEmpty();
        // the broker forgot the subscription: a publish to it now finds nobody
        assertThat(done(client.publish("un/a", "x".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("a message with a property no PUBLISH may carry fails its publish with IllegalArgumentException,"
            + " sends nothing and leaves the client working")
    void propertyNotAllowedInPublish() throws Exception {
        Broker broker = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.connected(v5(broker.port(), "bad-property").packetTracer(tracer).maxInflight(1));

        Throwable refused = failure(publisher.publish(MqttMessage.builder("bad/t").qos(QoS.AT_LEAST_ONCE)
                .property(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 5)).build()));

        assertThat(refused).isInstanceOf(IllegalArgumentException.class).hasMessage("SESSION_EXPIRY_INTERVAL is not allowed in PUBLISH");
        assertThat(tracer.sent(Publish.class)).isEmpty();
        assertThat(done(publisher.publish("bad/t", new byte[0], QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-9] a Topic Alias the application put on a message gives way to the client's own")
    void applicationTopicAliasReplaced() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 65_535, QoS.EXACTLY_ONCE, true, 1, null)));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient publisher = bed.connected(v5(broker.port(), "own-alias").packetTracer(tracer));

        done(publisher.publish(MqttMessage.builder("alias/t").qos(QoS.AT_LEAST_ONCE)
                .property(Property.of(PropertyId.TOPIC_ALIAS, 9)).build()));

        assertThat(tracer.sentTopicsAndAliases()).containsExactly("alias/t|1");
        assertThat(publisher.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a will with a property no will may carry is refused when the client is built")
    void willPropertyNotAllowed() {
        MqttClientBuilder builder = v5(1883, "bad-will").will(MqttMessage.builder("will/t")
                .property(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 1)).build());

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SUBSCRIPTION_IDENTIFIER is not allowed in will properties");
    }

    @Test
    @DisplayName("the blocking facade returns the 5.0 outcome: PUBACK 0x10, a refusal thrown with its code, a response to a request")
    void blockingFacade() throws Exception {
        Broker broker = brokerWithAcl();
        done(bed.connected(broker, "echo").respond("open/svc", request -> request.payload()));
        BlockingMqttClient blocking = bed.connected(broker, "blocking").blocking();

        assertThat(blocking.publish("open/none", new byte[] {1}, QoS.AT_LEAST_ONCE, false).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThatThrownBy(() -> blocking.publish("readonly/t", new byte[] {1}, QoS.AT_LEAST_ONCE, false))
                .isInstanceOfSatisfying(PublishRefusedException.class,
                        e -> assertThat(e.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED));
        MqttMessage request = MqttMessage.builder("open/svc").payload("ping").qos(QoS.AT_LEAST_ONCE)
                .responseTopic("open/replies/blocking").build();
        assertThat(blocking.request(request, java.time.Duration.ofSeconds(10)).payloadAsString()).isEqualTo("ping");
    }
}
