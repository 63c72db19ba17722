package io.starling.cluster.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.model.Message;
import io.starling.cluster.wire.ClusterWire.Forwarded;
import io.starling.cluster.wire.ClusterWire.Frame;
import io.starling.cluster.wire.ClusterWire.Kind;
import io.starling.cluster.wire.ClusterWire.RouteChange;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ClusterWireTest {
    @Test
    @DisplayName("route changes come back in order with the sender's name")
    void routes() {
        List<RouteChange> changes = List.of(new RouteChange(true, "a/#"), new RouteChange(false, "b/+"),
                new RouteChange(true, "$share/g/ü/€"));
        byte[] frame = ClusterWire.routes(Kind.ROUTES, "node-1", changes);
        Frame decoded = ClusterWire.decode(frame, 0, frame.length);
        assertThat(decoded).isEqualTo(new Frame(Kind.ROUTES, "node-1", changes, List.of(), List.of()));
    }

    @Test
    @DisplayName("forwarded messages keep topic, QoS, retain, payload, publisher, 5.0 properties, expiry and their shared subscriptions")
    void messages() {
        Properties properties = Properties.of(
                Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
                Property.of(PropertyId.CONTENT_TYPE, "application/json"),
                Property.of(PropertyId.RESPONSE_TOPIC, "replies/1"),
                Property.of(PropertyId.CORRELATION_DATA, Bytes.of(new byte[] {0, 1, 2})),
                Property.user("a", "1"),
                Property.user("a", "2"));
        Message v5 = new Message("t/1", QoS.EXACTLY_ONCE, true, "{}".getBytes(StandardCharsets.UTF_8), "c5", properties, 1_900_000_000_123L);
        Message v311 = new Message("t/2", QoS.AT_MOST_ONCE, false, new byte[0], "c3");
        Message qos1 = new Message("t/3", QoS.AT_LEAST_ONCE, false, new byte[70_000], "");
        List<List<String>> shares = List.of(List.of("$share/g/t/+", "$share/ü/#"), List.of(), List.of("$share/g/t/3"));
        byte[] frame = ClusterWire.forward("node-2", List.of(new Forwarded(v5, shares.get(0)), new Forwarded(v311, shares.get(1)),
                new Forwarded(qos1, shares.get(2))));
        Frame decoded = ClusterWire.decode(frame, 0, frame.length);
        assertThat(decoded.kind()).isEqualTo(Kind.FORWARD);
        assertThat(decoded.sender()).isEqualTo("node-2");
        assertThat(decoded.routes()).isEmpty();
        assertThat(decoded.messages()).isEmpty();
        assertThat(decoded.forwarded()).extracting(Forwarded::shares).containsExactlyElementsOf(shares);
        for (int i = 0; i < 3; i++) {
            Message want = List.of(v5, v311, qos1).get(i);
            Message have = decoded.forwarded().get(i).message();
            assertThat(have.topic()).isEqualTo(want.topic());
            assertThat(have.qos()).isEqualTo(want.qos());
            assertThat(have.retain()).isEqualTo(want.retain());
            assertThat(have.payload()).isEqualTo(want.payload());
            assertThat(have.publisherId()).isEqualTo(want.publisherId());
            assertThat(have.properties()).isEqualTo(want.properties());
            assertThat(have.expiresAtMillis()).isEqualTo(want.expiresAtMillis());
        }
    }

    @Test
    @DisplayName("retained messages come back as messages, without shared subscriptions")
    void retained() {
        Message kept = new Message("r/1", QoS.AT_LEAST_ONCE, true, new byte[] {7}, "p");
        byte[] frame = ClusterWire.messages(Kind.RETAINED, "node-3", List.of(kept));
        Frame decoded = ClusterWire.decode(frame, 0, frame.length);
        assertThat(decoded.forwarded()).isEmpty();
        assertThat(decoded.messages()).extracting(Message::topic).containsExactly("r/1");
        assertThatThrownBy(() -> ClusterWire.messages(Kind.FORWARD, "n", List.of(kept))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a forwarded message naming what is not a shared subscription is refused")
    void refusesBadShares() {
        Message message = new Message("t", QoS.AT_MOST_ONCE, false, new byte[] {1}, "p");
        for (String bad : List.of("t/#", "$share//t", "$share/g", "$share/g/a/#/b")) {
            byte[] frame = ClusterWire.forward("n", List.of(new Forwarded(message, List.of(bad))));
            assertThatThrownBy(() -> ClusterWire.decode(frame, 0, frame.length)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a shared subscription");
        }
        byte[] frame = ClusterWire.forward("n", List.of(new Forwarded(message, List.of("$share/g/t"))));
        // the count of shared subscriptions says more than the frame holds
        byte[] lying = Arrays.copyOf(frame, frame.length);
        int countAt = 1 + 4 + 1 + 4;
        lying[countAt] = 0x7f;
        assertThatThrownBy(() -> ClusterWire.decode(lying, 0, lying.length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot name");
    }

    @Test
    @DisplayName("a cut or unknown frame is refused with IllegalArgumentException")
    void refusesBadFrames() {
        byte[] frame = ClusterWire.messages(Kind.RETAINED, "n", List.of(new Message("t", QoS.AT_MOST_ONCE, true, new byte[] {1}, "p")));
        assertThatThrownBy(() -> ClusterWire.decode(frame, 0, frame.length - 1)).isInstanceOf(IllegalArgumentException.class);
        byte[] unknown = Arrays.copyOf(frame, frame.length);
        unknown[0] = 9;
        assertThatThrownBy(() -> ClusterWire.decode(unknown, 0, unknown.length))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown cluster frame kind 9");
    }
}
