package io.starling.cluster.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.cluster.SessionState;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SessionWireTest {
    @Test
    @DisplayName("TAKE and its answer with a whole session state (deliveries, options, inbound ids, will) round-trip")
    void takeAndStateRoundTrip() {
        byte[] take = SessionWire.take(new SessionWire.Take("node-c", 3, "dev", false, "node-a"));
        assertThat(SessionWire.isSessionFrame(take, 0, take.length)).isTrue();
        assertThat(SessionWire.decode(take, 0, take.length)).isEqualTo(new SessionWire.Take("node-c", 3, "dev", false, "node-a"));

        Message one = new Message("q/1", QoS.AT_LEAST_ONCE, true, "one".getBytes(StandardCharsets.UTF_8), "pub");
        Message will = new Message("wills/dev", QoS.AT_MOST_ONCE, false, "gone".getBytes(StandardCharsets.UTF_8), "dev");
        SessionState state = new SessionState("dev", 600,
                Map.of("q/#", new SubscriptionOptions(QoS.EXACTLY_ONCE, true, false, RetainHandling.SEND_IF_NEW_SUBSCRIPTION, 8)),
                List.of(new SessionState.Delivery(one, QoS.AT_LEAST_ONCE, true, new int[] {8}, 17, false),
                        new SessionState.Delivery(one, QoS.AT_MOST_ONCE, false, new int[0], 0, false)),
                Set.of(2, 3), will, 45);
        byte[] answer = SessionWire.answer(new SessionWire.Answer("node-a", 3, SessionWire.Outcome.STATE, state, ""));
        SessionWire.Answer back = (SessionWire.Answer) SessionWire.decode(answer, 0, answer.length);
        SessionState got = back.state();
        assertThat(got).isNotNull();
        assertThat(got.subscriptions()).isEqualTo(state.subscriptions());
        assertThat(got.inbound()).isEqualTo(state.inbound());
        assertThat(got.deliveries()).extracting(SessionState.Delivery::packetId, SessionState.Delivery::qos)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(17, QoS.AT_LEAST_ONCE), org.assertj.core.groups.Tuple.tuple(0, QoS.AT_MOST_ONCE));
        assertThat(got.deliveries().get(0).subscriptionIds()).containsExactly(8);
        assertThat(got.will()).isNotNull();
        assertThat(got.will().topic()).isEqualTo("wills/dev");
        assertThat(got.willDelaySeconds()).isEqualTo(45);

        byte[] failed = SessionWire.answer(new SessionWire.Answer("node-a", 4, SessionWire.Outcome.FAILED, null, "disk full"));
        assertThat(((SessionWire.Answer) SessionWire.decode(failed, 0, failed.length)).failure()).isEqualTo("disk full");
        assertThatThrownBy(() -> SessionWire.decode(answer, 0, answer.length - 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
