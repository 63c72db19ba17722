package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.starling.client.ConnectResult;
import io.starling.client.MessageListener;
import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttMessage;
import io.starling.client.PacketTracer;
import io.starling.client.PublishResult;
import io.starling.client.ReconnectPolicy;
import io.starling.client.RequestTimeoutException;
import io.starling.client.ServerLimitException;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/**
 * The Starling client in MQTT 5.0 against an independent server, Debian's Mosquitto 2.0.11: what
 * the CONNACK says (with the limits a {@code mosquitto.conf} sets) and how the client keeps to it,
 * publish reason codes, message properties through Mosquitto, and request/response. Subscriptions,
 * sessions, the server's DISCONNECT and wills are in {@link ClientMqtt5MosquittoSessionInteropTest}.
 * Where the client hides the wire (aliases, in-flight counts, Clean Start), a {@link Trace} on
 * the client's packet tracer shows it. Each test starts its own Mosquitto.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientMqtt5MosquittoInteropTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    /** How long a test watches for a message that must not come. */
    static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    final Resources resources = new Resources();

    private MosquittoBroker mosquitto(String... config) throws Exception {
        return resources.add(new MosquittoBroker().withConfig(config).start());
    }

    /** An MQTT 5.0 client of {@code mosquitto} that does not reconnect by itself. */
    static MqttClientBuilder v5(MosquittoBroker mosquitto, String clientId) {
        return MqttClient.builder().host(MosquittoBroker.HOST).port(mosquitto.port()).version(MqttVersion.V5)
                .clientId(clientId).reconnect(ReconnectPolicy.DISABLED);
    }

    private MqttClient connected(MqttClientBuilder builder) {
        MqttClient client = builder.build();
        resources.add(client);
        client.connect().join();
        return client;
    }

    @Test
    @DisplayName("[MQTT-3.1.3-7] [MQTT-3.2.2-16] CONNECT 5.0 properties; the CONNACK gives an Assigned Client Identifier and the limits mosquitto.conf sets")
    void connackProperties() throws Exception {
        MosquittoBroker mosquitto = mosquitto("max_keepalive 10", "max_qos 1", "retain_available false",
                "max_packet_size 200", "max_inflight_messages 2", "max_topic_alias 3");
        Trace trace = new Trace();
        MqttClient client = v5(mosquitto, "").keepAlive(Duration.ofSeconds(60)).sessionExpiryInterval(300)
                .receiveMaximum(10).topicAliasMaximum(5).requestResponseInformation(true)
                .userProperty("site", "lab").userProperty("site", "annex").packetTracer(trace).build();
        resources.add(client);

        ConnectResult result = client.connect().join();

        Connect connect = (Connect) trace.sent().get(0);
        assertThat(connect.clientId()).isEmpty();
        assertThat(connect.cleanStart()).isTrue();
        assertThat(connect.keepAlive()).isEqualTo(60);
        assertThat(connect.properties().all()).containsExactly(
                Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 300), Property.of(PropertyId.RECEIVE_MAXIMUM, 10),
                Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, 5), Property.of(PropertyId.REQUEST_RESPONSE_INFORMATION, 1),
                Property.user("site", "lab"), Property.user("site", "annex"));

        String assigned = result.assignedClientIdentifier().orElseThrow();
        assertThat(assigned).matches("auto-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}");
        assertThat(client.clientId()).isEqualTo(assigned);
        assertThat(result.sessionPresent()).isFalse();
        assertThat(result.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        // Mosquitto takes the session expiry as asked (no property back) and has no Response Information
        assertThat(result.properties().all()).containsExactlyInAnyOrder(
                Property.of(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, assigned), Property.of(PropertyId.SERVER_KEEP_ALIVE, 10),
                Property.of(PropertyId.MAXIMUM_QOS, 1), Property.of(PropertyId.RETAIN_AVAILABLE, 0),
                Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 200), Property.of(PropertyId.RECEIVE_MAXIMUM, 2),
                Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, 3));
        assertThat(result.serverKeepAlive()).hasValue(10);
        assertThat(result.maximumQos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(result.retainAvailable()).isFalse();
        assertThat(result.maximumPacketSize()).hasValue(200);
        assertThat(result.receiveMaximum()).isEqualTo(2);
        assertThat(result.topicAliasMaximum()).isEqualTo(3);
        assertThat(result.sessionExpiryInterval()).isEmpty();
        assertThat(result.responseInformation()).isEmpty();
        assertThat(result.wildcardSubscriptionAvailable()).isTrue();
        assertThat(result.sharedSubscriptionAvailable()).isTrue();
        assertThat(result.subscriptionIdentifiersAvailable()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-21] [MQTT-3.1.2-20] the client pings at Mosquitto's Server Keep Alive of 10 s, not the 60 s it asked for")
    void serverKeepAlive() throws Exception {
        MosquittoBroker mosquitto = mosquitto("max_keepalive 10");
        Trace trace = new Trace();
        MqttClient client = connected(v5(mosquitto, "idle").keepAlive(Duration.ofSeconds(60)).packetTracer(trace));

        await("PINGREQ and PINGRESP").atMost(Duration.ofSeconds(15)).until(() -> trace.received().size() == 2);
        Trace.Event connack = trace.events().get(1);
        Trace.Event ping = trace.events().get(2);
        assertThat(connack.packet()).isInstanceOf(ConnAck.class);
        assertThat(((ConnAck) connack.packet()).properties().integer(PropertyId.SERVER_KEEP_ALIVE)).hasValue(10);
        assertThat(ping.packet()).isInstanceOf(PingReq.class);
        assertThat(ping.sent()).isTrue();
        // nothing read or written for the 10 s the server imposes, rather than the 60 s asked for
        assertThat(Duration.ofNanos(ping.nanos() - connack.nanos())).isBetween(Duration.ofMillis(9_900), Duration.ofMillis(11_000));
        assertThat(trace.received().get(1)).isInstanceOf(PingResp.class);
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-11] [MQTT-3.2.2-14] [MQTT-3.2.2-15] Maximum QoS 1, Retain Available 0 and Maximum Packet Size 200: refused in the client, nothing sent")
    void serverLimitsRefusedLocally() throws Exception {
        MosquittoBroker mosquitto = mosquitto("max_qos 1", "retain_available false", "max_packet_size 200");
        Trace trace = new Trace();
        MqttClient client = connected(v5(mosquitto, "limited").packetTracer(trace));
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        connected(v5(mosquitto, "watcher")).subscribe("lim/#", QoS.AT_LEAST_ONCE, received::add).join();

        assertRefused(client.publish("lim/q2", new byte[1], QoS.EXACTLY_ONCE, false), ReasonCode.QOS_NOT_SUPPORTED);
        assertRefused(client.publish("lim/kept", new byte[1], QoS.AT_LEAST_ONCE, true), ReasonCode.RETAIN_NOT_SUPPORTED);
        assertRefused(client.publish("lim/kept", new byte[1], QoS.AT_MOST_ONCE, true), ReasonCode.RETAIN_NOT_SUPPORTED);
        // a QoS 1 PUBLISH to lim/big with a Topic Alias (Mosquitto offers 10): 1 byte of type and flags,
        // 2 of remaining length, topic 2 + 7, packet id 2, properties 1 + 3: 18 bytes besides the payload
        assertRefused(client.publish("lim/big", new byte[183], QoS.AT_LEAST_ONCE, false), ReasonCode.PACKET_TOO_LARGE);
        assertThat(client.publish("lim/big", new byte[182], QoS.AT_LEAST_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        // once aliased, the topic goes as an empty string: 7 bytes less, so 7 more bytes of payload fit
        assertThat(client.publish("lim/big", new byte[189], QoS.AT_LEAST_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        assertRefused(client.publish("lim/big", new byte[190], QoS.AT_LEAST_ONCE, false), ReasonCode.PACKET_TOO_LARGE);

        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).extracting(MqttMessage::topic, m -> m.payload().length)
                .containsExactly(tuple("lim/big", 182), tuple("lim/big", 189));
        // Mosquitto compares remaining length + 1 with its limit, so it would take 2 bytes more: the
        // exact limit is the client's own arithmetic
        assertThat(trace.sentPublishes()).extracting(e -> ((Publish) e.packet()).topic(), Trace.Event::payloadSize)
                .containsExactly(tuple("lim/big", 182), tuple("", 189));
        assertThat(client.isConnected()).isTrue();
    }

    private static void assertRefused(CompletableFuture<PublishResult> publish, ReasonCode code) {
        assertThatThrownBy(publish::join).hasCauseInstanceOf(ServerLimitException.class)
                .cause().satisfies(e -> assertThat(((ServerLimitException) e).reasonCode()).isEqualTo(code));
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] Receive Maximum 2 (max_inflight_messages 2): never more than 2 QoS 1 and 2 PUBLISHes unacknowledged")
    void receiveMaximum() throws Exception {
        MosquittoBroker mosquitto = mosquitto("max_inflight_messages 2");
        Trace trace = new Trace();
        MqttClient client = v5(mosquitto, "eager").maxInflight(100).packetTracer(trace).build();
        resources.add(client);
        // queued before the connection, so that the CONNACK opens the window onto all of them at once
        List<CompletableFuture<PublishResult>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(client.publish("rm/" + i, new byte[] {(byte) i}, i % 2 == 0 ? QoS.AT_LEAST_ONCE : QoS.EXACTLY_ONCE, false));
        }
        assertThat(client.connect().join().receiveMaximum()).isEqualTo(2);
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);

        Set<Integer> unacknowledged = new HashSet<>();
        int most = 0;
        for (Trace.Event e : trace.events()) {
            if (e.packet() instanceof Publish p && e.sent()) {
                assertThat(unacknowledged.add(p.packetId())).isTrue();
            } else if (e.packet() instanceof PubAck a && !e.sent()) {
                unacknowledged.remove(a.packetId());
            } else if (e.packet() instanceof PubComp c && !e.sent()) {
                unacknowledged.remove(c.packetId());
            }
            most = Math.max(most, unacknowledged.size());
        }
        assertThat(most).isEqualTo(2);
        assertThat(unacknowledged).isEmpty();
        assertThat(trace.sent(Publish.class)).hasSize(20);
        // the window filled at once: two PUBLISHes went out before the first answer came back
        assertThat(trace.events().subList(2, 5)).extracting(Trace.Event::sent).containsExactly(true, true, false);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-17] [MQTT-3.3.2-9] [MQTT-3.3.2-12] Topic Alias Maximum 2: the client's aliases, reassigned least recently used; the subscriber sees every topic")
    void outboundTopicAliases() throws Exception {
        MosquittoBroker mosquitto = mosquitto("max_topic_alias 2");
        Trace subscriberTrace = new Trace();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        connected(v5(mosquitto, "reader").topicAliasMaximum(10).packetTracer(subscriberTrace))
                .subscribe("alias/#", QoS.AT_LEAST_ONCE, received::add).join();
        Trace trace = new Trace();
        MqttClient publisher = connected(v5(mosquitto, "writer").packetTracer(trace));

        List<String> topics = List.of("alias/a", "alias/b", "alias/a", "alias/c", "alias/b", "alias/c");
        for (int i = 0; i < topics.size(); i++) {
            assertThat(publisher.publish(topics.get(i), ("m" + i).getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join().reasonCode())
                    .isEqualTo(ReasonCode.SUCCESS);
        }

        assertThat(trace.sent(Publish.class)).extracting(Publish::topic, p -> p.properties().integer(PropertyId.TOPIC_ALIAS).orElse(0))
                .containsExactly(tuple("alias/a", 1L), tuple("alias/b", 2L), tuple("", 1L),
                        tuple("alias/c", 2L), tuple("alias/b", 1L), tuple("", 2L));
        await().atMost(WAIT).until(() -> received.size() == 6);
        assertThat(received).extracting(MqttMessage::topic, MqttMessage::payloadAsString).containsExactly(
                tuple("alias/a", "m0"), tuple("alias/b", "m1"), tuple("alias/a", "m2"),
                tuple("alias/c", "m3"), tuple("alias/b", "m4"), tuple("alias/c", "m5"));
        assertThat(received).allSatisfy(m -> assertThat(m.properties().contains(PropertyId.TOPIC_ALIAS)).isFalse());
        // Mosquitto 2.0 sends no topic aliases of its own, though the subscriber offered 10
        assertThat(subscriberTrace.received(Publish.class)).hasSize(6)
                .allSatisfy(p -> assertThat(p.properties().contains(PropertyId.TOPIC_ALIAS)).isFalse());
    }

    @Test
    @DisplayName("PUBACK 0x10 No matching subscribers at QoS 1; at QoS 2 Mosquitto routes at PUBREL and answers 0x00; success with a subscriber")
    void publishReasonCodes() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        Trace trace = new Trace();
        MqttClient client = connected(v5(mosquitto, "rc").packetTracer(trace));

        assertThat(client.publish("rc/none", new byte[1], QoS.AT_LEAST_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(client.publish("rc/none", new byte[1], QoS.EXACTLY_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        assertThat(trace.received(PubAck.class)).extracting(PubAck::reasonCode).containsExactly(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        assertThat(trace.received(PubRec.class)).extracting(PubRec::reasonCode).containsExactly(ReasonCode.SUCCESS);
        assertThat(trace.received(PubComp.class)).extracting(PubComp::reasonCode).containsExactly(ReasonCode.SUCCESS);

        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        connected(v5(mosquitto, "rc-sub")).subscribe("rc/some", QoS.EXACTLY_ONCE, received::add).join();
        for (QoS qos : QoS.values()) {
            PublishResult result = client.publish("rc/some", new byte[] {(byte) qos.value()}, qos, false).join();
            assertThat(result.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(result.properties()).isEqualTo(Properties.EMPTY);
        }
        await().atMost(WAIT).until(() -> received.size() == 3);
        assertThat(received).extracting(MqttMessage::qos).containsExactly(QoS.values());
    }

    @Test
    @DisplayName("[MQTT-3.3.2-4] [MQTT-3.3.2-6] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20] [MQTT-3.3.4-3] [MQTT-3.3.4-5] message properties through Mosquitto")
    void messageProperties() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MessageListener listener = received::add; // one listener: each copy Mosquitto sends is delivered once
        MqttClient subscriber = connected(v5(mosquitto, "props-sub"));
        subscriber.subscribe(List.of(new Subscription("props/#", QoS.EXACTLY_ONCE)),
                Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 7)), listener).join();
        subscriber.subscribe(List.of(new Subscription("props/+/x", QoS.AT_LEAST_ONCE)),
                Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 268_435_455)), listener).join();
        MqttClient publisher = connected(v5(mosquitto, "props-pub"));
        byte[] correlation = {0, 1, (byte) 0xFF, 'c'};

        MqttMessage sent = MqttMessage.builder("props/a").payload("{\"t\":21.5}").qos(QoS.EXACTLY_ONCE)
                .messageExpiry(Duration.ofSeconds(120)).payloadIsUtf8(true).contentType("application/json")
                .responseTopic("props/replies").correlationData(correlation)
                .userProperty("k", "2").userProperty("a", "1").userProperty("k", "1").build();
        publisher.publish(sent).join();
        publisher.publish(MqttMessage.builder("props/b/x").payload("plain").qos(QoS.AT_LEAST_ONCE).build()).join();

        await().atMost(WAIT).until(() -> received.size() == 3);
        MqttMessage first = received.get(0);
        assertThat(first.topic()).isEqualTo("props/a");
        assertThat(first.payloadAsString()).isEqualTo("{\"t\":21.5}");
        assertThat(first.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        // what is left of 120 s: Mosquitto counts in whole seconds, so 119 if a second boundary passed
        assertThat(first.messageExpiryInterval().orElseThrow()).isBetween(119L, 120L);
        assertThat(first.payloadIsUtf8()).isTrue();
        assertThat(first.contentType()).hasValue("application/json");
        assertThat(first.responseTopic()).hasValue("props/replies");
        assertThat(first.correlationData()).hasValueSatisfying(c -> assertThat(c).containsExactly(correlation));
        assertThat(first.userProperties()).containsExactly(
                new UserProperty("k", "2"), new UserProperty("a", "1"), new UserProperty("k", "1"));
        assertThat(first.subscriptionIdentifiers()).containsExactly(7L);

        // a message matching both subscriptions: Mosquitto sends one copy per subscription, each with
        // its own identifier [MQTT-3.3.4-5], rather than one copy with both [MQTT-3.3.4-4]
        assertThat(received.subList(1, 3)).allSatisfy(m -> {
            assertThat(m.topic()).isEqualTo("props/b/x");
            assertThat(m.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(m.properties().all()).hasSize(1);
        });
        assertThat(received.subList(1, 3)).extracting(MqttMessage::subscriptionIdentifiers)
                .containsExactlyInAnyOrder(List.of(7L), List.of(268_435_455L));
        await("no further copy").during(QUIET).atMost(WAIT).until(() -> received.size() == 3);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-15] [MQTT-3.3.2-16] request/response through Mosquitto: respond() answers request() on its response topic with its correlation data")
    void requestResponse() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        List<MqttMessage> requests = new CopyOnWriteArrayList<>();
        MqttClient responder = connected(v5(mosquitto, "responder"));
        assertThat(responder.respond("rr/echo", request -> {
            requests.add(request);
            return ("echo:" + request.payloadAsString()).getBytes(UTF_8);
        }).join().reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1);
        MqttClient requester = v5(mosquitto, "asker").requestResponseInformation(true).build();
        resources.add(requester);
        // Mosquitto gives no Response Information: the client's own response topic is used
        assertThat(requester.connect().join().responseInformation()).isEmpty();

        MqttMessage response = requester.request("rr/echo", "ping".getBytes(UTF_8), WAIT).get(10, TimeUnit.SECONDS);
        assertThat(response.topic()).isEqualTo("starling/responses/asker");
        assertThat(response.payloadAsString()).isEqualTo("echo:ping");
        assertThat(response.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        MqttMessage request = requests.get(0);
        assertThat(request.responseTopic()).hasValue("starling/responses/asker");
        assertThat(new String(request.correlationData().orElseThrow(), UTF_8))
                .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(response.correlationData().orElseThrow()).containsExactly(request.correlationData().orElseThrow());

        MqttMessage own = MqttMessage.builder("rr/echo").payload("pong").qos(QoS.EXACTLY_ONCE)
                .responseTopic("rr/replies/asker").correlationData(new byte[] {1, 2, 3}).userProperty("trace", "t1").build();
        MqttMessage answer = requester.request(own, WAIT).get(10, TimeUnit.SECONDS);
        assertThat(answer.topic()).isEqualTo("rr/replies/asker");
        assertThat(answer.payloadAsString()).isEqualTo("echo:pong");
        // respond() subscribes at QoS 1, so the QoS 2 request arrives, and is answered, at QoS 1
        assertThat(requests.get(1).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(answer.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(answer.correlationData().orElseThrow()).containsExactly(1, 2, 3);
        assertThat(requests.get(1).userProperties()).containsExactly(new UserProperty("trace", "t1"));

        assertThatThrownBy(() -> requester.request("rr/nobody", new byte[0], Duration.ofMillis(300)).join())
                .cause().isInstanceOf(RequestTimeoutException.class);
    }

    /** The packets a client sent and received, in wire order, as its {@link PacketTracer} saw them. */
    static final class Trace implements PacketTracer {
        /** One packet; a PUBLISH's payload is released after the call, so its size is kept here. */
        record Event(boolean sent, Packet packet, long nanos, int payloadSize) {}

        private final List<Event> events = new CopyOnWriteArrayList<>();

        @Override
        public void sent(Packet packet) {
            events.add(new Event(true, packet, System.nanoTime(), payloadSize(packet)));
        }

        @Override
        public void received(Packet packet) {
            events.add(new Event(false, packet, System.nanoTime(), payloadSize(packet)));
        }

        private static int payloadSize(Packet packet) {
            return packet instanceof Publish p ? p.payload().readableBytes() : 0;
        }

        List<Event> events() {
            return List.copyOf(events);
        }

        /** The PUBLISH packets sent, with their payload sizes. */
        List<Event> sentPublishes() {
            return events.stream().filter(e -> e.sent() && e.packet() instanceof Publish).toList();
        }

        List<Packet> sent() {
            return packets(Event::sent);
        }

        List<Packet> received() {
            return packets(e -> !e.sent());
        }

        <T extends Packet> List<T> sent(Class<T> type) {
            return sent().stream().filter(type::isInstance).map(type::cast).toList();
        }

        <T extends Packet> List<T> received(Class<T> type) {
            return received().stream().filter(type::isInstance).map(type::cast).toList();
        }

        private List<Packet> packets(Predicate<Event> which) {
            return events.stream().filter(which).map(Event::packet).toList();
        }
    }
}
