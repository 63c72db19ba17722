package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttClientState;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedListener;
import com.hivemq.client.mqtt.lifecycle.MqttDisconnectSource;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAck;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HiveMQ MQTT client (com.hivemq:hivemq-mqtt-client 1.3.10, MQTT 3.1.1 through
 * {@code useMqttVersion3()}, async API) against an embedded broker. The HiveMQ client does not
 * speak MQTT 3.1, and hides the DUP flag from the application. Every test uses its own topics and
 * client identifiers, so that the retained messages and persistent sessions one test leaves in the
 * shared broker cannot reach another.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HiveMqClientInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(10);

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /** Disconnected after each test, newest first. */
    private final List<Mqtt3AsyncClient> clients = new ArrayList<>();

    @AfterEach
    void disconnectClients() {
        Collections.reverse(clients);
        for (Mqtt3AsyncClient client : clients) {
            if (client.getState().isConnectedOrReconnect()) {
                try {
                    client.disconnect().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    // the test has its verdict; a client that fails to disconnect does not change it
                }
            }
        }
        clients.clear();
    }

    // ---- publish / subscribe ----

    @ParameterizedTest(name = "published at QoS {0}, granted QoS {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0", "2,1", "2,2"})
    @DisplayName("[MQTT-3.8.4-6] [MQTT-3.3.1-9] each message arrives once, bytes intact, at min(published, granted) QoS, RETAIN 0")
    void publishSubscribe(int publishedQos, int grantedQos) throws Exception {
        String topic = "hivemq/qos/p" + publishedQos + "g" + grantedQos;
        Inbox inbox = new Inbox();
        Mqtt3AsyncClient subscriber = connected("hivemq-qos-sub-p" + publishedQos + "g" + grantedQos, inbox);
        Mqtt3SubAck subAck = subscribe(subscriber, topic, grantedQos);
        assertThat(subAck.getReturnCodes()).extracting(Mqtt3SubAckReturnCode::getCode).containsExactly(grantedQos);
        Mqtt3AsyncClient publisher = connected("hivemq-qos-pub-p" + publishedQos + "g" + grantedQos, new Inbox());

        byte[][] payloads = {
            {0x00, (byte) 0xFF, 0x7F, (byte) 0x80, 0x0A},      // bytes that text handling would mangle
            {},                                                // an empty payload
            "message 3".getBytes(UTF_8),
            "last".getBytes(UTF_8)};                           // the last: all before it have arrived with it
        for (byte[] payload : payloads) {
            publish(publisher, topic, payload, publishedQos, false);
        }

        inbox.awaitPayload("last");
        int expectedQos = Math.min(publishedQos, grantedQos);
        List<Received> received = inbox.snapshot();
        assertThat(received).hasSize(payloads.length);
        for (int i = 0; i < payloads.length; i++) {
            assertThat(received.get(i).payload()).as("payload %d", i).containsExactly(payloads[i]);
        }
        assertThat(received).extracting(Received::topic, Received::qos, Received::retained)
                .containsOnly(tuple(topic, expectedQos, false));
    }

    @Test
    @DisplayName("(4.7.1.2, 4.7.1.3) '+' matches exactly one level, '#' any number of levels including the parent")
    void wildcards() throws Exception {
        Inbox single = new Inbox();
        subscribe(connected("hivemq-wild-plus", single), "hivemq/wild/+/temp", 1);
        Inbox multi = new Inbox();
        subscribe(connected("hivemq-wild-hash", multi), "hivemq/wild/#", 1);
        Mqtt3AsyncClient publisher = connected("hivemq-wild-pub", new Inbox());

        List<String> topics = List.of(
                "hivemq/wild/kitchen/temp",       // + and #
                "hivemq/wild/hall/temp",          // + and #
                "hivemq/wild/kitchen/humidity",   // # only
                "hivemq/wild/kitchen/shelf/temp", // # only: + is one level
                "hivemq/wild",                    // # only: # includes the parent level
                "hivemq/wild//temp",              // + and #: + matches an empty level
                "hivemq/other/kitchen/temp",      // neither
                "hivemq/wild/end/temp");          // + and #, sent last
        for (String topic : topics) {
            publish(publisher, topic, topic.getBytes(UTF_8), 1, false);
        }

        single.awaitPayload("hivemq/wild/end/temp");
        multi.awaitPayload("hivemq/wild/end/temp");
        assertThat(single.snapshot()).extracting(Received::topic).containsExactly(
                "hivemq/wild/kitchen/temp", "hivemq/wild/hall/temp", "hivemq/wild//temp", "hivemq/wild/end/temp");
        assertThat(multi.snapshot()).extracting(Received::topic).containsExactly(
                "hivemq/wild/kitchen/temp", "hivemq/wild/hall/temp", "hivemq/wild/kitchen/humidity",
                "hivemq/wild/kitchen/shelf/temp", "hivemq/wild", "hivemq/wild//temp", "hivemq/wild/end/temp");
        assertThat(multi.snapshot()).allSatisfy(r -> assertThat(r.text()).isEqualTo(r.topic()));
    }

    // ---- retained messages ----

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8..11] retained: sent with RETAIN 1 on subscribe, replaced, cleared by an empty payload")
    void retainedMessages() throws Exception {
        String topic = "hivemq/retained/lamp";
        Mqtt3AsyncClient publisher = connected("hivemq-retained-pub", new Inbox());
        publish(publisher, topic, "on".getBytes(UTF_8), 1, true);

        // a new subscription gets the retained message, RETAIN 1, at min(stored QoS 1, granted 2)
        Inbox live = new Inbox();
        subscribe(connected("hivemq-retained-live", live), topic, 2);
        live.awaitPayload("on");

        // a newer retained message replaces it; the subscriber already there gets it with RETAIN 0
        publish(publisher, topic, "off".getBytes(UTF_8), 1, true);
        live.awaitPayload("off");
        Inbox late = new Inbox();
        subscribe(connected("hivemq-retained-late", late), topic, 2);
        late.awaitPayload("off");
        publish(publisher, topic, "live".getBytes(UTF_8), 1, false);
        late.awaitPayload("live");
        assertThat(late.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(tuple(topic, "off", 1, true), tuple(topic, "live", 1, false));

        // an empty retained message is delivered as usual and deletes the retained message
        publish(publisher, topic, new byte[0], 1, true);
        live.awaitPayload("");
        Inbox afterClear = new Inbox();
        subscribe(connected("hivemq-retained-after-clear", afterClear), topic, 2);
        publish(publisher, topic, "after clear".getBytes(UTF_8), 1, false);
        afterClear.awaitPayload("after clear");
        assertThat(afterClear.snapshot()).extracting(Received::text, Received::retained)
                .containsExactly(tuple("after clear", false));

        live.awaitPayload("after clear");
        assertThat(live.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(
                        tuple(topic, "on", 1, true),
                        tuple(topic, "off", 1, false),
                        tuple(topic, "live", 1, false),
                        tuple(topic, "", 1, false),
                        tuple(topic, "after clear", 1, false));
    }

    // ---- will ----

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will is published when a connection is reset without DISCONNECT")
    void willOnConnectionReset() throws Exception {
        String topic = "hivemq/will/reset";
        Inbox inbox = new Inbox();
        subscribe(connected("hivemq-will-reset-sub", inbox), topic, 2);

        broker.connectWithWillThenDie("hivemq-will-reset-dying", topic, "gone".getBytes(UTF_8), 1);

        inbox.awaitPayload("gone");
        publish(connected("hivemq-will-reset-pub", new Inbox()), topic, "after".getBytes(UTF_8), 1, false);
        inbox.awaitPayload("after");
        assertThat(inbox.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(tuple(topic, "gone", 1, false), tuple(topic, "after", 1, false));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-10] [MQTT-3.14.4-3] a client that sends DISCONNECT does not trigger its will")
    void noWillAfterDisconnect() throws Exception {
        String topic = "hivemq/will/disconnect";
        Inbox inbox = new Inbox();
        subscribe(connected("hivemq-will-disconnect-sub", inbox), topic, 2);
        Mqtt3AsyncClient leaving = client("hivemq-will-disconnect-leaving", new Inbox(), context -> {});
        Mqtt3ConnAck connAck = done(leaving.connectWith()
                .cleanSession(true)
                .keepAlive(30)
                .willPublish().topic(topic).payload("should not be sent".getBytes(UTF_8)).qos(MqttQos.AT_LEAST_ONCE)
                .applyWillPublish()
                .send());
        assertThat(connAck.getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);

        done(leaving.disconnect());
        broker.awaitSessionGone("hivemq-will-disconnect-leaving"); // a will would have been routed by now

        publish(connected("hivemq-will-disconnect-pub", new Inbox()), topic, "marker".getBytes(UTF_8), 1, false);
        inbox.awaitPayload("marker");
        assertThat(inbox.snapshot()).extracting(Received::text).containsExactly("marker");
    }

    // ---- sessions ----

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.2.2-2] a persistent session gets, on reconnect, every message published while it was offline, once")
    void persistentSessionRedelivery(int qos) throws Exception {
        String clientId = "hivemq-persistent-q" + qos;
        String topic = "hivemq/persistent/q" + qos;
        Mqtt3AsyncClient first = client(clientId, new Inbox(), context -> {});
        Mqtt3ConnAck firstConnAck = done(first.connectWith().cleanSession(false).keepAlive(30).send());
        assertThat(firstConnAck.isSessionPresent()).as("[MQTT-3.2.2-3] no session yet").isFalse();
        assertThat(subscribe(first, topic, qos).getReturnCodes()).extracting(Mqtt3SubAckReturnCode::getCode)
                .containsExactly(qos);
        done(first.disconnect());

        Mqtt3AsyncClient publisher = connected("hivemq-persistent-pub-q" + qos, new Inbox());
        List<String> offline = List.of("offline 1", "offline 2", "offline 3", "offline 4", "offline 5");
        for (String payload : offline) {
            publish(publisher, topic, payload.getBytes(UTF_8), qos, false);
        }

        Inbox inbox = new Inbox();
        Mqtt3AsyncClient again = client(clientId, inbox, context -> {});
        Mqtt3ConnAck connAck = done(again.connectWith().cleanSession(false).keepAlive(30).send());
        assertThat(connAck.isSessionPresent()).isTrue();
        inbox.awaitPayload("offline 5");
        publish(publisher, topic, "online".getBytes(UTF_8), qos, false);
        inbox.awaitPayload("online");

        assertThat(inbox.snapshot()).extracting(Received::text)
                .containsExactly("offline 1", "offline 2", "offline 3", "offline 4", "offline 5", "online");
        assertThat(inbox.snapshot()).extracting(Received::topic, Received::qos, Received::retained)
                .containsOnly(tuple(topic, qos, false));
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] a second connection with the same client id disconnects the first and works")
    void takeOver() throws Exception {
        String clientId = "hivemq-takeover";
        String topic = "hivemq/takeover/data";
        List<MqttDisconnectSource> firstDisconnects = Collections.synchronizedList(new ArrayList<>());
        Inbox firstInbox = new Inbox();
        Mqtt3AsyncClient first = client(clientId, firstInbox, context -> firstDisconnects.add(context.getSource()));
        done(first.connectWith().cleanSession(true).keepAlive(30).send());

        List<MqttDisconnectSource> secondDisconnects = Collections.synchronizedList(new ArrayList<>());
        Inbox secondInbox = new Inbox();
        Mqtt3AsyncClient second = client(clientId, secondInbox, context -> secondDisconnects.add(context.getSource()));
        done(second.connectWith().cleanSession(true).keepAlive(30).send());

        await("first client disconnected").atMost(WAIT).pollInterval(POLL).until(() -> !firstDisconnects.isEmpty());
        assertThat(firstDisconnects).containsExactly(MqttDisconnectSource.SERVER);
        assertThat(first.getState()).isEqualTo(MqttClientState.DISCONNECTED);
        assertThat(subscribe(second, topic, 1).getReturnCodes()).containsExactly(Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1);
        publish(connected("hivemq-takeover-pub", new Inbox()), topic, "to the second".getBytes(UTF_8), 1, false);
        secondInbox.awaitPayload("to the second");
        assertThat(secondInbox.snapshot()).extracting(Received::topic, Received::text, Received::qos)
                .containsExactly(tuple(topic, "to the second", 1));
        assertThat(second.getState()).isEqualTo(MqttClientState.CONNECTED);
        assertThat(secondDisconnects).isEmpty();
        assertThat(firstInbox.snapshot()).isEmpty();
    }

    // ---- ordering ----

    @Test
    @DisplayName("[MQTT-4.6.0-6] [MQTT-4.3.2-2] 2000 QoS 1 messages sent at once, more than a subscriber's queue, arrive once each, in order")
    void manyMessagesInOrder() throws Exception {
        String topic = "hivemq/order/seq";
        int count = 2000;
        // more than the 32 in flight + 1000 queued (max_queued_messages) the subscriber may hold:
        // the broker holds the publisher back rather than drop what it acknowledged
        long droppedBefore = broker.broker().metrics().queuedMessagesDropped.sum();
        Inbox inbox = new Inbox();
        subscribe(connected("hivemq-order-sub", inbox), topic, 1);
        Mqtt3AsyncClient publisher = connected("hivemq-order-pub", new Inbox());

        List<CompletableFuture<Mqtt3Publish>> acks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            acks.add(publisher.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(Integer.toString(i).getBytes(UTF_8)).send());
        }
        done(CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)));
        await("subscriber received " + count).atMost(WAIT).pollInterval(POLL).until(() -> inbox.size() >= count);

        List<Received> received = inbox.snapshot();
        assertThat(received).extracting(Received::text)
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(Integer::toString).toList());
        assertThat(received).extracting(Received::topic, Received::qos, Received::retained)
                .containsOnly(tuple(topic, 1, false));
        assertThat(broker.broker().metrics().queuedMessagesDropped.sum()).isEqualTo(droppedBefore);
    }

    // ---- helpers ----

    /**
     * A client that hands every PUBLISH it receives to {@code inbox}, registered before it
     * connects, so that messages a persistent session sends right after CONNACK are not missed.
     */
    private Mqtt3AsyncClient client(String clientId, Inbox inbox,
            MqttClientDisconnectedListener disconnected) {
        Mqtt3AsyncClient client = MqttClient.builder()
                .useMqttVersion3()
                .identifier(clientId)
                .serverHost(EmbeddedBroker.HOST)
                .serverPort(broker.port())
                .addDisconnectedListener(disconnected)
                .buildAsync();
        client.publishes(MqttGlobalPublishFilter.ALL, inbox);
        clients.add(client);
        return client;
    }

    /** A client connected with a clean session. */
    private Mqtt3AsyncClient connected(String clientId, Inbox inbox) throws Exception {
        Mqtt3AsyncClient client = client(clientId, inbox, context -> {});
        Mqtt3ConnAck connAck = done(client.connectWith().cleanSession(true).keepAlive(30).send());
        assertThat(connAck.getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.SUCCESS);
        assertThat(connAck.isSessionPresent()).as("[MQTT-3.2.2-1] clean session").isFalse();
        return client;
    }

    private static Mqtt3SubAck subscribe(Mqtt3AsyncClient client, String filter, int qos) throws Exception {
        return done(client.subscribeWith().topicFilter(filter).qos(qos(qos)).send());
    }

    /** Publishes and waits for the flow to complete: sent (QoS 0), PUBACK (QoS 1) or PUBCOMP (QoS 2). */
    private static void publish(Mqtt3AsyncClient client, String topic, byte[] payload, int qos, boolean retain)
            throws Exception {
        done(client.publishWith().topic(topic).qos(qos(qos)).retain(retain).payload(payload).send());
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

    /** A message as the HiveMQ client handed it to the application. */
    record Received(String topic, byte[] payload, int qos, boolean retained) {
        String text() {
            return new String(payload, UTF_8);
        }
    }

    /** Collects what a client receives, in order. */
    static final class Inbox implements Consumer<Mqtt3Publish> {
        private final List<Received> messages = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void accept(Mqtt3Publish publish) {
            messages.add(new Received(publish.getTopic().toString(), publish.getPayloadAsBytes(),
                    publish.getQos().getCode(), publish.isRetain()));
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
}
