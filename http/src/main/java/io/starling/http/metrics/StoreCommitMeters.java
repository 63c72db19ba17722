package io.starling.http.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.starling.broker.metrics.StoreCommits;
import io.starling.broker.spi.CommitListener;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The store's commits as histograms: {@code starling_store_commit_seconds} (how long each batch
 * took to write and sync) and {@code starling_store_commit_batch_size} (writes per batch: how much
 * the group commit gathered). Recorded on the store's commit thread, once per batch; a broker
 * with persistence off commits nothing, and these stay at 0.
 */
final class StoreCommitMeters implements CommitListener {
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2_500), Duration.ofSeconds(5)};
    private static final double[] BATCH_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096};

    private final StoreCommits commits;
    private final Timer latency;
    private final DistributionSummary batchSize;

    StoreCommitMeters(MeterSet meters, StoreCommits commits) {
        this.commits = commits;
        this.latency = meters.add(Timer.builder("starling.store.commit")
                .description("Time to write one batch to the store, its sync included")
                .serviceLevelObjectives(LATENCY_BUCKETS).register(meters.registry()));
        this.batchSize = meters.add(DistributionSummary.builder("starling.store.commit.batch.size")
                .description("Writes (one per operation: a QoS 1 message, a subscription...) committed together in one batch")
                .serviceLevelObjectives(BATCH_BUCKETS).register(meters.registry()));
        meters.add(FunctionCounter.builder("starling.store.changes", commits, c -> c.changes.sum())
                .description("Records put or removed in the store").register(meters.registry()));
        commits.forwardTo(this);
    }

    @Override
    public void committed(int writes, int changes, long durationNanos) {
        latency.record(durationNanos, TimeUnit.NANOSECONDS);
        batchSize.record(writes);
    }

    /** Stops recording. */
    void stop() {
        commits.forwardTo(CommitListener.NONE);
    }
}
