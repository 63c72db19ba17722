package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An MQTT 5.0 test client over a {@link RawClient}: it writes packets the codec encodes for 5.0
 * (or raw bytes, for what the codec refuses to encode) and decodes what the broker sends with the
 * codec's strict client-side decoder, so that a test asserts on reason codes and properties
 * rather than on a byte layout. Every read is bounded by the raw client's deadline.
 */
final class Mqtt5Client extends CodecClient<Mqtt5Client> {
    private Mqtt5Client(int port, String name) {
        super(port, MqttVersion.V5, name);
    }

    @Override
    Mqtt5Client self() {
        return this;
    }

    /** A connection that has sent nothing yet. */
    static Mqtt5Client open(int port, String name) {
        return new Mqtt5Client(port, name);
    }

    /** Connects with a clean start and {@code properties}, and expects a successful CONNACK. */
    static Mqtt5Client connected(int port, String clientId, Property... properties) {
        Mqtt5Client client = open(port, clientId);
        ConnAck ack = client.connect(new Connect(MqttVersion.V5, clientId, true, 60, null, null, null, Properties.of(properties)));
        assertThat(ack.reasonCode()).as("CONNACK of %s", clientId).isEqualTo(ReasonCode.SUCCESS);
        return client;
    }

    /** Sends {@code connect} and returns the CONNACK. */
    ConnAck connect(Connect connect) {
        send(connect);
        return expect(ConnAck.class);
    }

    Mqtt5Client sendRaw(byte[]... bytes) {
        raw.send(bytes);
        return this;
    }

    /** Subscribes to one filter and expects its SUBACK. */
    SubAck subscribe(int packetId, Subscription subscription, Property... properties) {
        send(new Subscribe(packetId, List.of(subscription), Properties.of(properties)));
        SubAck ack = expect(SubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack;
    }

    /** Publishes a UTF-8 payload with {@code properties}. */
    Mqtt5Client publish(String topic, QoS qos, boolean retain, int packetId, String payload, Property... properties) {
        return publish(topic, qos, retain, packetId, payload, Properties.of(properties));
    }

    /** Reads {@code n} PUBLISHes. */
    List<Publish> expectPublishes(int n) {
        List<Publish> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            result.add(expect(Publish.class));
        }
        return result;
    }

    /** Expects a DISCONNECT with {@code code}, then nothing more and the close [MQTT-3.14.4-1] [MQTT-3.14.4-2]. */
    Disconnect expectDisconnect(ReasonCode code) {
        Disconnect disconnect = expect(Disconnect.class);
        assertThat(disconnect.reasonCode()).as("%s: DISCONNECT reason code", name).isEqualTo(code);
        raw.expectClosed();
        return disconnect;
    }

    void expectClosed() {
        raw.expectClosed();
    }

    /** Expects exactly {@code bytes} (something the strict decoder would not take, such as a 3.1.1 CONNACK), then the close. */
    void expectClosedAfterRaw(byte[] bytes) {
        raw.expect(bytes);
        raw.expectClosed();
    }

    static String text(Publish publish) {
        return publish.payload().toString(StandardCharsets.UTF_8);
    }
}
