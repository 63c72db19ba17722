package io.starling.cluster.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.cluster.SessionChange;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReplicationWireTest {
    private static Message message(String topic, String payload) {
        return new Message(topic, QoS.EXACTLY_ONCE, false, payload.getBytes(StandardCharsets.UTF_8), "pub",
                Properties.of(Property.of(PropertyId.CONTENT_TYPE, "text/plain")), 1_900_000_000_000L);
    }

    @Test
    @DisplayName("every kind of session change survives a REPLICATE frame, in order, messages and options included")
    void everyChangeRoundTrips() {
        List<SessionChange> changes = List.of(
                new SessionChange.Session("dev", 0, 3600),
                new SessionChange.Will("dev", message("wills/dev", "gone"), 30),
                new SessionChange.WillRemoved("dev"),
                new SessionChange.Subscribed("dev", "q/#", new SubscriptionOptions(QoS.AT_LEAST_ONCE, true, true,
                        RetainHandling.DO_NOT_SEND, 42)),
                new SessionChange.Unsubscribed("dev", "old/+"),
                new SessionChange.MessageStored(7, message("q/1", "one")),
                new SessionChange.Queued("dev", 11, 7, QoS.AT_LEAST_ONCE, true, new int[] {42, 43}, 5, true),
                new SessionChange.Dequeued("dev", 10),
                new SessionChange.MessageReleased(6),
                new SessionChange.Inbound("dev", 65535),
                new SessionChange.InboundReleased("dev", 1),
                new SessionChange.Retained(message("r/t", "kept")),
                new SessionChange.RetainedRemoved("r/gone"),
                new SessionChange.SessionRemoved("other"));
        byte[] frame = ReplicationWire.batch(new ReplicationWire.Batch("node-a", 99, false, changes));
        assertThat(ReplicationWire.isReplicationFrame(frame, 0, frame.length)).isTrue();

        ReplicationWire.Batch back = (ReplicationWire.Batch) ReplicationWire.decode(frame, 0, frame.length);
        assertThat(back.origin()).isEqualTo("node-a");
        assertThat(back.id()).isEqualTo(99);
        assertThat(back.snapshot()).isFalse();
        assertThat(back.changes()).hasSize(changes.size());
        for (int i = 0; i < changes.size(); i++) {
            SessionChange expected = changes.get(i);
            SessionChange got = back.changes().get(i);
            if (expected instanceof SessionChange.Queued q) {
                SessionChange.Queued r = (SessionChange.Queued) got;
                assertThat(r.subscriptionIds()).containsExactly(q.subscriptionIds());
                assertThat(Arrays.asList(r.clientId(), r.seq(), r.messageId(), r.qos(), r.retain(), r.packetId(), r.released()))
                        .containsExactly(q.clientId(), q.seq(), q.messageId(), q.qos(), q.retain(), q.packetId(), q.released());
            } else if (expected instanceof SessionChange.MessageStored m) {
                SessionChange.MessageStored r = (SessionChange.MessageStored) got;
                assertThat(r.id()).isEqualTo(m.id());
                assertThat(r.message().payload()).isEqualTo(m.message().payload());
                assertThat(r.message().properties()).isEqualTo(m.message().properties());
                assertThat(r.message().expiresAtMillis()).isEqualTo(m.message().expiresAtMillis());
            } else if (expected instanceof SessionChange.Will w) {
                assertThat(((SessionChange.Will) got).will().topic()).isEqualTo(w.will().topic());
                assertThat(((SessionChange.Will) got).delaySeconds()).isEqualTo(30);
            } else if (expected instanceof SessionChange.Retained t) {
                assertThat(((SessionChange.Retained) got).message().topic()).isEqualTo(t.message().topic());
            } else {
                assertThat(got).isEqualTo(expected);
            }
        }
    }

    @Test
    @DisplayName("an acknowledgement round-trips; a frame cut short or with an unknown change is refused")
    void ackAndBrokenFrames() {
        byte[] ack = ReplicationWire.ack(new ReplicationWire.Ack("node-b", 12));
        assertThat(ReplicationWire.decode(ack, 0, ack.length)).isEqualTo(new ReplicationWire.Ack("node-b", 12));
        byte[] frame = ReplicationWire.batch(new ReplicationWire.Batch("a", 1, true, List.of(new SessionChange.Dequeued("x", 1))));
        assertThatThrownBy(() -> ReplicationWire.decode(frame, 0, frame.length - 3)).isInstanceOf(IllegalArgumentException.class);
        byte[] unknown = frame.clone();
        // the change's kind byte follows kind (1), origin (4 + 1), id (8), snapshot flag (1) and count (4)
        unknown[1 + 5 + 8 + 1 + 4] = 99;
        assertThatThrownBy(() -> ReplicationWire.decode(unknown, 0, unknown.length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown session change 99");
    }

    @Test
    @DisplayName("backups are the next members in the ring of names, wrapping around, fewer when there are fewer members")
    void backupsFollowTheRing() {
        Set<String> three = Set.of("node-a", "node-b", "node-c");
        assertThat(Replicator.backupsOf("node-a", three, 2)).containsExactly("node-b");
        assertThat(Replicator.backupsOf("node-c", three, 2)).containsExactly("node-a");
        assertThat(Replicator.backupsOf("node-b", three, 3)).containsExactly("node-c", "node-a");
        assertThat(Replicator.backupsOf("node-a", Set.of("node-a"), 2)).isEmpty();
        assertThat(Replicator.backupsOf("node-a", three, 1)).isEmpty();
    }
}
