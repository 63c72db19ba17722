package io.starling.broker.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.TopicMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The topic tree against a reference model: a plain list of subscriptions matched one by one
 * with {@link TopicMatcher}. After any sequence of subscribes and unsubscribes, every topic
 * matches exactly the subscriptions the reference matches, with their QoS.
 */
class TopicTreeProperties {
    private static final List<String> LEVELS = List.of("a", "b", "c", "", "$SYS", "x1");

    record Sub(String filter, int subscriber, QoS qos) {}

    record Op(boolean subscribe, Sub sub) {}

    /** A subscriber that is only an identity. */
    record Id(int n) implements Subscriber {
        @Override
        public String clientId() {
            return "c" + n;
        }

        @Override
        public long nextQueueSeq() {
            throw new AssertionError("not used: the tree only stores and matches subscribers");
        }

        @Override
        public void deliver(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
            throw new AssertionError("not used");
        }
    }

    static Gen<String> topics() {
        return lists().of(Generate.pick(LEVELS)).ofSizeBetween(1, 4).map(l -> String.join("/", l));
    }

    static Gen<List<String>> topicLists() {
        return lists().of(topics()).ofSizeBetween(1, 8);
    }

    static Gen<String> filters() {
        Gen<String> level = Generate.frequency(Pair.of(6, Generate.pick(LEVELS)), Pair.of(3, Generate.constant("+")));
        Gen<List<String>> levels = lists().of(level).ofSizeBetween(1, 4);
        return levels.zip(Generate.booleans(), (l, hash) -> {
            List<String> all = new ArrayList<>(l);
            if (hash) {
                all.add("#");
            }
            return String.join("/", all);
        }).assuming(f -> !f.isEmpty());
    }

    static Gen<List<Op>> operations() {
        Gen<Sub> sub = Generate.frequency(Pair.of(1, filters()), Pair.of(1, Generate.constant("#")))
                .zip(Generate.range(0, 5), Generate.enumValues(QoS.class), Sub::new);
        return lists().of(Generate.pick(List.of(true, true, false)).zip(sub, Op::new)).ofSizeBetween(0, 60);
    }

    @Test
    @DisplayName("[MQTT-4.7.1-*] [MQTT-4.7.2-1] the tree matches exactly what the reference model matches")
    void treeMatchesReference() {
        qt().withExamples(500).forAll(operations(), topicLists()).checkAssert(TopicTreeProperties::treeMatchesReference);
    }

    @Test
    @DisplayName("unsubscribing everything leaves an empty tree that matches nothing")
    void unsubscribeAllEmptiesTree() {
        qt().withExamples(200).forAll(operations(), topics()).checkAssert(TopicTreeProperties::unsubscribeAllEmptiesTree);
    }

    private static void treeMatchesReference(List<Op> ops, List<String> topics) {
        TopicTree tree = new TopicTree();
        Map<String, Map<Integer, QoS>> reference = new HashMap<>();
        for (Op op : ops) {
            Sub s = op.sub();
            if (op.subscribe()) {
                boolean replaced = tree.subscribe(s.filter(), new Id(s.subscriber()), s.qos());
                QoS before = reference.computeIfAbsent(s.filter(), f -> new HashMap<>()).put(s.subscriber(), s.qos());
                assertThat(replaced).isEqualTo(before != null);
            } else {
                boolean removed = tree.unsubscribe(s.filter(), new Id(s.subscriber()));
                Map<Integer, QoS> subs = reference.get(s.filter());
                assertThat(removed).isEqualTo(subs != null && subs.remove(s.subscriber()) != null);
            }
        }
        assertThat(tree.size()).isEqualTo(reference.values().stream().mapToInt(Map::size).sum());
        for (String topic : topics) {
            Set<String> expected = new HashSet<>();
            reference.forEach((filter, subs) -> {
                if (TopicMatcher.matches(filter, topic)) {
                    subs.forEach((id, qos) -> expected.add(filter + "|" + id + "|" + qos));
                }
            });
            List<String> actual = new ArrayList<>();
            tree.match(topic, (subscriber, options) -> actual.add(((Id) subscriber).n() + "|" + options.qos()));
            List<String> expectedWithoutFilter = expected.stream().map(e -> e.substring(e.indexOf('|') + 1)).sorted().toList();
            assertThat(actual).as("matches of %s", topic).containsExactlyInAnyOrderElementsOf(expectedWithoutFilter);
        }
    }

    private static void unsubscribeAllEmptiesTree(List<Op> ops, String topic) {
        TopicTree tree = new TopicTree();
        Set<Sub> present = new HashSet<>();
        for (Op op : ops) {
            tree.subscribe(op.sub().filter(), new Id(op.sub().subscriber()), op.sub().qos());
            present.add(new Sub(op.sub().filter(), op.sub().subscriber(), QoS.AT_MOST_ONCE));
        }
        for (Sub s : present) {
            tree.unsubscribe(s.filter(), new Id(s.subscriber()));
        }
        assertThat(tree.size()).isZero();
        List<Subscriber> matched = new ArrayList<>();
        tree.match(topic, (subscriber, qos) -> matched.add(subscriber));
        assertThat(matched).isEmpty();
    }
}
