package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.lifecycle.MqttClientReconnector;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.lifecycle.Mqtt5ClientConnectedContext;
import com.hivemq.client.mqtt.mqtt5.message.connect.Mqtt5Connect;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.starling.it.CrashRecoveryTest.Flow;
import io.starling.it.CrashRecoveryTest.Inbox;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;

/**
 * The clients of {@link CrashRecoveryTest}, one pair per protocol version: Eclipse Paho for MQTT
 * 3.1.1 (Clean Session 0), the HiveMQ client for MQTT 5.0 (Clean Start 0, Session Expiry Interval
 * 0xFFFFFFFF). The test drives both through the same two interfaces, so that one scenario checks
 * both versions.
 *
 * <p>The broker's port changes on every restart. Paho takes the new address with each connect;
 * the HiveMQ client keeps its address in the client object, so the 5.0 subscriber reconnects
 * through the client's own reconnector, which it tells the restarted broker's port (see {@link
 * HiveMqSubscriber}).
 */
final class CrashClients {
    /** The version of MQTT a case speaks, and the clients that speak it. */
    enum Protocol {
        /** Paho; it shows the application the DUP flag. */
        MQTT_3_1_1,
        /** The HiveMQ client; it hides DUP from the application, but closes the connection on a re-sent QoS 2 PUBLISH without it. */
        MQTT_5;

        boolean showsDup() {
            return this == MQTT_3_1_1;
        }
    }

    /** The User Property each 5.0 message carries: its id, as its payload does. */
    static final String ID_PROPERTY = "crash-id";

    private CrashClients() {}

    /** The publisher or the connection was lost: the round's publishing ends there. */
    static final class ConnectionLost extends Exception {
        ConnectionLost(Throwable cause) {
            super(cause);
        }
    }

    /** A persistent subscriber: one client object for the whole test, as an application that did not crash. */
    interface PersistentSubscriber extends AutoCloseable {
        /** Connects to {@code broker} without starting a new session, and returns CONNACK's Session Present. */
        boolean connect(BrokerProcess broker) throws Exception;

        /** Subscribes to every flow at its QoS, and returns the granted QoS in order. */
        List<Integer> subscribe(List<Flow> flows) throws Exception;

        void disconnect() throws Exception;

        boolean isConnected();

        /** What ended the last connection, for failure messages. */
        String lastDisconnect();
    }

    /** A publisher for one round, with a clean session. */
    interface Publisher extends AutoCloseable {
        /** Sends one message; {@code acknowledged} runs when its PUBACK or PUBCOMP came, and only then. */
        Sent publish(Flow flow, int id, Runnable acknowledged) throws ConnectionLost;

        @Override
        void close();
    }

    /** A message sent, whose acknowledgement can be waited for. */
    interface Sent {
        /** Returns once it is acknowledged; throws when the connection is lost or nothing came within {@code timeout}. */
        void await(Duration timeout) throws ConnectionLost;
    }

    static PersistentSubscriber subscriber(Protocol protocol, String clientId, BrokerProcess broker, Inbox inbox, Duration wait)
            throws MqttException {
        return protocol == Protocol.MQTT_5 ? new HiveMqSubscriber(clientId, broker, inbox, wait) : new PahoSubscriber(clientId, broker, inbox, wait);
    }

    static Publisher publisher(Protocol protocol, String clientId, BrokerProcess broker, int window, Duration wait) throws Exception {
        return protocol == Protocol.MQTT_5 ? new HiveMqPublisher(clientId, broker, wait) : new PahoPublisher(clientId, broker, window, wait);
    }

    // ---- Paho, MQTT 3.1.1 ----

    private static MqttConnectOptions pahoOptions(boolean cleanSession, BrokerProcess broker, Duration wait) {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setServerURIs(new String[] {broker.tcpUri()}); // the port changes on every start
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout((int) wait.toSeconds());
        options.setKeepAliveInterval(30);
        return options;
    }

    private static final class PahoSubscriber implements PersistentSubscriber, MqttCallback {
        private final org.eclipse.paho.client.mqttv3.MqttClient client;
        private final Inbox inbox;
        private final Duration wait;
        private volatile String lastDisconnect = "none";

