package io.starling.cluster.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.cluster.SessionChange;
import io.starling.broker.cluster.SessionState;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ReplicasTest {
    private static Message message(String payload) {
        return new Message("q/x", QoS.AT_LEAST_ONCE, false, payload.getBytes(StandardCharsets.UTF_8), "pub");
    }

    private static String text(SessionState.Delivery d) {
        return new String(d.message().payload(), StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("changes rebuild the session: in-flight entries first with their packet ids, then queued in order; acknowledged ones gone")
    void changesRebuildTheSession() {
        Replicas replicas = new Replicas();
        List<Message> retained = new ArrayList<>();
        replicas.apply("a", List.of(
                new SessionChange.Session("dev", 0, 600),
                new SessionChange.Subscribed("dev", "q/#", SubscriptionOptions.of(QoS.AT_LEAST_ONCE)),
                new SessionChange.MessageStored(1, message("one")),
                new SessionChange.Queued("dev", 1, 1, QoS.AT_LEAST_ONCE, false, new int[0], 0, false),
                new SessionChange.MessageStored(2, message("two")),
                new SessionChange.Queued("dev", 2, 2, QoS.AT_LEAST_ONCE, false, new int[0], 0, false),
                new SessionChange.MessageStored(3, message("three")),
                new SessionChange.Queued("dev", 3, 3, QoS.AT_LEAST_ONCE, false, new int[0], 0, false)), retained::add);
        replicas.apply("a", List.of(
                // one sent and acknowledged, one sent and in flight
                new SessionChange.Dequeued("dev", 1),
                new SessionChange.MessageReleased(1),
                new SessionChange.Queued("dev", 3, 3, QoS.AT_LEAST_ONCE, false, new int[0], 9, false),
                new SessionChange.Inbound("dev", 4),
                new SessionChange.Retained(message("kept"))), retained::add);

        assertThat(replicas.clientIdsOf("a")).containsExactly("dev");
        assertThat(retained).extracting(m -> new String(m.payload(), StandardCharsets.UTF_8)).containsExactly("kept");
        SessionState state = replicas.take("a", "dev");
        assertThat(state).isNotNull();
        assertThat(state.expirySeconds()).isEqualTo(600);
        assertThat(state.subscriptions()).containsOnlyKeys("q/#");
        assertThat(state.inbound()).containsExactly(4);
        assertThat(state.deliveries()).extracting(ReplicasTest::text).containsExactly("three", "two");
        assertThat(state.deliveries()).extracting(SessionState.Delivery::packetId).containsExactly(9, 0);
        assertThat(replicas.take("a", "dev")).isNull();
        assertThat(replicas.size()).isZero();
    }

    @Test
    @DisplayName("a snapshot applied over changes that came first keeps both; a removed session and a dropped origin are gone")
    void snapshotMergesAndRemovals() {
        Replicas replicas = new Replicas();
        replicas.apply("a", List.of(new SessionChange.MessageStored(5, message("late")),
                new SessionChange.Queued("dev", 5, 5, QoS.AT_LEAST_ONCE, false, new int[0], 0, false)), m -> { });
        replicas.apply("a", List.of(new SessionChange.Session("dev", 0, 60),
                new SessionChange.MessageStored(4, message("early")),
                new SessionChange.Queued("dev", 4, 4, QoS.AT_LEAST_ONCE, false, new int[0], 0, false),
                new SessionChange.Session("gone", 0, 60)), m -> { });
        replicas.apply("a", List.of(new SessionChange.SessionRemoved("gone")), m -> { });
        assertThat(replicas.clientIdsOf("a")).containsExactly("dev");
        replicas.apply("b", List.of(new SessionChange.Session("other", 0, 60)), m -> { });
        replicas.drop("b");
        assertThat(replicas.origins()).containsExactly("a");
        assertThat(replicas.take("a", "dev").deliveries()).extracting(ReplicasTest::text).containsExactly("early", "late");
    }
}
