package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A test client of either 3.1.1 or 5.0 for the ACL tests: packets encoded and decoded by the codec
 * for its version over a {@link RawClient}, so that one test body runs for both versions and
 * asserts exact return and reason codes.
 */
final class AclClient extends CodecClient<AclClient> {
    private AclClient(int port, MqttVersion version, String name) {
        super(port, version, name);
    }

    @Override
    AclClient self() {
        return this;
    }

    /** Connects {@code clientId} with {@code username} (null: anonymous) and {@code will} (or none), clean. */
    static AclClient connected(int port, MqttVersion version, String clientId, @Nullable String username, @Nullable Will will) {
        AclClient client = new AclClient(port, version, clientId);
        client.send(new Connect(version, clientId, true, 60, username, null, will, Properties.EMPTY));
        ConnAck ack = client.expect(ConnAck.class);
        assertThat(ack.reasonCode()).as("CONNACK of %s", clientId).isEqualTo(ReasonCode.SUCCESS);
        return client;
    }

    static AclClient connected(int port, MqttVersion version, String clientId, @Nullable String username) {
        return connected(port, version, clientId, username, null);
    }

    /** Subscribes to {@code filters} at QoS 1 in one SUBACK and returns its return or reason codes as bytes. */
    List<Integer> subscribe(int packetId, String... filters) {
        send(new Subscribe(packetId, Arrays.stream(filters).map(f -> new Subscription(f, QoS.AT_LEAST_ONCE)).toList()));
        SubAck ack = expect(SubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        return ack.reasonCodes().stream().map(ReasonCode::value).toList();
    }

    AclClient publish(String topic, QoS qos, boolean retain, int packetId, String payload) {
        return publish(topic, qos, retain, packetId, payload, Properties.EMPTY);
    }

    /** Reads the next PUBLISH and returns "topic=payload" (with " retained" when RETAIN is 1). */
    String nextMessage() {
        Publish p = expect(Publish.class);
        return p.topic() + "=" + p.payload().toString(StandardCharsets.UTF_8) + (p.retained() ? " retained" : "");
    }
}
