package io.starling.jmh;

import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Matching one PUBLISH topic against the {@link TopicTree} (the broker's subscription index)
 * holding 10,000 or 1,000,000 subscriptions of an IoT fleet: exact filters, one tenth with a '+'
 * and a few with '#' (see {@link TelemetrySubscriptions}). Three cases: a topic that matches
 * exactly one subscription, one that matches three (exact, '+' and '#'), and one that matches
 * none after walking down to the device level. Each invocation takes the next of
 * {@value #TOPICS} different topics, drawn at random from all those of its case, so that the
 * figure includes the cache misses of a large tree rather than one hot path through it.
 *
 * <p>Measured: {@link TopicTree#match} alone (splitting the topic into levels, the lookups, and
 * one call per matching subscription, whose subscriber and QoS go to a Blackhole). Not measured:
 * the router's merging of a subscriber's overlapping subscriptions and the deliveries (see
 * {@link RoutingBenchmark}). Building the tree of 1,000,000 takes a few seconds and about half a GB of
 * heap, hence the larger heap of the fork.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class TopicMatchBenchmark {
    /** Topics per case: a power of two, so that the next index is a mask away. */
    private static final int TOPICS = 1 << 14;

    @Param({"10000", "1000000"})
    int subscriptions;

    private final TopicTree tree = new TopicTree();
    private final ConsumingMatch match = new ConsumingMatch();
    private String[] matchingOne;
    private String[] matchingThree;
    private String[] matchingNone;
    private int next;

    /** Hands every matching subscription to a Blackhole and counts them. */
    private static final class ConsumingMatch implements TopicTree.Match {
        /** Set by {@link #run} before the tree calls {@link #accept}, which NullAway cannot follow. */
        @SuppressWarnings("NullAway.Init")
        Blackhole blackhole;
        int count;

        int run(TopicTree tree, String topic, Blackhole blackhole) {
            this.blackhole = blackhole;
            count = 0;
            tree.match(topic, this);
            return count;
        }

        @Override
        public void accept(Subscriber subscriber, SubscriptionOptions options) {
            count++;
            blackhole.consume(subscriber);
            blackhole.consume(options);
        }
    }

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        TelemetrySubscriptions fleet = new TelemetrySubscriptions(subscriptions);
        int added = fleet.subscribeAll(tree);
        if (added != subscriptions || tree.size() != subscriptions) {
            throw new IllegalStateException("expected " + subscriptions + " subscriptions, the tree has " + tree.size());
        }
        SplittableRandom random = new SplittableRandom(20240611L);
        matchingOne = fleet.matchingOne(TOPICS, random);
        matchingThree = fleet.matchingThree(TOPICS, random);
        matchingNone = fleet.matchingNone(TOPICS, random);
        check(matchingOne, 1, blackhole);
        check(matchingThree, 3, blackhole);
        check(matchingNone, 0, blackhole);
    }

    private void check(String[] topics, int expected, Blackhole blackhole) {
        for (String topic : topics) {
            int matched = match.run(tree, topic, blackhole);
            if (matched != expected) {
                throw new IllegalStateException(topic + " matches " + matched + " subscriptions, not " + expected);
            }
        }
    }

    private String nextTopic(String[] topics) {
        String topic = topics[next];
        next = (next + 1) & (TOPICS - 1);
        return topic;
    }

    @Benchmark
    public int matchOne(Blackhole blackhole) {
        return match.run(tree, nextTopic(matchingOne), blackhole);
    }

    @Benchmark
    public int matchSeveral(Blackhole blackhole) {
        return match.run(tree, nextTopic(matchingThree), blackhole);
    }

    @Benchmark
    public int matchNone(Blackhole blackhole) {
        return match.run(tree, nextTopic(matchingNone), blackhole);
    }
}
