package io.starling.jmh;

import io.netty.util.concurrent.ImmediateEventExecutor;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.protocol.PublishOutFlow;
import io.starling.broker.internal.acl.AccessControl;
import io.starling.broker.internal.retained.RetainedIndex;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.session.Session;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.Message;
import io.starling.broker.spi.Persistence;
import io.starling.codec.packet.QoS;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Routing one PUBLISH (64-byte payload, QoS 0 or 1, not retained, persistence off) through the
 * broker's {@link Router} to 1 or 1,000 subscribers whose subscriptions match it, among 10,000
 * that do not (see {@link TelemetrySubscriptions}). The matching subscriptions are spread over
 * the exact filter, a '+' on either of two levels, and a '#'. One operation is one PUBLISH; its
 * deliveries per second are the operations per second times {@code subscribers}.
 *
 * <p>Two delivery paths ({@code delivery}):
 * <ul>
 *   <li>{@code counting}: each subscriber is a {@link CountingSubscriber}, whose delivery only
 *       counts. Measured: {@link Router#publish} (the tree match, merging each subscriber's
 *       subscriptions into one target at its QoS, the metrics) and {@link Router.Publication#deliver}
 *       calling each subscriber once. This is the router's own cost.</li>
 *   <li>{@code session}: each subscriber is a real {@link Session} with a connection attached,
 *       delivering through the broker's real {@link PublishOutFlow}. Measured on top: putting the
 *       delivery in the session's mailbox and draining it, the flow's checks, for QoS 1 a packet
 *       identifier and an in-flight entry, building the PUBLISH, and encoding it into a pooled
 *       buffer as the connection would (then released by {@link DiscardingConnection}). For QoS 1
 *       the PUBACK's handling in the flow is measured too (the client acknowledges each PUBLISH
 *       at the batch's flush), but not reading or decoding the PUBACK.</li>
 * </ul>
 * Not measured in either: network I/O and the channel pipeline's write and flush, decoding the
 * incoming PUBLISH, the store (persistence is off, so nothing waits for a write), and the hand-off
 * to each subscriber's event loop: the sessions' event loop here runs their mailboxes inline on
 * the benchmark thread, where the broker would queue a task for another thread and wake it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoutingBenchmark {
    private static final String TOPIC = "site/70/device/42/telemetry";
    /** Filters that match {@link #TOPIC}, given to the subscribers in turn. */
    private static final String[] MATCHING_FILTERS = {
        TOPIC, "site/70/+/42/telemetry", "site/+/device/42/telemetry", "site/70/#"};
    private static final int PAYLOAD_BYTES = 64;
    private static final int OTHER_SUBSCRIPTIONS = 10_000;

    @Param({"0", "1"})
    int qos;

    @Param({"1", "1000"})
    int subscribers;

    @Param({"counting", "session"})
    String delivery;

    private Router router;
    private BrokerMetrics metrics;
    private Message message;
    private CountingSubscriber @Nullable [] counting;
    private DiscardingConnection @Nullable [] connections;
    private long published;

    @Setup(Level.Trial)
    public void setUp(Blackhole blackhole) {
        BrokerConfig config = BrokerConfig.defaults().inMemory();
        metrics = new BrokerMetrics();
        TopicTree tree = new TopicTree();
        new TelemetrySubscriptions(OTHER_SUBSCRIPTIONS).subscribeAll(tree);
        router = new Router(tree, new RetainedIndex(config.storage().maxRetainedMessages(),
                config.storage().maxRetainedBytes()), Persistence.NONE, metrics, new AccessControl(null));
        if (delivery.equals("counting")) {
            counting = new CountingSubscriber[subscribers];
            for (int i = 0; i < subscribers; i++) {
                counting[i] = new CountingSubscriber("subscriber-" + i);
                counting[i].consumeInto(blackhole);
                tree.subscribe(MATCHING_FILTERS[i % MATCHING_FILTERS.length], counting[i], QoS.AT_LEAST_ONCE);
            }
        } else if (delivery.equals("session")) {
            PublishOutFlow flow = new PublishOutFlow(config, Persistence.NONE, metrics);
            connections = new DiscardingConnection[subscribers];
            for (int i = 0; i < subscribers; i++) {
                Session session = new Session("subscriber-" + i, ImmediateEventExecutor.INSTANCE, flow);
                connections[i] = new DiscardingConnection(flow, blackhole);
                connections[i].attach(session);
                tree.subscribe(MATCHING_FILTERS[i % MATCHING_FILTERS.length], session, QoS.AT_LEAST_ONCE);
            }
        } else {
            throw new IllegalArgumentException("delivery is counting or session, not " + delivery);
        }
        message = new Message(TOPIC, QoS.of(qos), false, new byte[PAYLOAD_BYTES], "publisher");
        Router.Publication first = router.publish(message, null);
        if (first.stored() != null) {
            throw new IllegalStateException("persistence is off: nothing should wait for the store");
        }
        if (first.deliver() != subscribers) {
            throw new IllegalStateException("the PUBLISH did not reach all " + subscribers + " subscribers");
        }
        published = 1;
        checkEveryDelivery();
    }

    /** Every subscriber got every PUBLISH, once: nothing was dropped, queued or duplicated. */
    @TearDown(Level.Trial)
    public void checkEveryDelivery() {
        for (int i = 0; i < subscribers; i++) {
            long got = delivered(i);
            if (got != published) {
                throw new IllegalStateException("subscriber-" + i + " got " + got + " of " + published + " messages");
            }
        }
        long dropped = metrics.qos0MessagesDropped.sum() + metrics.queuedMessagesDropped.sum();
        if (dropped != 0) {
            throw new IllegalStateException(dropped + " messages dropped");
        }
    }

    private long delivered(int subscriber) {
        if (counting != null) {
            return counting[subscriber].delivered();
        }
        return Objects.requireNonNull(connections, "set up with counting or session delivery")[subscriber].publishesSent();
    }

    @Benchmark
    public int route() {
        published++;
        return router.publish(message, null).deliver();
    }
}
