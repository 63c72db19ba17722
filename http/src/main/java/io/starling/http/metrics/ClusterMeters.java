package io.starling.http.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.starling.broker.cluster.ClusterStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The cluster's meters ({@code starling_cluster_*}, docs/metrics.md), from the {@link
 * ClusterStatus} taken at each {@link #refresh}: none until a cluster transport is attached, which
 * happens after the meters are bound. The per-node gauges follow the view: a node that leaves
 * loses its series.
 */
final class ClusterMeters {
    private final MeterSet meters;
    private final Supplier<Optional<ClusterStatus>> status;
    private volatile @Nullable ClusterStatus last;
    private @Nullable MultiGauge routes;
    private @Nullable MultiGauge queues;
    private boolean closed;

    ClusterMeters(MeterSet meters, Supplier<Optional<ClusterStatus>> status) {
        this.meters = meters;
        this.status = status;
    }

    /** Takes the cluster's status now; the first one registers the meters, each one brings the per-node series up to date. */
    synchronized void refresh() {
        if (closed) {
            return;
        }
        Optional<ClusterStatus> now = status.get();
        if (now.isEmpty()) {
            return;
        }
        ClusterStatus taken = now.get();
        last = taken;
        MultiGauge byNodeRoutes = routes;
        MultiGauge byNodeQueues = queues;
        if (byNodeRoutes == null || byNodeQueues == null) {
            register();
            byNodeRoutes = routes = MultiGauge.builder("starling.cluster.routes")
                    .description("Topic filters with subscribers on each node (this one included), as this node knows them")
                    .register(meters.registry());
            byNodeQueues = queues = MultiGauge.builder("starling.cluster.forward.queue")
                    .description("Messages waiting to be forwarded to each other node: the forwarding lag")
                    .register(meters.registry());
        }
        List<MultiGauge.Row<?>> routeRows = new ArrayList<>();
        taken.routes().keySet().forEach(node -> routeRows.add(MultiGauge.Row.of(Tags.of("node", node),
                () -> current().routes().getOrDefault(node, 0))));
        byNodeRoutes.register(routeRows, true);
        List<MultiGauge.Row<?>> queueRows = new ArrayList<>();
        taken.forwardQueue().keySet().forEach(node -> queueRows.add(MultiGauge.Row.of(Tags.of("node", node),
                () -> current().forwardQueue().getOrDefault(node, 0L))));
        byNodeQueues.register(queueRows, true);
    }

    /** Removes the per-node series (the other meters are in the {@link MeterSet}). */
    synchronized void close() {
        closed = true;
        if (routes != null) {
            routes.register(List.of(), true);
        }
        if (queues != null) {
            queues.register(List.of(), true);
        }
    }

    private ClusterStatus current() {
        ClusterStatus known = last;
        if (known == null) {
            throw new IllegalStateException("registered before any status");
        }
        return known;
    }

    private void register() {
        meters.add(Gauge.builder("starling.cluster.members", this, c -> c.current().members().size())
                .description("Members of the cluster view, this node included").strongReference(true).register(meters.registry()));
        meters.add(Gauge.builder("starling.cluster.replication.queue", this, c -> c.current().replicationQueue())
                .description("Retained changes waiting to be sent to the other nodes").strongReference(true)
                .register(meters.registry()));
        String batches = "Network messages forwarded messages went in, by direction";
        counter("starling.cluster.batches", batches, "direction", "out", null, t -> t.batchesOut());
        counter("starling.cluster.batches", batches, "direction", "in", null, t -> t.batchesIn());
        String bytes = "Bytes of those network messages, as framed, by direction";
        counter("starling.cluster.bytes", bytes, "direction", "out", "bytes", t -> t.bytesOut());
        counter("starling.cluster.bytes", bytes, "direction", "in", "bytes", t -> t.bytesIn());
        String retained = "Retained changes and snapshot entries replicated, by direction";
        counter("starling.cluster.retained.replicated", retained, "direction", "out", null, t -> t.retainedOut());
        counter("starling.cluster.retained.replicated", retained, "direction", "in", null, t -> t.retainedIn());
        counter("starling.cluster.forward.drops", "Messages and retained changes not sent to another node: gone, queue full or send failed",
                null, null, null, t -> t.dropped());
    }

    private void counter(String name, String description, @Nullable String key, @Nullable String value, @Nullable String unit,
            ToDoubleFunction<ClusterStatus.Traffic> f) {
        FunctionCounter.Builder<ClusterMeters> builder = FunctionCounter.builder(name, this, c -> f.applyAsDouble(c.current().traffic()))
                .description(description);
        if (key != null && value != null) {
            builder.tag(key, value);
        }
        if (unit != null) {
            builder.baseUnit(unit);
        }
        meters.add(builder.register(meters.registry()));
    }
}