        PahoSubscriber(String clientId, BrokerProcess broker, Inbox inbox, Duration wait) throws MqttException {
            this.client = new org.eclipse.paho.client.mqttv3.MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
            this.inbox = inbox;
            this.wait = wait;
            client.setTimeToWait(wait.toMillis()); // every blocking call is bounded
            client.setCallback(this);
        }

        @Override
        public boolean connect(BrokerProcess broker) throws MqttException {
            return client.connectWithResult(pahoOptions(false, broker, wait)).getSessionPresent();
        }

        @Override
        public List<Integer> subscribe(List<Flow> flows) throws MqttException {
            IMqttToken subAck = client.subscribeWithResponse(flows.stream().map(Flow::topic).toArray(String[]::new),
                    flows.stream().mapToInt(Flow::qos).toArray());
            return Arrays.stream(subAck.getGrantedQos()).boxed().toList();
        }

        @Override
        public void disconnect() throws MqttException {
            client.disconnect();
        }

        @Override
        public boolean isConnected() {
            return client.isConnected();
        }

        @Override
        public String lastDisconnect() {
            return lastDisconnect;
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            inbox.arrived(topic, message.getPayload(), message.getQos(), message.isRetained(), message.isDuplicate(), null);
        }

        @Override
        public void connectionLost(Throwable cause) {
            lastDisconnect = String.valueOf(cause); // expected when the broker is killed with the subscriber online
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
        }

