package io.starling.cli.client;

import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.client.MqttClient;
import io.starling.client.MqttMessage;
import io.starling.client.ReconnectPolicy;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A subscriber made with the client library, watching what pub sends and publishing what sub
 * should receive.
 */
final class Observer implements AutoCloseable {
    /** Observers connected to each broker: the connections {@link #messagesBefore} does not wait for. */
    private static final Map<Broker, AtomicInteger> CONNECTED = new ConcurrentHashMap<>();

    private final Broker broker;
    private final MqttClient client;
    private final List<MqttMessage> received = new CopyOnWriteArrayList<>();

    private Observer(Broker broker, MqttClient client) {
        this.broker = broker;
        this.client = client;
        CONNECTED.computeIfAbsent(broker, b -> new AtomicInteger()).incrementAndGet();
    }

    /** A connected client, subscribed to nothing yet. */
    static Observer connect(Broker broker, String clientId) {
        return connect(broker, clientId, MqttVersion.V3_1_1);
    }

    /** A connected client of {@code version}, subscribed to nothing yet. */
    static Observer connect(Broker broker, String clientId, MqttVersion version) {
        MqttClient client = MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId(clientId).version(version)
                .reconnect(ReconnectPolicy.DISABLED).build();
        client.blocking().connect();
        return new Observer(broker, client);
    }

    /** A connected client subscribed to {@code filter} at QoS 2, so messages arrive with the QoS they were published at. */
    static Observer subscribe(Broker broker, String clientId, String filter) {
        return subscribe(broker, clientId, filter, MqttVersion.V3_1_1);
    }

    /** As {@link #subscribe(Broker, String, String)}, in {@code version}: 5.0 messages come with their properties. */
    static Observer subscribe(Broker broker, String clientId, String filter, MqttVersion version) {
        Observer observer = connect(broker, clientId, version);
        observer.client.blocking().subscribe(filter, QoS.EXACTLY_ONCE, observer.received::add);
        return observer;
    }

    /** The client, for what the methods here do not do. */
    MqttClient client() {
        return client;
    }

    /** Publishes and waits for the protocol to complete. */
    void publish(String topic, String payload, int qos, boolean retain) {
        client.blocking().publish(topic, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8), QoS.of(qos), retain);
    }

    void publish(String topic, byte[] payload, int qos, boolean retain) {
        client.blocking().publish(topic, payload, QoS.of(qos), retain);
    }

    /**
     * Every message that arrived before a marker this observer publishes to {@code markerTopic}
     * (which its filter must match) once the commands' connections are closed: all that was
     * routed to it before, and nothing more.
     */
    List<MqttMessage> messagesBefore(String markerTopic) {
        // A command that has exited may still have its PUBLISH and DISCONNECT unread by the broker
        // (at QoS 0 nothing tells it when they are routed): wait until the broker closed every
        // connection but the observers', as it does behind the packets before a DISCONNECT.
        await("the broker closing the commands' connections").atMost(CommandRun.WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> broker.metrics().connectionsOpened.sum() - broker.metrics().connectionsClosed.sum()
                        <= CONNECTED.get(broker).get());
        int before = received.size();
        publish(markerTopic, "marker", 1, false);
        await("the marker on " + markerTopic).atMost(CommandRun.WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> received.stream().skip(before).anyMatch(m -> m.topic().equals(markerTopic)));
        List<MqttMessage> all = List.copyOf(received);
        int marker = all.size() - 1;
        while (!all.get(marker).topic().equals(markerTopic)) {
            marker--;
        }
        return all.subList(0, marker);
    }

    List<MqttMessage> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        CONNECTED.get(broker).decrementAndGet();
        client.close();
    }
}
