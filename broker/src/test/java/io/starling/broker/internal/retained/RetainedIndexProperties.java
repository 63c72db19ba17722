package io.starling.broker.internal.retained;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import io.starling.broker.model.Message;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.TopicMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** The retained index against a map of topics matched one by one with {@link TopicMatcher}. */
class RetainedIndexProperties {
    private static final List<String> LEVELS = List.of("a", "b", "", "$SYS", "c2");

    record Op(boolean put, String topic, int version) {}

    static Gen<String> topics() {
        return lists().of(Generate.pick(LEVELS)).ofSizeBetween(1, 4).map(l -> String.join("/", l));
    }

    static Gen<String> filters() {
        Gen<String> level = Generate.frequency(Pair.of(5, Generate.pick(LEVELS)), Pair.of(2, Generate.constant("+")));
        return lists().of(level).ofSizeBetween(1, 4).zip(Generate.booleans(), (l, hash) -> {
            List<String> all = new ArrayList<>(l);
            if (hash) {
                all.add("#");
            }
            return String.join("/", all);
        });
    }

    static Gen<List<String>> filterLists() {
        return lists().of(filters()).ofSizeBetween(1, 8);
    }

    static Gen<List<Op>> operations() {
        Gen<Op> op = Generate.pick(List.of(true, true, false)).zip(topics(), Generate.range(0, 9), Op::new);
        return lists().of(op).ofSizeBetween(0, 40);
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-10] [MQTT-4.7.2-1] a filter finds exactly the latest retained message of each matching topic")
    void matchesReference() {
        qt().withExamples(500).forAll(operations(), filterLists()).checkAssert(RetainedIndexProperties::matchesReference);
    }

    private static void matchesReference(List<Op> ops, List<String> filters) {
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
