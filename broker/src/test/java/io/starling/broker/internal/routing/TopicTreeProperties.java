package io.starling.broker.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;

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
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;

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
        public void deliver(Message message, QoS qos, @Nullable QueueRef stored) {
            throw new AssertionError("not used");
        }
    }

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.of(LEVELS).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("/", l));
    }

    @Provide
    Arbitrary<List<String>> topicLists() {
        return topics().list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> filters() {
        Arbitrary<String> level = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.of(LEVELS)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just("+")));
        Arbitrary<List<String>> levels = level.list().ofMinSize(1).ofMaxSize(4);
        return Combinators.combine(levels, Arbitraries.of(true, false)).as((l, hash) -> {
            List<String> all = new ArrayList<>(l);
            if (hash) {
                all.add("#");
            }
            return String.join("/", all);
        }).filter(f -> !f.isEmpty());
    }

    @Provide
    Arbitrary<List<Op>> operations() {
        Arbitrary<Sub> sub = Combinators.combine(
                        Arbitraries.oneOf(filters(), Arbitraries.just("#")),
                        Arbitraries.integers().between(0, 5),
                        Arbitraries.of(QoS.values()))
                .as(Sub::new);
        return Combinators.combine(Arbitraries.of(true, true, false), sub).as(Op::new).list().ofMaxSize(60);
    }

    @Property(tries = 500)
    @Label("[MQTT-4.7.1-*] [MQTT-4.7.2-1] the tree matches exactly what the reference model matches")
    void treeMatchesReference(@ForAll("operations") List<Op> ops, @ForAll("topicLists") List<String> topics) {
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
            tree.match(topic, (subscriber, qos) -> actual.add(((Id) subscriber).n() + "|" + qos));
            List<String> expectedWithoutFilter = expected.stream().map(e -> e.substring(e.indexOf('|') + 1)).sorted().toList();
            assertThat(actual).as("matches of %s", topic).containsExactlyInAnyOrderElementsOf(expectedWithoutFilter);
        }
    }

    @Property(tries = 200)
    @Label("unsubscribing everything leaves an empty tree that matches nothing")
    void unsubscribeAllEmptiesTree(@ForAll("operations") List<Op> ops, @ForAll("topics") String topic) {
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