        @Override
        public void close() throws MqttException {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(0, 1000);
                }
            } finally {
                client.close(true);
            }
        }
    }

    private static final class PahoPublisher implements Publisher {
        private final MqttAsyncClient client;

        PahoPublisher(String clientId, BrokerProcess broker, int window, Duration wait) throws MqttException {
            client = new MqttAsyncClient(broker.tcpUri(), clientId, new MemoryPersistence());
            MqttConnectOptions options = pahoOptions(true, broker, wait);
            options.setMaxInflight(2 * window);
            client.connect(options).waitForCompletion(wait.toMillis());
        }

        @Override
        public Sent publish(Flow flow, int id, Runnable acknowledged) throws ConnectionLost {
            IMqttActionListener listener = new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    acknowledged.run();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable cause) {
                    // not acknowledged: it may or may not arrive
                }
            };
            try {
                IMqttDeliveryToken token = client.publish(flow.topic(), Integer.toString(id).getBytes(UTF_8), flow.qos(), false, null, listener);
                return timeout -> {
                    try {
                        token.waitForCompletion(timeout.toMillis());
                    } catch (MqttException e) {
                        throw new ConnectionLost(e);
                    }
                };
            } catch (MqttException e) {
                throw new ConnectionLost(e);
            }
        }

        @Override
        public void close() {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(0, 1000);
                }
                client.close(true);
            } catch (MqttException e) {
                // closing a client whose broker is gone; nothing is left to release
            }
        }
    }

    // ---- the HiveMQ client, MQTT 5.0 ----

    /**
     * The 5.0 subscriber. Whenever its connection ends (the broker killed, or its own DISCONNECT),
     * its reconnector waits for {@link #connect} to name the next broker, then reconnects there with
     * the same client object, and so with the client's session state (the QoS 2 packet identifiers
     * it has acknowledged, by which it recognises a re-sent PUBLISH). It never resubscribes: the
     * subscriptions must have survived in the broker.
     */
    private static final class HiveMqSubscriber implements PersistentSubscriber {
        private final Mqtt5AsyncClient client;
        private final Duration wait;
        private final BlockingQueue<Mqtt5ConnAck> connAcks = new LinkedBlockingQueue<>();
        /** The broker to reconnect to when the connection ends: completed by {@link #connect}, renewed on every connection. */
        private volatile CompletableFuture<BrokerProcess> next = new CompletableFuture<>();
        private volatile boolean connectedOnce;
        private volatile boolean closing;
        private volatile String lastDisconnect = "none";

        HiveMqSubscriber(String clientId, BrokerProcess broker, Inbox inbox, Duration wait) {
            this.wait = wait;
            this.client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                    .serverHost("127.0.0.1").serverPort(broker.port())
                    .addConnectedListener(context -> {
                        next = new CompletableFuture<>();
                        connAcks.add(((Mqtt5ClientConnectedContext) context).getConnAck());
                    })
                    .addDisconnectedListener(this::disconnected)
                    .buildAsync();
            client.publishes(MqttGlobalPublishFilter.ALL, publish -> inbox.arrived(publish.getTopic().toString(), publish.getPayloadAsBytes(),
                    publish.getQos().getCode(), publish.isRetain(), false, idProperty(publish)));
        }

        private static @Nullable String idProperty(Mqtt5Publish publish) {
            return publish.getUserProperties().asList().stream().filter(p -> p.getName().toString().equals(ID_PROPERTY))
                    .map(p -> p.getValue().toString()).findFirst().orElse(null);
        }

        /** Runs on the client's event loop whenever a connection (or an attempt) ends. */
        private void disconnected(MqttClientDisconnectedContext context) {
            lastDisconnect = context.getSource() + ": " + context.getCause();
            if (closing) {
                return;
            }
            MqttClientReconnector reconnector = context.getReconnector();
            reconnector.resubscribeIfSessionPresent(false).resubscribeIfSessionExpired(false).republishIfSessionExpired(false);
            if (reconnector.getAttempts() > 0) {
                reconnector.delay(100, TimeUnit.MILLISECONDS); // a failed attempt: do not spin
            }
            reconnector.reconnectWhen(next, (broker, failed) -> {
                if (failed == null) {
                    reconnector.transportConfig().serverHost("127.0.0.1").serverPort(broker.port()).applyTransportConfig();
                } else {
                    reconnector.reconnect(false);
                }
            });
        }

        @Override
        public boolean connect(BrokerProcess broker) throws Exception {
            if (connectedOnce) {
                next.complete(broker);
            } else {
                connectedOnce = true;
                client.connectWith().cleanStart(false).sessionExpiryInterval(Mqtt5Connect.NO_SESSION_EXPIRY).keepAlive(30)
                        .send().get(wait.toMillis(), TimeUnit.MILLISECONDS);
            }
            Mqtt5ConnAck connAck = connAcks.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (connAck == null) {
                throw new AssertionError("no CONNACK from " + broker.tcpUri() + " within " + wait + "; last disconnect " + lastDisconnect);
            }
            return connAck.isSessionPresent();
        }

        @Override
        public List<Integer> subscribe(List<Flow> flows) throws Exception {
            Mqtt5Subscribe subscribe = Mqtt5Subscribe.builder().addSubscriptions(flows.stream().map(flow -> Mqtt5Subscription.builder()
                    .topicFilter(flow.topic()).qos(MqttQos.fromCode(flow.qos())).build())).build();
            return client.subscribe(subscribe).get(wait.toMillis(), TimeUnit.MILLISECONDS).getReasonCodes().stream()
                    .map(Mqtt5SubAckReasonCode::getCode).toList();
        }

        @Override
        public void disconnect() throws Exception {
            client.disconnect().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean isConnected() {
            return client.getState().isConnected();
        }

        @Override
        public String lastDisconnect() {
            return lastDisconnect;
        }

        @Override
        public void close() throws Exception {
            closing = true;
            next.completeExceptionally(new IllegalStateException("the test is over"));
            if (client.getState().isConnected()) {
                client.disconnect().get(1, TimeUnit.SECONDS);
            }
        }
    }

    private static final class HiveMqPublisher implements Publisher {
        private final Mqtt5AsyncClient client;

        HiveMqPublisher(String clientId, BrokerProcess broker, Duration wait) throws Exception {
            client = MqttClient.builder().useMqttVersion5().identifier(clientId).serverHost("127.0.0.1").serverPort(broker.port())
                    .buildAsync();
            client.connectWith().cleanStart(true).keepAlive(30).send().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        /**
         * The future completes at PUBACK (QoS 1) or PUBCOMP (QoS 2) with success, and exceptionally
         * for an error reason code or a lost connection.
         */
        @Override
        public Sent publish(Flow flow, int id, Runnable acknowledged) {
            String text = Integer.toString(id);
            CompletableFuture<Mqtt5PublishResult> result = client.publishWith().topic(flow.topic()).qos(MqttQos.fromCode(flow.qos()))
                    .payload(text.getBytes(UTF_8))
                    .userProperties().add(ID_PROPERTY, text).applyUserProperties()
                    .send();
            result.thenRun(acknowledged);
            return timeout -> {
                try {
                    result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    throw new ConnectionLost(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConnectionLost(e);
                }
            };
        }

        @Override
        public void close() {
            if (client.getState().isConnected()) {
                client.disconnect(); // not waited for: the broker may be gone
            }
        }
    }
}
