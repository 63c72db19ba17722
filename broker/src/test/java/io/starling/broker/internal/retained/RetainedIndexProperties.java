package io.starling.broker.internal.retained;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.model.Message;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.TopicMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** The retained index against a map of topics matched one by one with {@link TopicMatcher}. */
class RetainedIndexProperties {
    private static final List<String> LEVELS = List.of("a", "b", "", "$SYS", "c2");

    record Op(boolean put, String topic, int version) {}

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.of(LEVELS).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
    }

    @Provide
    Arbitrary<String> filters() {
        Arbitrary<String> level = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of(LEVELS)), Tuple.of(2, Arbitraries.just("+")));
        return Combinators.combine(level.list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(true, false)).as((l, hash) -> {
            List<String> all = new ArrayList<>(l);
            if (hash) {
                all.add("#");
            }
            return String.join("/", all);
        });
    }

    @Provide
    Arbitrary<List<String>> filterLists() {
        return filters().list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        return Combinators.combine(Arbitraries.of(true, true, false), topics(), Arbitraries.integers().between(0, 9))
                .as(Op::new).list().ofMaxSize(40);
    }

    @Property(tries = 500)
    @Label("[MQTT-3.3.1-5] [MQTT-3.3.1-10] [MQTT-4.7.2-1] a filter finds exactly the latest retained message of each matching topic")
    void matchesReference(@ForAll("operations") List<Op> ops, @ForAll("filterLists") List<String> filters) {
        RetainedIndex index = new RetainedIndex();
        Map<String, Message> reference = new HashMap<>();
        for (Op op : ops) {
            if (op.put()) {
                Message m = new Message(op.topic(), QoS.AT_LEAST_ONCE, true, new byte[] {(byte) op.version()}, "p");
                index.put(m);
                reference.put(op.topic(), m);
            } else {
                index.remove(op.topic());
                reference.remove(op.topic());
            }
        }
        assertThat(index.size()).isEqualTo(reference.size());
        for (String filter : filters) {
            List<Message> found = new ArrayList<>();
            index.forEachMatching(filter, found::add);
            List<Message> expected = reference.values().stream().filter(m -> TopicMatcher.matches(filter, m.topic())).toList();
            assertThat(found).as("retained messages for %s", filter).containsExactlyInAnyOrderElementsOf(expected);
        }
        for (String topic : new ArrayList<>(reference.keySet())) {
            index.remove(topic);
        }
        assertThat(index.size()).isZero();
    }
}
