package io.starling.broker.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.codec.packet.QoS;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jspecify.annotations.Nullable;

/** {@link Targets} against a map model: one entry per subscriber, in first-match order, at the highest granted QoS downgraded to the published one. */
class TargetsProperties {
    private record Named(String clientId) implements Subscriber {
        @Override
        public long nextQueueSeq() {
            return 0;
        }

        @Override
        public void deliver(Message message, QoS qos, @Nullable QueueRef stored) {}
    }

    @Property
    void sameAsAMapModel(@ForAll @IntRange(min = 0, max = 2) int published,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 40) Integer> subscriberOfMatch,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 2) Integer> grantedOfMatch) {
        List<Named> subscribers = new ArrayList<>();
        for (int i = 0; i <= 40; i++) {
            subscribers.add(new Named("c" + i));
        }
        QoS publishedQos = QoS.of(published);
        Targets targets = new Targets(publishedQos);
        Map<Subscriber, QoS> model = new LinkedHashMap<>();
        int matches = Math.min(subscriberOfMatch.size(), grantedOfMatch.size());
        for (int m = 0; m < matches; m++) {
            Subscriber s = subscribers.get(subscriberOfMatch.get(m));
            QoS granted = QoS.of(grantedOfMatch.get(m));
            targets.accept(s, granted);
            model.merge(s, QoS.min(publishedQos, granted), (a, b) -> a.value() >= b.value() ? a : b);
        }
        Map<Subscriber, QoS> actual = new LinkedHashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            assertThat(actual.put(targets.subscriber(i), targets.qos(i))).as("listed once").isNull();
        }
        assertThat(actual).containsExactlyEntriesOf(model);
    }
}
