package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eclipse Paho (org.eclipse.paho.client.mqttv3 1.2.5) against an embedded broker: MQTT 3.1.1
 * unless a test says 3.1. Every test uses its own topics and client identifiers, so that the
 * retained messages and persistent sessions one test leaves in the shared broker cannot reach
 * another.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PahoInteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(10);

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    /** Closed after each test, newest first. */
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        Collections.reverse(clients);
        for (AutoCloseable client : clients) {
            try {
                client.close();
            } catch (Exception e) {
                // the test has its verdict; a client that fails to close does not change it
            }
        }
        clients.clear();
    }

    // ---- publish / subscribe ----

    @ParameterizedTest(name = "published at QoS {0}, granted QoS {1}")
    @CsvSource({"0,0", "0,1", "0,2", "1,0", "1,1", "1,2", "2,0", "2,1", "2,2"})
    @DisplayName("[MQTT-3.8.4-6] [MQTT-3.3.1-9] each message arrives once, bytes intact, at min(published, granted) QoS, RETAIN 0")
    void publishSubscribe(int publishedQos, int grantedQos) throws Exception {
        String topic = "paho/qos/p" + publishedQos + "g" + grantedQos;
        Inbox inbox = new Inbox();
        MqttClient subscriber = connected("paho-qos-sub-p" + publishedQos + "g" + grantedQos, inbox);
        IMqttToken subAck = subscriber.subscribeWithResponse(topic, grantedQos);
        assertThat(subAck.getGrantedQos()).containsExactly(grantedQos);
        MqttClient publisher = connected("paho-qos-pub-p" + publishedQos + "g" + grantedQos, new Inbox());

        byte[][] payloads = {
            {0x00, (byte) 0xFF, 0x7F, (byte) 0x80, 0x0A},      // bytes that text handling would mangle
            {},                                                // an empty payload
            "message 3".getBytes(UTF_8),
            "last".getBytes(UTF_8)};                           // the last: all before it have arrived with it
        for (byte[] payload : payloads) {
            publisher.publish(topic, payload, publishedQos, false);
        }

        inbox.awaitPayload("last");
        int expectedQos = Math.min(publishedQos, grantedQos);
        List<Received> received = inbox.snapshot();
        assertThat(received).hasSize(payloads.length);
        for (int i = 0; i < payloads.length; i++) {
            assertThat(received.get(i).payload()).as("payload %d", i).containsExactly(payloads[i]);
        }
        assertThat(received).extracting(Received::topic, Received::qos, Received::retained, Received::duplicate)
                .containsOnly(tuple(topic, expectedQos, false, false));
    }

    @Test
    @DisplayName("MQTT 3.1 (protocol name MQIsdp, version 3) clients publish and subscribe at QoS 0, 1 and 2")
    void mqtt31() throws Exception {
        String topic = "paho/v31/data";
        Inbox inbox = new Inbox();
        MqttClient subscriber = client("paho-v31-sub", inbox);
        IMqttToken connAck = subscriber.connectWithResult(options(true, MqttConnectOptions.MQTT_VERSION_3_1));
        assertThat(connAck.getSessionPresent()).isFalse();
        assertThat(subscriber.subscribeWithResponse(topic, 2).getGrantedQos()).containsExactly(2);
        MqttClient publisher = client("paho-v31-pub", new Inbox());
        publisher.connect(options(true, MqttConnectOptions.MQTT_VERSION_3_1));

        for (int qos = 0; qos <= 2; qos++) {
            publisher.publish(topic, ("qos " + qos).getBytes(UTF_8), qos, false);
        }

        inbox.awaitPayload("qos 2");
        assertThat(inbox.snapshot())
                .extracting(Received::topic, Received::text, Received::qos, Received::retained, Received::duplicate)
                .containsExactly(
                        tuple(topic, "qos 0", 0, false, false),
                        tuple(topic, "qos 1", 1, false, false),
                        tuple(topic, "qos 2", 2, false, false));
    }

    @Test
    @DisplayName("(4.7.1.2, 4.7.1.3) '+' matches exactly one level, '#' any number of levels including the parent")
    void wildcards() throws Exception {
        Inbox single = new Inbox();
        connected("paho-wild-plus", single).subscribeWithResponse("paho/wild/+/temp", 1);
        Inbox multi = new Inbox();
        connected("paho-wild-hash", multi).subscribeWithResponse("paho/wild/#", 1);
        MqttClient publisher = connected("paho-wild-pub", new Inbox());

        List<String> topics = List.of(
                "paho/wild/kitchen/temp",       // + and #
                "paho/wild/hall/temp",          // + and #
                "paho/wild/kitchen/humidity",   // # only
                "paho/wild/kitchen/shelf/temp", // # only: + is one level
                "paho/wild",                    // # only: # includes the parent level
                "paho/wild//temp",              // + and #: + matches an empty level
                "paho/other/kitchen/temp",      // neither
                "paho/wild/end/temp");          // + and #, sent last
        for (String topic : topics) {
            publisher.publish(topic, topic.getBytes(UTF_8), 1, false);
        }

        single.awaitPayload("paho/wild/end/temp");
        multi.awaitPayload("paho/wild/end/temp");
        assertThat(single.snapshot()).extracting(Received::topic).containsExactly(
                "paho/wild/kitchen/temp", "paho/wild/hall/temp", "paho/wild//temp", "paho/wild/end/temp");
        assertThat(multi.snapshot()).extracting(Received::topic).containsExactly(
                "paho/wild/kitchen/temp", "paho/wild/hall/temp", "paho/wild/kitchen/humidity",
                "paho/wild/kitchen/shelf/temp", "paho/wild", "paho/wild//temp", "paho/wild/end/temp");
        assertThat(multi.snapshot()).allSatisfy(r -> assertThat(r.text()).isEqualTo(r.topic()));
    }

    // ---- retained messages ----

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8..11] retained: sent with RETAIN 1 on subscribe, replaced, cleared by an empty payload")
    void retainedMessages() throws Exception {
        String topic = "paho/retained/lamp";
        MqttClient publisher = connected("paho-retained-pub", new Inbox());
        publisher.publish(topic, "on".getBytes(UTF_8), 1, true);

        // a new subscription gets the retained message, RETAIN 1, at min(stored QoS 1, granted 2)
        Inbox live = new Inbox();
        connected("paho-retained-live", live).subscribeWithResponse(topic, 2);
        live.awaitPayload("on");

        // a newer retained message replaces it; the subscriber already there gets it with RETAIN 0
        publisher.publish(topic, "off".getBytes(UTF_8), 1, true);
        live.awaitPayload("off");
        Inbox late = new Inbox();
        connected("paho-retained-late", late).subscribeWithResponse(topic, 2);
        late.awaitPayload("off");
        publisher.publish(topic, "live".getBytes(UTF_8), 1, false);
        late.awaitPayload("live");
        assertThat(late.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(tuple(topic, "off", 1, true), tuple(topic, "live", 1, false));

        // an empty retained message is delivered as usual and deletes the retained message
        publisher.publish(topic, new byte[0], 1, true);
        live.awaitPayload("");
        Inbox afterClear = new Inbox();
        connected("paho-retained-after-clear", afterClear).subscribeWithResponse(topic, 2);
        publisher.publish(topic, "after clear".getBytes(UTF_8), 1, false);
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
        String topic = "paho/will/reset";
        Inbox inbox = new Inbox();
        MqttClient subscriber = connected("paho-will-reset-sub", inbox);
        subscriber.subscribeWithResponse(topic, 2);

        broker.connectWithWillThenDie("paho-will-reset-dying", topic, "gone".getBytes(UTF_8), 1);

        inbox.awaitPayload("gone");
        connected("paho-will-reset-pub", new Inbox()).publish(topic, "after".getBytes(UTF_8), 1, false);
        inbox.awaitPayload("after");
        assertThat(inbox.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(tuple(topic, "gone", 1, false), tuple(topic, "after", 1, false));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] the will of a Paho client that closes its socket without DISCONNECT is published")
    void willOfPahoClosedWithoutDisconnect() throws Exception {
        String topic = "paho/will/forced";
        Inbox inbox = new Inbox();
        connected("paho-will-forced-sub", inbox).subscribeWithResponse(topic, 2);
        MqttClient dying = client("paho-will-forced-dying", new Inbox());
        MqttConnectOptions options = options(true, MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setWill(topic, "forced".getBytes(UTF_8), 2, false);
        dying.connect(options);

        dying.disconnectForcibly(0, 1000, false); // sendDisconnectPacket = false

        inbox.awaitPayload("forced");
        assertThat(inbox.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(tuple(topic, "forced", 2, false));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-10] [MQTT-3.14.4-3] a client that sends DISCONNECT does not trigger its will")
    void noWillAfterDisconnect() throws Exception {
        String topic = "paho/will/disconnect";
        Inbox inbox = new Inbox();
        connected("paho-will-disconnect-sub", inbox).subscribeWithResponse(topic, 2);
        MqttClient leaving = client("paho-will-disconnect-leaving", new Inbox());
        MqttConnectOptions options = options(true, MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setWill(topic, "should not be sent".getBytes(UTF_8), 1, false);
        leaving.connect(options);

        leaving.disconnect();
        broker.awaitSessionGone("paho-will-disconnect-leaving"); // a will would have been routed by now

        connected("paho-will-disconnect-pub", new Inbox()).publish(topic, "marker".getBytes(UTF_8), 1, false);
        inbox.awaitPayload("marker");
        assertThat(inbox.snapshot()).extracting(Received::text).containsExactly("marker");
    }

    // ---- sessions ----

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.2.2-2] a persistent session gets, on reconnect, every message published while it was offline, once")
    void persistentSessionRedelivery(int qos) throws Exception {
        String clientId = "paho-persistent-q" + qos;
        String topic = "paho/persistent/q" + qos;
        MqttClient first = client(clientId, new Inbox());
        IMqttToken firstConnAck = first.connectWithResult(options(false, MqttConnectOptions.MQTT_VERSION_3_1_1));
        assertThat(firstConnAck.getSessionPresent()).as("[MQTT-3.2.2-3] no session yet").isFalse();
        assertThat(first.subscribeWithResponse(topic, qos).getGrantedQos()).containsExactly(qos);
        first.disconnect();

        MqttClient publisher = connected("paho-persistent-pub-q" + qos, new Inbox());
        List<String> offline = List.of("offline 1", "offline 2", "offline 3", "offline 4", "offline 5");
        for (String payload : offline) {
            publisher.publish(topic, payload.getBytes(UTF_8), qos, false);
        }

        Inbox inbox = new Inbox();
        MqttClient again = client(clientId, inbox);
        IMqttToken connAck = again.connectWithResult(options(false, MqttConnectOptions.MQTT_VERSION_3_1_1));
        assertThat(connAck.getSessionPresent()).isTrue();
        inbox.awaitPayload("offline 5");
        publisher.publish(topic, "online".getBytes(UTF_8), qos, false);
        inbox.awaitPayload("online");

        assertThat(inbox.snapshot()).extracting(Received::text)
                .containsExactly("offline 1", "offline 2", "offline 3", "offline 4", "offline 5", "online");
        assertThat(inbox.snapshot()).extracting(Received::topic, Received::qos, Received::retained)
                .containsOnly(tuple(topic, qos, false));
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] a second connection with the same client id disconnects the first and works")
    void takeOver() throws Exception {
        String clientId = "paho-takeover";
        String topic = "paho/takeover/data";
        Inbox firstInbox = new Inbox();
        MqttClient first = connected(clientId, firstInbox);

        Inbox secondInbox = new Inbox();
        MqttClient second = connected(clientId, secondInbox);

        await("first connection lost").atMost(WAIT).pollInterval(POLL).until(() -> firstInbox.connectionsLost.get() == 1);
        assertThat(first.isConnected()).isFalse();
        assertThat(second.subscribeWithResponse(topic, 1).getGrantedQos()).containsExactly(1);
        connected("paho-takeover-pub", new Inbox()).publish(topic, "to the second".getBytes(UTF_8), 1, false);
        secondInbox.awaitPayload("to the second");
        assertThat(secondInbox.snapshot()).extracting(Received::topic, Received::text, Received::qos)
                .containsExactly(tuple(topic, "to the second", 1));
        assertThat(second.isConnected()).isTrue();
        assertThat(secondInbox.connectionsLost).hasValue(0);
        assertThat(firstInbox.snapshot()).isEmpty();
    }

    // ---- ordering ----

    @Test
    @DisplayName("[MQTT-4.6.0-6] [MQTT-4.3.2-2] 2000 QoS 1 messages sent at once, more than a subscriber's queue, arrive once each, in order")
    void manyMessagesInOrder() throws Exception {
        String topic = "paho/order/seq";
        int count = 2000;
        // more than the 32 in flight + 1000 queued (max_queued_messages) the subscriber may hold:
        // the broker holds the publisher back rather than drop what it acknowledged
        long droppedBefore = broker.broker().metrics().queuedMessagesDropped.sum();
        Inbox inbox = new Inbox();
        connected("paho-order-sub", inbox).subscribeWithResponse(topic, 1);
        MqttAsyncClient publisher = new MqttAsyncClient(broker.tcpUri(), "paho-order-pub", new MemoryPersistence());
        clients.add(() -> close(publisher));
        MqttConnectOptions options = options(true, MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setMaxInflight(count);
        publisher.connect(options).waitForCompletion(WAIT.toMillis());

        List<IMqttDeliveryToken> acks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            acks.add(publisher.publish(topic, Integer.toString(i).getBytes(UTF_8), 1, false));
        }
        for (IMqttDeliveryToken ack : acks) {
            ack.waitForCompletion(WAIT.toMillis());
        }
        await("subscriber received " + count).atMost(WAIT).pollInterval(POLL).until(() -> inbox.size() >= count);

        List<Received> received = inbox.snapshot();
        assertThat(received).extracting(Received::text)
                .containsExactlyElementsOf(IntStream.range(0, count).mapToObj(Integer::toString).toList());
        assertThat(received).extracting(Received::topic, Received::qos, Received::retained, Received::duplicate)
                .containsOnly(tuple(topic, 1, false, false));
        assertThat(broker.broker().metrics().queuedMessagesDropped.sum()).isEqualTo(droppedBefore);
    }

    // ---- helpers ----

    private MqttClient client(String clientId, MqttCallback callback) throws MqttException {
        MqttClient client = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
        client.setCallback(callback);
        clients.add(() -> close(client));
        return client;
    }

    /** A client connected with a clean session over MQTT 3.1.1. */
    private MqttClient connected(String clientId, MqttCallback callback) throws MqttException {
        MqttClient client = client(clientId, callback);
        IMqttToken connAck = client.connectWithResult(options(true, MqttConnectOptions.MQTT_VERSION_3_1_1));
        assertThat(connAck.getSessionPresent()).as("[MQTT-3.2.2-1] clean session").isFalse();
        return client;
    }

    private static MqttConnectOptions options(boolean cleanSession, int mqttVersion) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(mqttVersion);
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) WAIT.toSeconds());
        options.setKeepAliveInterval(30);
        return options;
    }

    private static void close(MqttClient client) throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect(1000);
            }
        } finally {
            client.close(true);
        }
    }

    private static void close(MqttAsyncClient client) throws MqttException {
        try {
            if (client.isConnected()) {
                client.disconnect(1000).waitForCompletion(WAIT.toMillis());
            }
        } finally {
            client.close(true);
        }
    }

    /** A message as Paho handed it to the application. */
    record Received(String topic, byte[] payload, int qos, boolean retained, boolean duplicate) {
        String text() {
            return new String(payload, UTF_8);
        }
    }

    /** Collects what a client receives, in order, and counts its lost connections. */
    static final class Inbox implements MqttCallback {
        private final List<Received> messages = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger connectionsLost = new AtomicInteger();

        @Override
        public void connectionLost(Throwable cause) {
            connectionsLost.incrementAndGet();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            messages.add(new Received(topic, message.getPayload(), message.getQos(), message.isRetained(),
                    message.isDuplicate()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
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
