package io.starling.broker.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Targets} against a map model: one entry per subscriber, in first-match order, at the highest granted QoS downgraded to the published one. */
class TargetsProperties {
    private record Named(String clientId) implements Subscriber {
        @Override
        public long nextQueueSeq() {
            return 0;
        }

        @Override
        public void deliver(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {}
    }

    @Test
    @DisplayName("one entry per subscriber, in first-match order, at its highest granted QoS capped at the published one")
    void sameAsAMapModel() {
        qt().withExamples(1000)
                .forAll(integers().between(0, 2),
                        lists().of(integers().between(0, 40)).ofSizeBetween(0, 200),
                        lists().of(integers().between(0, 2)).ofSizeBetween(0, 200))
                .checkAssert(TargetsProperties::sameAsAMapModel);
    }

    private static void sameAsAMapModel(int published, List<Integer> subscriberOfMatch, List<Integer> grantedOfMatch) {
        List<Named> subscribers = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            subscribers.add(new Named("c" + i));
        }
        QoS publishedQos = QoS.of(published);
        Targets targets = new Targets(new Message("t", publishedQos, false, new byte[0], "publisher"));
        Map<Subscriber, QoS> model = new LinkedHashMap<>();
        int matches = Math.min(subscriberOfMatch.size(), grantedOfMatch.size());
        for (int m = 0; m < matches; m++) {
            Subscriber s = subscribers.get(subscriberOfMatch.get(m));
            QoS granted = QoS.of(grantedOfMatch.get(m));
            targets.accept(s, SubscriptionOptions.of(granted));
            model.merge(s, QoS.min(publishedQos, granted), (a, b) -> a.value() >= b.value() ? a : b);
        }
        Map<Subscriber, QoS> actual = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            assertThat(actual.put(targets.subscriber(i), targets.qos(i))).as("listed once").isNull();
        }
        assertThat(actual).containsExactlyEntriesOf(model);
    }
}
