package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckRestrictions;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.pubrec.Mqtt5PubRecReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5RetainHandling;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.starling.it.WireTap.WirePublish;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HiveMQ MQTT client (com.hivemq:hivemq-mqtt-client 1.3.10) in MQTT 5.0 mode, async API,
 * against an embedded broker, with its 3.1.1 mode for the mixed-version tests. Where the client
 * hides what went over the wire (topic aliases), the test puts a {@link WireTap} between client and
 * broker and reads the packets themselves; the tap also cuts a connection the way a network fails,
 * for the wills. Every test uses its own topics and client identifiers, so that the retained
 * messages and sessions one test leaves in the shared broker cannot reach another.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HiveMqMqtt5InteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(10);
    /** How long a test watches for a message that must not come. */
    private static final Duration QUIET = Duration.ofMillis(300);

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /** Disconnected after each test, newest first. */
    private final List<Runnable> cleanups = new ArrayList<>();

    @AfterEach
    void disconnectClients() {
        Collections.reverse(cleanups);
        for (Runnable cleanup : cleanups) {
            try {
                cleanup.run();
            } catch (RuntimeException e) {
                // the test has its verdict; a client that fails to disconnect does not change it
            }
        }
        cleanups.clear();
    }

    // ---- connecting ----

    @Test
    @DisplayName("[MQTT-3.2.2-16] CONNACK as the HiveMQ client reads it: an assigned client identifier and what the broker offers")
    void connAck() throws Exception {
        Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5()
                .serverHost(EmbeddedBroker.HOST).serverPort(broker.port()).buildAsync(); // no identifier
        cleanups.add(() -> disconnect(client));
        Mqtt5ConnAck connAck = done(client.connectWith().cleanStart(true).keepAlive(30).send());

        assertThat(connAck.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connAck.isSessionPresent()).isFalse();
        assertThat(connAck.getAssignedClientIdentifier()).hasValueSatisfying(
                id -> assertThat(id.toString()).startsWith("starling-"));
        assertThat(client.getConfig().getClientIdentifier().map(Object::toString))
                .isEqualTo(connAck.getAssignedClientIdentifier().map(Object::toString));
        assertThat(connAck.getServerKeepAlive()).as("keep alive 30 s is within max_keepalive").isEmpty();
        assertThat(connAck.getSessionExpiryInterval()).as("0 asked, 0 used: not repeated").isEmpty();
        Mqtt5ConnAckRestrictions offered = connAck.getRestrictions();
        assertThat(offered.getTopicAliasMaximum()).isEqualTo(10);
        assertThat(offered.getReceiveMaximum()).isEqualTo(65535);
        assertThat(offered.getMaximumPacketSize()).isEqualTo(1024 * 1024);
        assertThat(offered.getMaximumQos()).isEqualTo(MqttQos.EXACTLY_ONCE);
        assertThat(offered.isRetainAvailable()).isTrue();
        assertThat(offered.isWildcardSubscriptionAvailable()).isTrue();
        assertThat(offered.isSharedSubscriptionAvailable()).isTrue();
        assertThat(offered.areSubscriptionIdentifiersAvailable()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] take-over: the first connection gets DISCONNECT 0x8E (Session taken over) before it is closed")
    void takeOverDisconnect() throws Exception {
        String clientId = "hivemq5-takeover";
        List<MqttClientDisconnectedContext> firstDisconnects = Collections.synchronizedList(new ArrayList<>());
        Mqtt5AsyncClient first = client(clientId, new Inbox(), firstDisconnects::add, broker.port());
        done(first.connectWith().cleanStart(true).keepAlive(30).send());

        Inbox secondInbox = new Inbox();
        Mqtt5AsyncClient second = client(clientId, secondInbox, context -> {}, broker.port());
        done(second.connectWith().cleanStart(true).keepAlive(30).send());

        await("first client disconnected").atMost(WAIT).pollInterval(POLL).until(() -> !firstDisconnects.isEmpty());
        MqttClientDisconnectedContext context = firstDisconnects.get(0);
        assertThat(context.getSource()).isEqualTo(MqttDisconnectSource.SERVER);
        assertThat(context.getCause()).isInstanceOfSatisfying(Mqtt5DisconnectException.class,
                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER));
        assertThat(first.getState()).isEqualTo(MqttClientState.DISCONNECTED);
        assertThat(second.getState()).isEqualTo(MqttClientState.CONNECTED);
    }

    // ---- properties and reason codes ----

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    @DisplayName("[MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20] request and response: every property arrives unchanged, user properties in order")
    void propertiesRequestResponse(int qos) throws Exception {
        String requests = "hivemq5/props/q" + qos + "/request";
        String responses = "hivemq5/props/q" + qos + "/response";
        byte[] correlation = {0x00, (byte) 0xFF, 0x10, (byte) 0x80};   // binary, not text

        // the responder answers each request on its Response Topic, with its Correlation Data
        Mqtt5AsyncClient responder = connected("hivemq5-props-responder-q" + qos, new Inbox());
        Inbox requestsSeen = new Inbox();
        responder.publishes(MqttGlobalPublishFilter.ALL, requestsSeen);
        responder.publishes(MqttGlobalPublishFilter.ALL, request -> responder.publishWith()
                .topic(request.getResponseTopic().orElseThrow())
                .qos(request.getQos())
                .correlationData(request.getCorrelationData().orElseThrow())
                .payload(("re: " + new String(request.getPayloadAsBytes(), UTF_8)).getBytes(UTF_8))
                .send());
        subscribe(responder, Mqtt5Subscription.builder().topicFilter(requests).qos(qos(qos)).build());
        Inbox answers = new Inbox();
        Mqtt5AsyncClient requester = connected("hivemq5-props-requester-q" + qos, answers);
        subscribe(requester, Mqtt5Subscription.builder().topicFilter(responses).qos(qos(qos)).build());

        done(requester.publishWith().topic(requests).qos(qos(qos))
                .payload("ping".getBytes(UTF_8))
                .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
                .contentType("text/plain; charset=utf-8")
                .responseTopic(responses)
                .correlationData(correlation)
                .messageExpiryInterval(3600)
                .userProperties().add("k", "2").add("a", "1").add("k", "1").add("ünï", "çödé").applyUserProperties()
                .send());

        answers.awaitPayload("re: ping");
        Mqtt5Publish request = requestsSeen.snapshot().get(0).v5();
        assertThat(request.getTopic().toString()).isEqualTo(requests);
        assertThat(request.getQos().getCode()).isEqualTo(qos);
        assertThat(request.getPayloadFormatIndicator()).hasValue(Mqtt5PayloadFormatIndicator.UTF_8);
        assertThat(request.getContentType().map(Object::toString)).hasValue("text/plain; charset=utf-8");
        assertThat(request.getResponseTopic().map(Object::toString)).hasValue(responses);
        assertThat(request.getCorrelationData().map(HiveMqMqtt5InteropTest::bytes)).hasValueSatisfying(
                data -> assertThat(data).containsExactly(correlation));
        // [MQTT-3.3.2-6] the interval left, rounded up: the message waited less than a second
        assertThat(secondsLeft(request)).isBetween(3590L, 3600L);
        assertThat(userProperties(request)).containsExactly(
                tuple("k", "2"), tuple("a", "1"), tuple("k", "1"), tuple("ünï", "çödé"));
        assertThat(requestsSeen.snapshot()).hasSize(1);

        Mqtt5Publish answer = answers.snapshot().get(0).v5();
        assertThat(answer.getTopic().toString()).isEqualTo(responses);
        assertThat(answer.getCorrelationData().map(HiveMqMqtt5InteropTest::bytes)).hasValueSatisfying(
                data -> assertThat(data).containsExactly(correlation));
        assertThat(answer.getContentType()).isEmpty();
        assertThat(answer.getResponseTopic()).isEmpty();
        assertThat(answer.getPayloadFormatIndicator()).isEmpty();
        assertThat(answer.getMessageExpiryInterval()).isEmpty();
        assertThat(answer.getUserProperties().asList()).isEmpty();
        assertThat(answers.snapshot()).hasSize(1);
    }

    @Test
    @DisplayName("(3.4.2.1, 3.5.2.1) PUBACK and PUBREC carry 0x10 No matching subscribers when nothing subscribed, 0x00 when something did")
    void noMatchingSubscribers() throws Exception {
        String topic = "hivemq5/nomatch/t";
        Mqtt5AsyncClient publisher = connected("hivemq5-nomatch-pub", new Inbox());

        Mqtt5PublishResult qos1 = done(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {1}).send());
        assertThat(qos1).isInstanceOfSatisfying(Mqtt5PublishResult.Mqtt5Qos1Result.class,
                r -> assertThat(r.getPubAck().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS));
        Mqtt5PublishResult qos2 = done(publisher.publishWith().topic(topic).qos(MqttQos.EXACTLY_ONCE).payload(new byte[] {2}).send());
        assertThat(qos2).isInstanceOfSatisfying(Mqtt5PublishResult.Mqtt5Qos2Result.class,
                r -> assertThat(r.getPubRec().getReasonCode()).isEqualTo(Mqtt5PubRecReasonCode.NO_MATCHING_SUBSCRIBERS));

        Inbox inbox = new Inbox();
        subscribe(connected("hivemq5-nomatch-sub", inbox), Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).build());
        qos1 = done(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(new byte[] {3}).send());
        assertThat(qos1).isInstanceOfSatisfying(Mqtt5PublishResult.Mqtt5Qos1Result.class,
                r -> assertThat(r.getPubAck().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS));
        qos2 = done(publisher.publishWith().topic(topic).qos(MqttQos.EXACTLY_ONCE).payload(new byte[] {4}).send());
        assertThat(qos2).isInstanceOfSatisfying(Mqtt5PublishResult.Mqtt5Qos2Result.class,
                r -> assertThat(r.getPubRec().getReasonCode()).isEqualTo(Mqtt5PubRecReasonCode.SUCCESS));
        await("2 messages").atMost(WAIT).pollInterval(POLL).until(() -> inbox.size() >= 2);
        assertThat(inbox.snapshot()).extracting(r -> r.payload()[0], Received::qos).containsExactly(tuple((byte) 3, 1), tuple((byte) 4, 2));
    }

    // ---- topic aliases ----

    @Test
    @DisplayName("[MQTT-3.3.2-8] [MQTT-3.3.2-11] topic aliases to a client with Topic Alias Maximum 2: on the wire as documented, resolved by the client")
    void topicAliasesToTheClient() throws Exception {
        String a = "hivemq5/alias/out/a";
        String b = "hivemq5/alias/out/b";
        String c = "hivemq5/alias/out/c";
        try (WireTap tap = WireTap.inFrontOf(broker.port())) {
            Inbox inbox = new Inbox();
            Mqtt5AsyncClient subscriber = client("hivemq5-alias-out-sub", inbox, context -> {}, tap.port());
            done(subscriber.connectWith().cleanStart(true).keepAlive(30)
                    .restrictions().topicAliasMaximum(2).applyRestrictions().send());
            subscribe(subscriber, Mqtt5Subscription.builder().topicFilter("hivemq5/alias/out/#").qos(MqttQos.AT_LEAST_ONCE).build());
            Mqtt5AsyncClient publisher = connected("hivemq5-alias-out-pub", new Inbox());

            List<String> topics = List.of(a, a, b, b, c, c, a);
            for (int i = 0; i < topics.size(); i++) {
                publish(publisher, topics.get(i), Integer.toString(i + 1), 1);
            }

            inbox.awaitPayload("7");
            assertThat(inbox.snapshot()).extracting(Received::topic, Received::text).containsExactly(
                    tuple(a, "1"), tuple(a, "2"), tuple(b, "3"), tuple(b, "4"), tuple(c, "5"), tuple(c, "6"), tuple(a, "7"));
            // a topic gets a free alias the first time; then the least recently used topic's alias is reused
            assertThat(WireTap.publishesToClient(tap.toClient(0))).containsExactly(
                    WirePublish.of(a, 1, "1"),
                    WirePublish.of("", 1, "2"),
                    WirePublish.of(b, 2, "3"),
                    WirePublish.of("", 2, "4"),
                    WirePublish.of(c, 1, "5"),    // a was used least recently: c takes alias 1
                    WirePublish.of("", 1, "6"),
                    WirePublish.of(a, 2, "7"));   // b now least recently used: a takes alias 2
            disconnect(subscriber);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-12] the HiveMQ client sends topic aliases of its own (the broker offers 10); the broker resolves them")
    void topicAliasesFromTheClient() throws Exception {
        String x = "hivemq5/alias/in/x";
        String y = "hivemq5/alias/in/y";
        Inbox inbox = new Inbox();
        subscribe(connected("hivemq5-alias-in-sub", inbox), Mqtt5Subscription.builder().topicFilter("hivemq5/alias/in/#").qos(MqttQos.AT_LEAST_ONCE).build());
        try (WireTap tap = WireTap.inFrontOf(broker.port())) {
            Mqtt5AsyncClient publisher = client("hivemq5-alias-in-pub", new Inbox(), context -> {}, tap.port());
            done(publisher.connectWith().cleanStart(true).keepAlive(30).send());

            List<String> topics = List.of(x, y, x, y, x);
            for (int i = 0; i < topics.size(); i++) {
                publish(publisher, topics.get(i), Integer.toString(i + 1), 1);
            }

            inbox.awaitPayload("5");
            assertThat(WireTap.publishesFromClient(tap.fromClient(0))).as("what the HiveMQ client sent").containsExactly(
                    WirePublish.of(x, 1, "1"),
                    WirePublish.of(y, 2, "2"),
                    WirePublish.of("", 1, "3"),
                    WirePublish.of("", 2, "4"),
                    WirePublish.of("", 1, "5"));
            assertThat(inbox.snapshot()).extracting(Received::topic, Received::text).containsExactly(
                    tuple(x, "1"), tuple(y, "2"), tuple(x, "3"), tuple(y, "4"), tuple(x, "5"));
            disconnect(publisher);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.2-7] aliases end with the connection: a resumed session re-sends its unacknowledged messages (DUP 1) and queued ones with the topic again")
    void topicAliasesAfterReconnect() throws Exception {
        String clientId = "hivemq5-alias-resume";
        String topic = "hivemq5/alias/resume/t";
        Mqtt5AsyncClient publisher = connected("hivemq5-alias-resume-pub", new Inbox());
        try (WireTap tap = WireTap.inFrontOf(broker.port())) {
            ManualAcks held = new ManualAcks();   // never acknowledged: in flight when the network fails
            Mqtt5AsyncClient first = MqttClient.builder().useMqttVersion5().identifier(clientId)
                    .serverHost(EmbeddedBroker.HOST).serverPort(tap.port()).buildAsync();
            first.publishes(MqttGlobalPublishFilter.ALL, held, true);
            cleanups.add(() -> disconnect(first));
            done(first.connectWith().cleanStart(true).sessionExpiryInterval(60).keepAlive(30)
                    .restrictions().topicAliasMaximum(5).applyRestrictions().send());
            subscribe(first, Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());
            publish(publisher, topic, "1", 1);
            publish(publisher, topic, "2", 1);
            await("2 messages held").atMost(WAIT).pollInterval(POLL).until(() -> held.size() >= 2);
            tap.cutAll();
            broker.awaitOffline(clientId);
            publish(publisher, topic, "3", 1);   // queued for the offline session

            Inbox inbox = new Inbox();
            Mqtt5AsyncClient again = client(clientId, inbox, context -> {}, tap.port());
            Mqtt5ConnAck connAck = done(again.connectWith().cleanStart(false).sessionExpiryInterval(60).keepAlive(30)
                    .restrictions().topicAliasMaximum(5).applyRestrictions().send());
            assertThat(connAck.isSessionPresent()).isTrue();
            inbox.awaitPayload("3");

            assertThat(inbox.snapshot()).extracting(Received::topic, Received::text)
                    .containsExactly(tuple(topic, "1"), tuple(topic, "2"), tuple(topic, "3"));
            assertThat(WireTap.publishesToClient(tap.toClient(0))).as("first connection").containsExactly(
                    WirePublish.of(topic, 1, "1"),
                    WirePublish.of("", 1, "2"));
            // [MQTT-4.4.0-1] [MQTT-3.3.1-1] re-sent with DUP 1; the alias is set again on the new connection, by the first PUBLISH
            assertThat(WireTap.publishesToClient(tap.toClient(1))).as("second connection").containsExactly(
                    WirePublish.dup(topic, 1, "1"),
                    WirePublish.dup("", 1, "2"),
                    WirePublish.of("", 1, "3"));
            disconnect(again);
        }
    }

    // ---- shared subscriptions ----

    @Test
    @DisplayName("(4.8.2) $share/{group}/{filter} between two 5.0 clients: each message goes to one member, round robin; a plain subscriber gets all")
    void sharedSubscription() throws Exception {
        String topic = "hivemq5/shared/jobs";
        String shared = "$share/hivemq5-workers/" + topic;
        Inbox first = new Inbox();
        subscribe(connected("hivemq5-shared-1", first), Mqtt5Subscription.builder().topicFilter(shared).qos(MqttQos.AT_LEAST_ONCE).build());
        Inbox second = new Inbox();
        subscribe(connected("hivemq5-shared-2", second), Mqtt5Subscription.builder().topicFilter(shared).qos(MqttQos.AT_LEAST_ONCE).build());
        Inbox everything = new Inbox();
        subscribe(connected("hivemq5-shared-all", everything), Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());

        assertSharedRoundRobin(topic, connected("hivemq5-shared-pub", new Inbox()), first, second, everything);
    }

    @Test
    @DisplayName("(4.8.2) a shared group with a 5.0 member (HiveMQ Mqtt5) and a 3.1.1 member (HiveMQ Mqtt3): round robin across versions")
    void sharedSubscriptionAcrossVersions() throws Exception {
        String topic = "hivemq5/shared-mixed/jobs";
        String shared = "$share/hivemq5-mixed/" + topic;
        Inbox v5 = new Inbox();
        subscribe(connected("hivemq5-shared-mixed-5", v5), Mqtt5Subscription.builder().topicFilter(shared).qos(MqttQos.AT_LEAST_ONCE).build());
        Inbox v3 = new Inbox();
        Mqtt3AsyncClient member3 = connected3("hivemq5-shared-mixed-3", v3);
        done(member3.subscribeWith().topicFilter(shared).qos(MqttQos.AT_LEAST_ONCE).send());
        Inbox everything = new Inbox();
        subscribe(connected("hivemq5-shared-mixed-all", everything), Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());

        assertSharedRoundRobin(topic, connected("hivemq5-shared-mixed-pub", new Inbox()), v5, v3, everything);
        assertThat(v3.snapshot()).allSatisfy(r -> assertThat(r.publish()).as("a 3.1.1 delivery").isNull());
    }

    /** Publishes 20 QoS 1 messages one by one and checks that the two members took turns. */
    private static void assertSharedRoundRobin(String topic, Mqtt5AsyncClient publisher, Inbox first, Inbox second,
            Inbox everything) throws Exception {
        int count = 20;
        for (int i = 0; i < count; i++) {
            publish(publisher, topic, Integer.toString(i), 1);
        }
        everything.awaitPayload(Integer.toString(count - 1));
        await("all " + count + " shared").atMost(WAIT).pollInterval(POLL).until(() -> first.size() + second.size() >= count);
        assertThat(everything.snapshot()).extracting(Received::text)
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(Integer::toString).toList());
        await("no message twice").during(QUIET).atMost(WAIT).until(() -> first.size() + second.size() == count);

        List<Integer> toFirst = first.snapshot().stream().map(r -> Integer.parseInt(r.text())).toList();
        List<Integer> toSecond = second.snapshot().stream().map(r -> Integer.parseInt(r.text())).toList();
        assertThat(toFirst).as("first member").hasSize(count / 2).isSorted();
        assertThat(toSecond).as("second member").hasSize(count / 2).isSorted();
        Set<Integer> union = new HashSet<>(toFirst);
        union.addAll(toSecond);
        assertThat(union).as("each message once, to one member").hasSize(count);
        // round robin: one member gets the even messages, the other the odd ones
        int parity = toFirst.get(0) % 2;
        assertThat(toFirst).allSatisfy(i -> assertThat(i % 2).isEqualTo(parity));
        assertThat(first.snapshot()).extracting(Received::topic, Received::qos).containsOnly(tuple(topic, 1));
        assertThat(second.snapshot()).extracting(Received::topic, Received::qos).containsOnly(tuple(topic, 1));
    }

    // ---- sessions ----

    @Test
    @DisplayName("[MQTT-3.1.2-23] [MQTT-3.2.2-2] Session Expiry Interval 60: the session outlives the connection and is resumed, session present, queued messages in order")
    void sessionExpiryResume() throws Exception {
        String clientId = "hivemq5-session";
        String topic = "hivemq5/session/q";
        Mqtt5AsyncClient first = client(clientId, new Inbox(), context -> {}, broker.port());
        Mqtt5ConnAck firstConnAck = done(first.connectWith().cleanStart(true).sessionExpiryInterval(60).keepAlive(30).send());
        assertThat(firstConnAck.isSessionPresent()).isFalse();
        assertThat(firstConnAck.getSessionExpiryInterval()).as("60 s is not capped: not repeated").isEmpty();
        subscribe(first, Mqtt5Subscription.builder().topicFilter(topic + "/#").qos(MqttQos.EXACTLY_ONCE).build());
        done(first.disconnect());
        broker.awaitOffline(clientId);

        Mqtt5AsyncClient publisher = connected("hivemq5-session-pub", new Inbox());
        for (int i = 1; i <= 3; i++) {
            publish(publisher, topic + "/1", "q1 " + i, 1);
            publish(publisher, topic + "/2", "q2 " + i, 2);
        }

        Inbox inbox = new Inbox();
        Mqtt5AsyncClient again = client(clientId, inbox, context -> {}, broker.port());
        Mqtt5ConnAck connAck = done(again.connectWith().cleanStart(false).sessionExpiryInterval(60).keepAlive(30).send());
        assertThat(connAck.isSessionPresent()).isTrue();
        inbox.awaitPayload("q2 3");
        publish(publisher, topic + "/1", "live", 1);   // the subscription survived without a new SUBSCRIBE
        inbox.awaitPayload("live");
        assertThat(inbox.snapshot()).extracting(Received::text, Received::qos).containsExactly(
                tuple("q1 1", 1), tuple("q2 1", 2), tuple("q1 2", 1), tuple("q2 2", 2), tuple("q1 3", 1), tuple("q2 3", 2),
                tuple("live", 1));
    }

    @Test
    @DisplayName("[MQTT-4.1.0-2] a session ends when its Session Expiry Interval (1 s) has passed, or at once when DISCONNECT sets it to 0")
    void sessionExpiryEnds() throws Exception {
        String clientId = "hivemq5-session-ends";
        Mqtt5AsyncClient brief = client(clientId, new Inbox(), context -> {}, broker.port());
        done(brief.connectWith().cleanStart(true).sessionExpiryInterval(1).keepAlive(30).send());
        subscribe(brief, Mqtt5Subscription.builder().topicFilter("hivemq5/session-ends/t").qos(MqttQos.AT_LEAST_ONCE).build());
        done(brief.disconnect());
        broker.awaitSessionGone(clientId);   // within 10 s; expiry is 1 s

        Mqtt5AsyncClient again = client(clientId, new Inbox(), context -> {}, broker.port());
        Mqtt5ConnAck connAck = done(again.connectWith().cleanStart(false).sessionExpiryInterval(600).keepAlive(30).send());
        assertThat(connAck.isSessionPresent()).as("[MQTT-3.2.2-3] the session expired").isFalse();
        // (3.14.2.2.2) DISCONNECT may lower a non-zero interval to 0: the session ends with the connection
        done(again.disconnectWith().sessionExpiryInterval(0).send());
        broker.awaitSessionGone(clientId);
        Mqtt5AsyncClient last = client(clientId, new Inbox(), context -> {}, broker.port());
        assertThat(done(last.connectWith().cleanStart(false).sessionExpiryInterval(600).keepAlive(30).send()).isSessionPresent()).isFalse();
        done(last.disconnectWith().sessionExpiryInterval(0).send());
    }

    // ---- wills ----

    @Test
    @DisplayName("[MQTT-3.1.2-8] a will with Will Delay Interval 1 s is published, with its properties, no sooner than 1 s after the network failed")
    void willDelay() throws Exception {
        String topic = "hivemq5/will/delayed";
        Inbox watcher = new Inbox();
        subscribe(connected("hivemq5-will-delayed-watcher", watcher), Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());
        try (WireTap tap = WireTap.inFrontOf(broker.port())) {
            Mqtt5AsyncClient dying = client("hivemq5-will-delayed", new Inbox(), context -> {}, tap.port());
            done(dying.connectWith().cleanStart(true).sessionExpiryInterval(60).keepAlive(30)
                    .willPublish().topic(topic).payload("gone".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                    .delayInterval(1).contentType("text/plain").userProperties().add("why", "network").applyUserProperties()
                    .applyWillPublish()
                    .send());

            long cut = System.nanoTime();
            tap.cutAll();

            watcher.awaitPayload("gone");
            Received will = watcher.snapshot().get(0);
            assertThat(Duration.ofNanos(will.arrivedNanos() - cut)).as("delay between the cut and the will")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(will.v5().getContentType().map(Object::toString)).hasValue("text/plain");
            assertThat(userProperties(will.v5())).containsExactly(tuple("why", "network"));
            assertThat(watcher.snapshot()).extracting(Received::topic, Received::qos, Received::retained)
                    .containsExactly(tuple(topic, 1, false));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-9] a client that reconnects to its session within the Will Delay Interval cancels the will")
    void willCancelledByReconnect() throws Exception {
        String clientId = "hivemq5-will-back";
        String topic = "hivemq5/will/back";
        Inbox watcher = new Inbox();
        Mqtt5AsyncClient watching = connected("hivemq5-will-back-watcher", watcher);
        subscribe(watching, Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());
        try (WireTap tap = WireTap.inFrontOf(broker.port())) {
            Mqtt5AsyncClient dying = client(clientId, new Inbox(), context -> {}, tap.port());
            done(dying.connectWith().cleanStart(true).sessionExpiryInterval(60).keepAlive(30)
                    .willPublish().topic(topic).payload("should not be sent".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                    .delayInterval(2).applyWillPublish()
                    .send());
            tap.cutAll();
            broker.awaitOffline(clientId);
        }

        Mqtt5AsyncClient back = client(clientId, new Inbox(), context -> {}, broker.port());
        Mqtt5ConnAck connAck = done(back.connectWith().cleanStart(false).sessionExpiryInterval(60).keepAlive(30).send());
        assertThat(connAck.isSessionPresent()).as("back within the delay, to the same session").isTrue();
        // past the 2 s delay: no will
        await("no will during 2.5 s").during(Duration.ofMillis(2500)).atMost(WAIT).until(() -> watcher.size() == 0);
        // nor when the session ends, which would publish a will still pending
        done(back.disconnectWith().sessionExpiryInterval(0).send());
        broker.awaitSessionGone(clientId);
        publish(watching, topic, "marker", 1);
        watcher.awaitPayload("marker");
        assertThat(watcher.snapshot()).extracting(Received::text).containsExactly("marker");
    }

    // ---- message expiry ----

    @Test
    @DisplayName("[MQTT-3.3.2-5] a message that expires while its subscriber is offline is not delivered, nor an expired retained one; [MQTT-3.3.2-6] others carry the interval left")
    void messageExpiry() throws Exception {
        String clientId = "hivemq5-expiry-sub";
        String topic = "hivemq5/expiry/t";
        Mqtt5AsyncClient first = client(clientId, new Inbox(), context -> {}, broker.port());
        done(first.connectWith().cleanStart(true).sessionExpiryInterval(60).keepAlive(30).send());
        subscribe(first, Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());
        done(first.disconnect());
        broker.awaitOffline(clientId);

        long expiredBefore = broker.broker().metrics().messagesExpired.sum();
        Mqtt5AsyncClient publisher = connected("hivemq5-expiry-pub", new Inbox());
        done(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload("short".getBytes(UTF_8)).messageExpiryInterval(1).send());
        done(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload("long".getBytes(UTF_8)).messageExpiryInterval(60).send());
        done(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload("forever".getBytes(UTF_8)).send());
        done(publisher.publishWith().topic(topic + "/retained").qos(MqttQos.AT_LEAST_ONCE).retain(true)
                .payload("retained short".getBytes(UTF_8)).messageExpiryInterval(1).send());
        // past the short one's expiry, measured by the broker's clock, not by a sleep here
        await("1.2 s").pollDelay(Duration.ofMillis(1200)).atMost(WAIT).until(() -> true);

        Inbox inbox = new Inbox();
        Mqtt5AsyncClient again = client(clientId, inbox, context -> {}, broker.port());
        assertThat(done(again.connectWith().cleanStart(false).sessionExpiryInterval(60).keepAlive(30).send()).isSessionPresent()).isTrue();
        inbox.awaitPayload("forever");
        publish(publisher, topic, "after", 1);
        inbox.awaitPayload("after");

        assertThat(inbox.snapshot()).extracting(Received::text).containsExactly("long", "forever", "after");
        Mqtt5Publish longLived = inbox.snapshot().get(0).v5();
        assertThat(secondsLeft(longLived)).as("sent with 60 s, waited 1.2 s: rounded up, at most 59").isBetween(50L, 59L);
        assertThat(inbox.snapshot().get(1).v5().getMessageExpiryInterval()).isEmpty();
        assertThat(broker.broker().metrics().messagesExpired.sum() - expiredBefore).as("messagesExpired").isEqualTo(1);

        // (3.3.2.3.3) an expired retained message is not sent to a new subscription
        Inbox late = new Inbox();
        Mqtt5AsyncClient lateClient = connected("hivemq5-expiry-late", late);
        subscribe(lateClient, Mqtt5Subscription.builder().topicFilter(topic + "/retained").qos(MqttQos.AT_LEAST_ONCE).build());
        publish(publisher, topic + "/retained", "live", 1);
        late.awaitPayload("live");
        assertThat(late.snapshot()).extracting(Received::text, Received::retained).containsExactly(tuple("live", false));
    }

    // ---- flow control ----

    @Test
    @DisplayName("[MQTT-3.3.4-9] Receive Maximum 3: no more than 3 unacknowledged QoS 1 messages towards the client; 200 arrive, all, in order")
    void receiveMaximum() throws Exception {
        String topic = "hivemq5/flow/seq";
        int receiveMaximum = 3;
        int count = 200;
        ManualAcks acks = new ManualAcks();
        List<MqttClientDisconnectedContext> disconnects = Collections.synchronizedList(new ArrayList<>());
        Mqtt5AsyncClient subscriber = MqttClient.builder().useMqttVersion5().identifier("hivemq5-flow-sub")
                .serverHost(EmbeddedBroker.HOST).serverPort(broker.port())
                .addDisconnectedListener(disconnects::add)
                .buildAsync();
        subscriber.publishes(MqttGlobalPublishFilter.ALL, acks, true);   // manual acknowledgement
        cleanups.add(() -> disconnect(subscriber));
        done(subscriber.connectWith().cleanStart(true).keepAlive(30)
                .restrictions().receiveMaximum(receiveMaximum).applyRestrictions().send());
        subscribe(subscriber, Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());

        Mqtt5AsyncClient publisher = connected("hivemq5-flow-pub", new Inbox());
        List<CompletableFuture<Mqtt5PublishResult>> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sent.add(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(Integer.toString(i).getBytes(UTF_8)).send());
        }
        done(CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)));

        // nothing acknowledged: the broker stops at the client's Receive Maximum
        await("3 in flight").atMost(WAIT).pollInterval(POLL).until(() -> acks.size() >= receiveMaximum);
        await("still 3 in flight").during(QUIET).atMost(WAIT).until(() -> acks.size() == receiveMaximum);
        // one acknowledged: one more comes, and no other
        acks.acknowledge(0);
        await("4th message").atMost(WAIT).pollInterval(POLL).until(() -> acks.size() >= receiveMaximum + 1);
        await("still 3 in flight").during(QUIET).atMost(WAIT).until(() -> acks.size() == receiveMaximum + 1);

        acks.acknowledgeAllFromNowOn();
        await("subscriber received " + count).atMost(WAIT).pollInterval(POLL).until(() -> acks.size() >= count);
        assertThat(acks.payloads()).containsExactlyElementsOf(IntStream.range(0, count).mapToObj(Integer::toString).toList());
        assertThat(disconnects).as("the client never saw its Receive Maximum exceeded (it disconnects with 0x93)").isEmpty();
        assertThat(subscriber.getState()).isEqualTo(MqttClientState.CONNECTED);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-24] [MQTT-3.1.2-25] Maximum Packet Size 256: a larger message is not sent to the client, and the ones after it are")
    void maximumPacketSize() throws Exception {
        String topic = "hivemq5/maxpacket/t";
        long tooLargeBefore = broker.broker().metrics().messagesTooLarge.sum();
        Inbox inbox = new Inbox();
        List<MqttClientDisconnectedContext> disconnects = Collections.synchronizedList(new ArrayList<>());
        Mqtt5AsyncClient subscriber = client("hivemq5-maxpacket-sub", inbox, disconnects::add, broker.port());
        done(subscriber.connectWith().cleanStart(true).keepAlive(30)
                .restrictions().maximumPacketSize(256).applyRestrictions().send());
        subscribe(subscriber, Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());
        Mqtt5AsyncClient publisher = connected("hivemq5-maxpacket-pub", new Inbox());

        publish(publisher, topic, "small 1", 1);
        publish(publisher, topic, "x".repeat(300), 1);   // 300 bytes of payload alone: more than 256
        publish(publisher, topic, "small 2", 1);

        inbox.awaitPayload("small 2");
        assertThat(inbox.snapshot()).extracting(Received::text).containsExactly("small 1", "small 2");
        assertThat(broker.broker().metrics().messagesTooLarge.sum() - tooLargeBefore).as("messagesTooLarge").isEqualTo(1);
        assertThat(disconnects).as("the client never got a packet above its maximum (it disconnects with 0x95)").isEmpty();
    }

    // ---- subscription options ----

    @Test
    @DisplayName("[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] Retain Handling 0 sends retained messages on every SUBSCRIBE, 1 only for a new subscription, 2 never")
    void retainHandling() throws Exception {
        String topic = "hivemq5/retain-handling/lamp";
        Mqtt5AsyncClient publisher = connected("hivemq5-rh-pub", new Inbox());
        publish(publisher, topic, "kept", 1, true);

        Inbox always = new Inbox();
        Mqtt5AsyncClient alwaysClient = connected("hivemq5-rh-0", always);
        subscribe(alwaysClient, retainHandling(topic, Mqtt5RetainHandling.SEND));
        always.awaitPayload("kept");
        Inbox ifNew = new Inbox();
        Mqtt5AsyncClient ifNewClient = connected("hivemq5-rh-1", ifNew);
        subscribe(ifNewClient, retainHandling(topic, Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST));
        ifNew.awaitPayload("kept");
        Inbox never = new Inbox();
        subscribe(connected("hivemq5-rh-2", never), retainHandling(topic, Mqtt5RetainHandling.DO_NOT_SEND));

        // subscribing again: 0 sends the retained message again [MQTT-3.8.4-3], 1 does not
        subscribe(alwaysClient, retainHandling(topic, Mqtt5RetainHandling.SEND));
        subscribe(ifNewClient, retainHandling(topic, Mqtt5RetainHandling.SEND_IF_SUBSCRIPTION_DOES_NOT_EXIST));
        publish(publisher, topic, "live", 1, false);

        always.awaitPayload("live");
        ifNew.awaitPayload("live");
        never.awaitPayload("live");
        assertThat(always.snapshot()).extracting(Received::text, Received::retained)
                .containsExactly(tuple("kept", true), tuple("kept", true), tuple("live", false));
        assertThat(ifNew.snapshot()).extracting(Received::text, Received::retained)
                .containsExactly(tuple("kept", true), tuple("live", false));
        assertThat(never.snapshot()).extracting(Received::text, Received::retained)
                .containsExactly(tuple("live", false));
    }

    @Test
    @DisplayName("[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published keeps the RETAIN flag of live messages; without it they arrive with RETAIN 0")
    void retainAsPublished() throws Exception {
        String topic = "hivemq5/rap/state";
        Inbox asPublished = new Inbox();
        subscribe(connected("hivemq5-rap-1", asPublished), Mqtt5Subscription.builder().topicFilter(topic)
                .qos(MqttQos.AT_LEAST_ONCE).retainAsPublished(true).build());
        Inbox plain = new Inbox();
        subscribe(connected("hivemq5-rap-0", plain), Mqtt5Subscription.builder().topicFilter(topic)
                .qos(MqttQos.AT_LEAST_ONCE).build());
        Mqtt5AsyncClient publisher = connected("hivemq5-rap-pub", new Inbox());

        publish(publisher, topic, "retained", 1, true);
        publish(publisher, topic, "plain", 1, false);

        asPublished.awaitPayload("plain");
        plain.awaitPayload("plain");
        assertThat(asPublished.snapshot()).extracting(Received::text, Received::retained)
                .containsExactly(tuple("retained", true), tuple("plain", false));
        assertThat(plain.snapshot()).extracting(Received::text, Received::retained)
                .containsExactly(tuple("retained", false), tuple("plain", false));
        publish(publisher, topic, "", 1, true); // leaves no retained message behind
    }

    @Test
    @DisplayName("[MQTT-3.8.3-3] No Local: a client's own messages do not come back to it; other clients' do")
    void noLocal() throws Exception {
        String topic = "hivemq5/nolocal/chat";
        Inbox self = new Inbox();
        Mqtt5AsyncClient talker = connected("hivemq5-nolocal-talker", self);
        subscribe(talker, Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).noLocal(true).build());
        Inbox listener = new Inbox();
        Mqtt5AsyncClient other = connected("hivemq5-nolocal-other", listener);
        subscribe(other, Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).build());

        publish(talker, topic, "own", 1);
        publish(other, topic, "from the other", 1);

        listener.awaitPayload("from the other");
        self.awaitPayload("from the other");
        assertThat(listener.snapshot()).extracting(Received::text).containsExactly("own", "from the other");
        assertThat(self.snapshot()).extracting(Received::text).containsExactly("from the other");
    }

    // ---- mixed versions ----

    @Test
    @DisplayName("a 3.1.1 publisher (HiveMQ Mqtt3) to a 5.0 subscriber: the message arrives with no properties")
    void from311To5() throws Exception {
        String topic = "hivemq5/mixed/up";
        Inbox inbox = new Inbox();
        subscribe(connected("hivemq5-mixed-up-sub", inbox), Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).build());
        Mqtt3AsyncClient publisher = connected3("hivemq5-mixed-up-pub", new Inbox());

        for (int qos = 0; qos <= 2; qos++) {
            done(publisher.publishWith().topic(topic).qos(qos(qos)).payload(("from 3.1.1 at " + qos).getBytes(UTF_8)).send());
        }

        inbox.awaitPayload("from 3.1.1 at 2");
        assertThat(inbox.snapshot()).extracting(Received::text, Received::qos, Received::retained).containsExactly(
                tuple("from 3.1.1 at 0", 0, false), tuple("from 3.1.1 at 1", 1, false), tuple("from 3.1.1 at 2", 2, false));
        assertThat(inbox.snapshot()).allSatisfy(r -> {
            Mqtt5Publish p = r.v5();
            assertThat(p.getUserProperties().asList()).isEmpty();
            assertThat(p.getContentType()).isEmpty();
            assertThat(p.getResponseTopic()).isEmpty();
            assertThat(p.getCorrelationData()).isEmpty();
            assertThat(p.getMessageExpiryInterval()).isEmpty();
            assertThat(p.getPayloadFormatIndicator()).isEmpty();
        });
    }

    @Test
    @DisplayName("a 5.0 publisher with properties to a 3.1.1 subscriber (HiveMQ Mqtt3): payload, QoS and RETAIN arrive; retained, the properties stay for 5.0 subscribers")
    void from5To311() throws Exception {
        String topic = "hivemq5/mixed/down";
        Inbox v3 = new Inbox();
        Mqtt3AsyncClient subscriber = connected3("hivemq5-mixed-down-sub", v3);
        done(subscriber.subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send());
        Mqtt5AsyncClient publisher = connected("hivemq5-mixed-down-pub", new Inbox());

        for (int qos = 0; qos <= 2; qos++) {
            done(publisher.publishWith().topic(topic).qos(qos(qos)).payload(("from 5.0 at " + qos).getBytes(UTF_8))
                    .contentType("text/plain").responseTopic("hivemq5/mixed/reply").correlationData(new byte[] {7})
                    .messageExpiryInterval(600).userProperties().add("k", "v").applyUserProperties()
                    .retain(qos == 2)
                    .send());
        }

        v3.awaitPayload("from 5.0 at 2");
        assertThat(v3.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained).containsExactly(
                tuple(topic, "from 5.0 at 0", 0, false), tuple(topic, "from 5.0 at 1", 1, false), tuple(topic, "from 5.0 at 2", 2, false));

        // the retained copy: to a new 3.1.1 subscriber plainly, to a new 5.0 subscriber with its properties
        Inbox lateV3 = new Inbox();
        done(connected3("hivemq5-mixed-down-late3", lateV3).subscribeWith().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).send());
        lateV3.awaitPayload("from 5.0 at 2");
        assertThat(lateV3.snapshot()).extracting(Received::text, Received::qos, Received::retained)
                .containsExactly(tuple("from 5.0 at 2", 2, true));
        Inbox lateV5 = new Inbox();
        subscribe(connected("hivemq5-mixed-down-late5", lateV5), Mqtt5Subscription.builder().topicFilter(topic).qos(MqttQos.EXACTLY_ONCE).build());
        lateV5.awaitPayload("from 5.0 at 2");
        Mqtt5Publish retained = lateV5.snapshot().get(0).v5();
        assertThat(retained.isRetain()).isTrue();
        assertThat(retained.getContentType().map(Object::toString)).hasValue("text/plain");
        assertThat(retained.getResponseTopic().map(Object::toString)).hasValue("hivemq5/mixed/reply");
        assertThat(retained.getCorrelationData().map(HiveMqMqtt5InteropTest::bytes)).hasValueSatisfying(d -> assertThat(d).containsExactly(7));
        assertThat(userProperties(retained)).containsExactly(tuple("k", "v"));
        assertThat(secondsLeft(retained)).isBetween(590L, 600L);
        done(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).retain(true).send()); // clears it
    }

    // ---- helpers ----

    /**
     * A 5.0 client that hands every PUBLISH it receives to {@code inbox}, registered before it
     * connects, so that messages a resumed session sends right after CONNACK are not missed.
     */
    private Mqtt5AsyncClient client(String clientId, Inbox inbox, Consumer<MqttClientDisconnectedContext> disconnected, int port) {
        Mqtt5AsyncClient client = MqttClient.builder()
                .useMqttVersion5()
                .identifier(clientId)
                .serverHost(EmbeddedBroker.HOST)
                .serverPort(port)
                .addDisconnectedListener(disconnected::accept)
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, inbox);
        cleanups.add(() -> disconnect(client));
        return client;
    }

    /** A 5.0 client connected with Clean Start 1 and no session expiry. */
    private Mqtt5AsyncClient connected(String clientId, Inbox inbox) throws Exception {
        Mqtt5AsyncClient client = client(clientId, inbox, context -> {}, broker.port());
        Mqtt5ConnAck connAck = done(client.connectWith().cleanStart(true).keepAlive(30).send());
        assertThat(connAck.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connAck.isSessionPresent()).as("[MQTT-3.2.2-2] clean start").isFalse();
        return client;
    }

    /** A 3.1.1 client connected with a clean session; what it receives goes to {@code inbox}. */
    private Mqtt3AsyncClient connected3(String clientId, Inbox inbox) throws Exception {
        Mqtt3AsyncClient client = MqttClient.builder()
                .useMqttVersion3()
                .identifier(clientId)
                .serverHost(EmbeddedBroker.HOST)
                .serverPort(broker.port())
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, inbox.v3());
        cleanups.add(() -> {
            if (client.getState().isConnectedOrReconnect()) {
                try {
                    done(client.disconnect());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        assertThat(done(client.connectWith().cleanSession(true).keepAlive(30).send()).isSessionPresent()).isFalse();
        return client;
    }

    private static void disconnect(Mqtt5AsyncClient client) {
        if (client.getState().isConnectedOrReconnect()) {
            try {
                done(client.disconnect());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Mqtt5SubAck subscribe(Mqtt5AsyncClient client, Mqtt5Subscription subscription) throws Exception {
        Mqtt5SubAck subAck = done(client.subscribe(Mqtt5Subscribe.builder().addSubscription(subscription).build()));
        Mqtt5SubAckReasonCode granted = switch (subscription.getQos()) {
            case AT_MOST_ONCE -> Mqtt5SubAckReasonCode.GRANTED_QOS_0;
            case AT_LEAST_ONCE -> Mqtt5SubAckReasonCode.GRANTED_QOS_1;
            case EXACTLY_ONCE -> Mqtt5SubAckReasonCode.GRANTED_QOS_2;
        };
        assertThat(subAck.getReasonCodes()).containsExactly(granted);
        return subAck;
    }

    private static Mqtt5Subscription retainHandling(String filter, Mqtt5RetainHandling handling) {
        return Mqtt5Subscription.builder().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).retainHandling(handling).build();
    }

    /** Publishes and waits for the flow to complete: sent (QoS 0), PUBACK (QoS 1) or PUBCOMP (QoS 2). */
    private static void publish(Mqtt5AsyncClient client, String topic, String payload, int qos) throws Exception {
        publish(client, topic, payload, qos, false);
    }

    private static void publish(Mqtt5AsyncClient client, String topic, String payload, int qos, boolean retain) throws Exception {
        Mqtt5PublishResult result = done(client.publishWith().topic(topic).qos(qos(qos)).retain(retain)
                .payload(payload.getBytes(UTF_8)).send());
        assertThat(result.getError()).isEmpty();
    }

    private static MqttQos qos(int code) {
        MqttQos qos = MqttQos.fromCode(code);
        if (qos == null) {
            throw new IllegalArgumentException("QoS " + code);
        }
        return qos;
    }

    private static <T> T done(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The Message Expiry Interval of a message that must have one. */
    private static long secondsLeft(Mqtt5Publish publish) {
        assertThat(publish.getMessageExpiryInterval()).as("Message Expiry Interval").isPresent();
        return publish.getMessageExpiryInterval().getAsLong();
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    private static List<org.assertj.core.groups.Tuple> userProperties(Mqtt5Publish publish) {
        return publish.getUserProperties().asList().stream()
                .map(p -> tuple(p.getName().toString(), p.getValue().toString()))
                .toList();
    }

    /**
     * A message as the HiveMQ client handed it to the application, and when (System.nanoTime).
     * {@code publish} is the 5.0 message with its properties; null for a 3.1.1 client's.
     */
    record Received(String topic, byte[] payload, int qos, boolean retained, @Nullable Mqtt5Publish publish, long arrivedNanos) {
        String text() {
            return new String(payload, UTF_8);
        }

        /** The 5.0 message with its properties. */
        Mqtt5Publish v5() {
            if (publish == null) {
                throw new IllegalStateException("a 3.1.1 delivery has no 5.0 properties");
            }
            return publish;
        }
    }

    /** Collects what a client receives, in order. */
    static final class Inbox implements Consumer<Mqtt5Publish> {
        private final List<Received> messages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void accept(Mqtt5Publish publish) {
            messages.add(new Received(publish.getTopic().toString(), publish.getPayloadAsBytes(),
                    publish.getQos().getCode(), publish.isRetain(), publish, System.nanoTime()));
        }

        /** The same inbox, for a 3.1.1 client. */
        Consumer<Mqtt3Publish> v3() {
            return publish -> messages.add(new Received(publish.getTopic().toString(), publish.getPayloadAsBytes(),
                    publish.getQos().getCode(), publish.isRetain(), null, System.nanoTime()));
        }

        int size() {
            return messages.size();
        }

        List<Received> snapshot() {
            synchronized (messages) {
                return List.copyOf(messages);
            }
        }

        /** Waits until a message with this UTF-8 payload has arrived. */
        void awaitPayload(String payload) {
            byte[] expected = payload.getBytes(UTF_8);
            await("message '" + payload + "'").atMost(WAIT).pollInterval(POLL)
                    .until(() -> snapshot().stream().anyMatch(r -> Arrays.equals(r.payload(), expected)));
        }
    }

    /** Holds QoS 1 messages unacknowledged until the test lets them go. */
    static final class ManualAcks implements Consumer<Mqtt5Publish> {
        private final List<Mqtt5Publish> received = new ArrayList<>();
        private final Set<Integer> acknowledged = new HashSet<>();
        private boolean acknowledgeAll;

        @Override
        public synchronized void accept(Mqtt5Publish publish) {
            received.add(publish);
            if (acknowledgeAll) {
                acknowledge(received.size() - 1);
            }
        }

        synchronized int size() {
            return received.size();
        }

        synchronized void acknowledge(int index) {
            if (acknowledged.add(index)) {
                received.get(index).acknowledge();
            }
        }

        /** Acknowledges what is held, and every message that arrives from now on. */
        synchronized void acknowledgeAllFromNowOn() {
            acknowledgeAll = true;
            for (int i = 0; i < received.size(); i++) {
                acknowledge(i);
            }
        }

        synchronized List<String> payloads() {
            return received.stream().map(p -> new String(p.getPayloadAsBytes(), UTF_8)).toList();
        }
    }
}
