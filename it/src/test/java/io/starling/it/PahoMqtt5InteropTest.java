package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eclipse Paho Java for MQTT 5.0 (org.eclipse.paho.mqttv5.client 1.2.5, async API) against an
 * embedded broker, and with the 3.1.1 Paho client (org.eclipse.paho.client.mqttv3) for the mixed
 * versions. Every test uses its own topics and client identifiers, so that the retained messages
 * and sessions one test leaves in the shared broker cannot reach another.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PahoMqtt5InteropTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(10);
    private static final Duration QUIET = Duration.ofMillis(300);
    /** PUBACK, PUBREC: 0x10 No matching subscribers. */
    private static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    /** DISCONNECT: 0x8E Session taken over. */
    private static final int SESSION_TAKEN_OVER = 0x8E;
    /**
     * Paho 5.0 logs every inbound PUBREL at INFO through java.util.logging; warnings are enough.
     * Held here, since java.util.logging keeps loggers only weakly.
     */
    private static final Logger PAHO_LOG = Logger.getLogger("org.eclipse.paho.mqttv5.client");

    static {
        PAHO_LOG.setLevel(Level.WARNING);
    }

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

    // ---- sessions ----

    @Test
    @DisplayName("[MQTT-3.1.2-23] [MQTT-3.2.2-2] [MQTT-3.2.2-3] Session Expiry Interval 300: CONNACK as Paho reads it, the session resumed with its queued messages")
    void sessionExpiry() throws Exception {
        String clientId = "paho5-session";
        String topic = "paho5/session/q";
        MqttAsyncClient first = client(clientId, new Inbox());
        IMqttToken connAck = done(first.connect(options(true, 300L)));
        assertThat(connAck.getSessionPresent()).isFalse();
        MqttProperties offered = connAck.getResponseProperties();
        assertThat(offered.getSessionExpiryInterval()).as("300 s is not capped: not repeated").isNull();
        assertThat(offered.getTopicAliasMaximum()).isEqualTo(10);
        assertThat(offered.getMaximumPacketSize()).isEqualTo(1024L * 1024);
        assertThat(offered.getReceiveMaximum()).as("65535, the default: left out").isNull();
        assertThat(offered.isSharedSubscriptionAvailable()).isTrue();
        assertThat(offered.isSubscriptionIdentifiersAvailable()).isTrue();
        assertThat(offered.isWildcardSubscriptionsAvailable()).isTrue();
        subscribe(first, new MqttSubscription(topic, 2), null);
        done(first.disconnect());
        broker.awaitOffline(clientId);

        MqttAsyncClient publisher = connected("paho5-session-pub", new Inbox());
        for (int i = 1; i <= 4; i++) {
            done(publisher.publish(topic, ("offline " + i).getBytes(UTF_8), i % 2 + 1, false));
        }

        Inbox inbox = new Inbox();
        MqttAsyncClient again = client(clientId, inbox);
        assertThat(done(again.connect(options(false, 300L))).getSessionPresent()).isTrue();
        inbox.awaitPayload("offline 4");
        done(publisher.publish(topic, "live".getBytes(UTF_8), 1, false));
        inbox.awaitPayload("live");
        assertThat(inbox.snapshot()).extracting(Received::topic, Received::text, Received::qos).containsExactly(
                tuple(topic, "offline 1", 2), tuple(topic, "offline 2", 1), tuple(topic, "offline 3", 2),
                tuple(topic, "offline 4", 1), tuple(topic, "live", 1));

        // a clean start afterwards finds nothing [MQTT-3.1.2-4]
        done(again.disconnect());
        MqttAsyncClient fresh = client(clientId, new Inbox());
        assertThat(done(fresh.connect(options(true, 0L))).getSessionPresent()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] take-over: Paho sees the broker's DISCONNECT with reason code 0x8E (Session taken over)")
    void takeOver() throws Exception {
        String clientId = "paho5-takeover";
        Inbox firstInbox = new Inbox();
        MqttAsyncClient first = connected(clientId, firstInbox);
        Inbox secondInbox = new Inbox();
        MqttAsyncClient second = connected(clientId, secondInbox);

        await("first client disconnected").atMost(WAIT).pollInterval(POLL).until(() -> !firstInbox.disconnects().isEmpty());
        MqttDisconnectResponse disconnect = firstInbox.disconnects().get(0);
        assertThat(disconnect.getReturnCode()).as("DISCONNECT reason code").isEqualTo(SESSION_TAKEN_OVER);
        assertThat(first.isConnected()).isFalse();
        assertThat(second.isConnected()).isTrue();
        assertThat(secondInbox.disconnects()).isEmpty();
    }

    // ---- properties ----

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {0, 1, 2})
    @DisplayName("[MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20] every PUBLISH property arrives unchanged, user properties in order; 0x10 without subscribers")
    void propertiesRoundTrip(int qos) throws Exception {
        String topic = "paho5/props/q" + qos;
        MqttAsyncClient publisher = connected("paho5-props-pub-q" + qos, new Inbox());
        // Paho gives the PUBACK's reason code at QoS 1, the PUBREC's and the PUBCOMP's at QoS 2
        if (qos == 1) {
            IMqttToken nobody = done(publisher.publish(topic, new byte[] {0}, qos, false));
            assertThat(nobody.getReasonCodes()).as("PUBACK reason code").containsExactly(NO_MATCHING_SUBSCRIBERS);
        } else if (qos == 2) {
            IMqttToken nobody = done(publisher.publish(topic, new byte[] {0}, qos, false));
            assertThat(nobody.getReasonCodes()).as("PUBREC, PUBCOMP reason codes").containsExactly(NO_MATCHING_SUBSCRIBERS, 0x00);
        }
        Inbox inbox = new Inbox();
        subscribe(connected("paho5-props-sub-q" + qos, inbox), new MqttSubscription(topic, 2), null);

        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(List.of(
                new UserProperty("k", "2"), new UserProperty("a", "1"), new UserProperty("k", "1"), new UserProperty("ünï", "çödé")));
        properties.setContentType("application/json");
        properties.setResponseTopic("paho5/props/reply");
        byte[] correlation = {0x00, (byte) 0xFF, 0x10, (byte) 0x80};
        properties.setCorrelationData(correlation);
        properties.setPayloadFormat(true);
        properties.setMessageExpiryInterval(3600L);
        IMqttToken sent = done(publisher.publish(topic, new MqttMessage("{\"n\":1}".getBytes(UTF_8), qos, false, properties)));
        if (qos > 0) {
            assertThat(sent.getReasonCodes()).as("PUBACK or PUBREC, PUBCOMP reason codes").containsOnly(0x00).hasSize(qos);
        }

        inbox.awaitPayload("{\"n\":1}");
        Received received = inbox.snapshot().get(0);
        assertThat(received.qos()).isEqualTo(qos);
        MqttProperties got = received.message().getProperties();
        assertThat(got.getUserProperties()).extracting(UserProperty::getKey, UserProperty::getValue).containsExactly(
                tuple("k", "2"), tuple("a", "1"), tuple("k", "1"), tuple("ünï", "çödé"));
        assertThat(got.getContentType()).isEqualTo("application/json");
        assertThat(got.getResponseTopic()).isEqualTo("paho5/props/reply");
        assertThat(got.getCorrelationData()).containsExactly(correlation);
        assertThat(got.getPayloadFormat()).isTrue();
        assertThat(got.getMessageExpiryInterval()).isBetween(3590L, 3600L);
        assertThat(got.getSubscriptionIdentifiers()).isEmpty();
        assertThat(inbox.snapshot()).hasSize(1);
    }

    // ---- subscription identifiers ----

    @Test
    @DisplayName("[MQTT-3.3.4-3] [MQTT-3.3.4-4] subscription identifiers: one copy carrying the identifiers of every matching subscription, retained copies too")
    void subscriptionIdentifiers() throws Exception {
        Inbox inbox = new Inbox();
        MqttAsyncClient subscriber = connected("paho5-subid-sub", inbox);
        subscribe(subscriber, new MqttSubscription("paho5/subid/+", 1), 7);
        subscribe(subscriber, new MqttSubscription("paho5/subid/#", 2), 42);
        subscribe(subscriber, new MqttSubscription("paho5/subid-plain/t", 1), null);
        MqttAsyncClient publisher = connected("paho5-subid-pub", new Inbox());

        done(publisher.publish("paho5/subid/a", "both".getBytes(UTF_8), 2, false));       // + and #
        done(publisher.publish("paho5/subid/a/b", "deep".getBytes(UTF_8), 2, false));     // # only
        done(publisher.publish("paho5/subid-plain/t", "plain".getBytes(UTF_8), 1, false)); // no identifier

        inbox.awaitPayload("plain");
        await("no second copy").during(QUIET).atMost(WAIT).until(() -> inbox.snapshot().size() == 3);
        List<Received> received = inbox.snapshot();
        assertThat(received).extracting(Received::text, Received::qos)
                .containsExactly(tuple("both", 2), tuple("deep", 2), tuple("plain", 1));
        assertThat(received.get(0).message().getProperties().getSubscriptionIdentifiers()).containsExactlyInAnyOrder(7, 42);
        assertThat(received.get(1).message().getProperties().getSubscriptionIdentifiers()).containsExactly(42);
        assertThat(received.get(2).message().getProperties().getSubscriptionIdentifiers()).isEmpty();

        // a retained message goes to a new subscription with that subscription's identifier
        done(publisher.publish("paho5/subid-retained/t", "kept".getBytes(UTF_8), 1, true));
        subscribe(subscriber, new MqttSubscription("paho5/subid-retained/+", 1), 99);
        inbox.awaitPayload("kept");
        Received retained = inbox.snapshot().get(3);
        assertThat(retained.retained()).isTrue();
        assertThat(retained.message().getProperties().getSubscriptionIdentifiers()).containsExactly(99);
        done(publisher.publish("paho5/subid-retained/t", new byte[0], 1, true)); // clears it
    }

    // ---- shared subscriptions ----

    @Test
    @DisplayName("(4.8.2) $share/{group}/{filter} with two Paho 5.0 members and a Paho 3.1.1 member: each message to one member, in turn")
    void sharedSubscription() throws Exception {
        String topic = "paho5/shared/jobs";
        String shared = "$share/paho5-workers/" + topic;
        Inbox a = new Inbox();
        subscribe(connected("paho5-shared-a", a), new MqttSubscription(shared, 1), null);
        Inbox b = new Inbox();
        subscribe(connected("paho5-shared-b", b), new MqttSubscription(shared, 1), null);
        Inbox c = new Inbox();
        MqttClient v3 = connected3("paho5-shared-v3", c);
        assertThat(v3.subscribeWithResponse(shared, 1).getGrantedQos()).containsExactly(1);
        MqttAsyncClient publisher = connected("paho5-shared-pub", new Inbox());

        int count = 30;
        for (int i = 0; i < count; i++) {
            done(publisher.publish(topic, Integer.toString(i).getBytes(UTF_8), 1, false));
        }

        await("all " + count + " shared").atMost(WAIT).pollInterval(POLL).until(() -> a.size() + b.size() + c.size() >= count);
        await("no message twice").during(QUIET).atMost(WAIT).until(() -> a.size() + b.size() + c.size() == count);
        List<List<Integer>> members = List.of(numbers(a), numbers(b), numbers(c));
        Set<Integer> union = new HashSet<>();
        for (List<Integer> member : members) {
            assertThat(member).as("each member gets every third, in order").hasSize(count / 3).isSorted();
            int residue = member.get(0) % 3;
            assertThat(member).allSatisfy(i -> assertThat(i % 3).isEqualTo(residue));
            union.addAll(member);
        }
        assertThat(union).as("each message once, to one member").hasSize(count);
    }

    // ---- mixed versions ----

    @Test
    @DisplayName("Paho 3.1.1 to Paho 5.0 and back: messages cross versions, 5.0 properties are left out for the 3.1.1 subscriber")
    void mixedVersions() throws Exception {
        String up = "paho5/mixed/up";
        String down = "paho5/mixed/down";
        Inbox v5Inbox = new Inbox();
        MqttAsyncClient v5 = connected("paho5-mixed-5", v5Inbox);
        subscribe(v5, new MqttSubscription(up, 2), null);
        Inbox v3Inbox = new Inbox();
        MqttClient v3 = connected3("paho5-mixed-3", v3Inbox);
        assertThat(v3.subscribeWithResponse(down, 2).getGrantedQos()).containsExactly(2);

        for (int qos = 0; qos <= 2; qos++) {
            v3.publish(up, ("up " + qos).getBytes(UTF_8), qos, false);
            MqttProperties properties = new MqttProperties();
            properties.setUserProperties(List.of(new UserProperty("from", "5.0")));
            properties.setContentType("text/plain");
            done(v5.publish(down, new MqttMessage(("down " + qos).getBytes(UTF_8), qos, false, properties)));
        }

        v5Inbox.awaitPayload("up 2");
        v3Inbox.awaitPayload("down 2");
        assertThat(v5Inbox.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(tuple(up, "up 0", 0, false), tuple(up, "up 1", 1, false), tuple(up, "up 2", 2, false));
        assertThat(v5Inbox.snapshot()).allSatisfy(r -> {
            MqttProperties none = r.message().getProperties();
            assertThat(none.getUserProperties()).isEmpty();
            assertThat(none.getContentType()).isNull();
            assertThat(none.getMessageExpiryInterval()).isNull();
        });
        assertThat(v3Inbox.snapshot()).extracting(Received::topic, Received::text, Received::qos, Received::retained)
                .containsExactly(tuple(down, "down 0", 0, false), tuple(down, "down 1", 1, false), tuple(down, "down 2", 2, false));
    }

    // ---- helpers ----

    private MqttAsyncClient client(String clientId, Inbox inbox) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(broker.tcpUri(), clientId, new MemoryPersistence());
        client.setCallback(inbox);
        clients.add(() -> close(client));
        return client;
    }

    /** A 5.0 client connected with Clean Start 1 and Session Expiry Interval 0. */
    private MqttAsyncClient connected(String clientId, Inbox inbox) throws MqttException {
        MqttAsyncClient client = client(clientId, inbox);
        assertThat(done(client.connect(options(true, 0L))).getSessionPresent()).as("clean start").isFalse();
        return client;
    }

    /** A Paho 3.1.1 client connected with a clean session. */
    private MqttClient connected3(String clientId, Inbox inbox) throws org.eclipse.paho.client.mqttv3.MqttException {
        MqttClient client = new MqttClient(broker.tcpUri(), clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        client.setCallback(inbox.v3());
        clients.add(() -> {
            try {
                if (client.isConnected()) {
                    client.disconnect(1000);
                }
            } finally {
                client.close(true);
            }
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) WAIT.toSeconds());
        options.setKeepAliveInterval(30);
        assertThat(client.connectWithResult(options).getSessionPresent()).isFalse();
        return client;
    }

    private static MqttConnectionOptions options(boolean cleanStart, long sessionExpiry) {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(cleanStart);
        options.setSessionExpiryInterval(sessionExpiry);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) WAIT.toSeconds());
        options.setKeepAliveInterval(30);
        return options;
    }

    /** Subscribes, with a Subscription Identifier unless {@code identifier} is null, and checks the granted QoS. */
    private static void subscribe(MqttAsyncClient client, MqttSubscription subscription, @Nullable Integer identifier)
            throws MqttException {
        MqttProperties properties = new MqttProperties();
        if (identifier != null) {
            properties.setSubscriptionIdentifier(identifier);
        }
        IMqttToken subAck = done(client.subscribe(new MqttSubscription[] {subscription}, null, null, properties));
        assertThat(subAck.getReasonCodes()).as("SUBACK reason codes").containsExactly(subscription.getQos());
    }

    private static IMqttToken done(IMqttToken token) throws MqttException {
        token.waitForCompletion(WAIT.toMillis());
        return token;
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

    private static List<Integer> numbers(Inbox inbox) {
        return inbox.snapshot().stream().map(r -> Integer.parseInt(r.text())).toList();
    }

    /** A message as Paho handed it to the application; {@code message} is null for a 3.1.1 delivery. */
    record Received(String topic, byte[] payload, int qos, boolean retained, @Nullable MqttMessage v5Message) {
        String text() {
            return new String(payload, UTF_8);
        }

        /** The 5.0 message with its properties. */
        MqttMessage message() {
            if (v5Message == null) {
                throw new IllegalStateException("a 3.1.1 delivery has no 5.0 properties");
            }
            return v5Message;
        }
    }

    /** Collects what a client receives, in order, and the DISCONNECTs it is told of. */
    static final class Inbox implements MqttCallback {
        private final List<Received> messages = Collections.synchronizedList(new ArrayList<>());
        private final List<MqttDisconnectResponse> disconnects = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            disconnects.add(response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            messages.add(new Received(topic, message.getPayload(), message.getQos(), message.isRetained(), message));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        /** The same inbox, for a Paho 3.1.1 client. */
        org.eclipse.paho.client.mqttv3.MqttCallback v3() {
            return new org.eclipse.paho.client.mqttv3.MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                }

                @Override
                public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                    messages.add(new Received(topic, message.getPayload(), message.getQos(), message.isRetained(), null));
                }

                @Override
                public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {
                }
            };
        }

        List<MqttDisconnectResponse> disconnects() {
            synchronized (disconnects) {
                return List.copyOf(disconnects);
            }
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
