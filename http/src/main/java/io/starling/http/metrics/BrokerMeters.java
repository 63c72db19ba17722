package io.starling.http.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.starling.broker.Broker;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.cluster.ClusterStatus;
import io.starling.broker.metrics.BrokerMetrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker's meters in a Micrometer registry, from {@link #bind} to {@link #close}: its counts
 * ({@code starling_*_total}), its size ({@code starling_connections}, {@code starling_sessions}
 * ...), the sampled session histograms (see {@link SessionDepths}), the store's commit histograms,
 * the JVM's meters and, once a cluster transport is attached, the cluster's (see {@link
 * #refresh}). With a {@code PrometheusMeterRegistry}, its {@code scrape()} is the body of {@code
 * /metrics}; docs/metrics.md lists every meter.
 *
 * <p>Binding costs the broker nothing per message: the meters read the broker's own counters when
 * the registry is read. Close it before the broker: the counters read the broker's {@link
 * BrokerMetrics}, which Micrometer holds weakly.
 */
public final class BrokerMeters implements AutoCloseable {
    /** How often {@link #bind(MeterRegistry, Broker, BrokerAdmin)} samples the sessions for the depth histograms. */
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(BrokerMeters.class);

    private final MeterSet meters;
    private final SessionDepths depths;
    private final StoreCommitMeters store;
    private final JvmMeters jvm;
    private final ClusterMeters cluster;
    private final @Nullable ScheduledExecutorService sampler;
    private boolean closed;

    private BrokerMeters(MeterRegistry registry, BrokerMetrics metrics, Supplier<BrokerAdmin> admin,
            Supplier<Optional<ClusterStatus>> cluster, Duration sampleEvery) {
        this.meters = new MeterSet(registry);
        this.cluster = new ClusterMeters(meters, cluster);
        BrokerCounters.register(meters, metrics);
        SizeGauges.register(meters, admin);
        this.depths = new SessionDepths(meters, admin);
        this.store = new StoreCommitMeters(meters, metrics.storeCommits);
        this.jvm = new JvmMeters(registry);
        if (sampleEvery.isZero()) {
            this.sampler = null;
        } else {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "starling-metrics-sampler");
                t.setDaemon(true);
                return t;
            });
            long every = sampleEvery.toMillis();
            timer.scheduleWithFixedDelay(this::sampleQuietly, every, every, TimeUnit.MILLISECONDS);
            this.sampler = timer;
        }
    }

    /** Binds {@code broker}'s meters into {@code registry}, sampling the sessions every {@link #DEFAULT_SAMPLE_INTERVAL}. */
    public static BrokerMeters bind(MeterRegistry registry, Broker broker, BrokerAdmin admin) {
        return bind(registry, broker.metrics(), () -> admin, broker.cluster()::status, DEFAULT_SAMPLE_INTERVAL);
    }

    /**
     * Binds the meters of the broker whose counters are {@code metrics} and whose view is {@code
     * admin} into {@code registry}.
     *
     * @param admin the broker's admin view, asked for at most once per scrape and once per sample
     * @param sampleEvery how often to sample the sessions' queue depths and in-flight counts; zero
     *     for never, leaving it to {@link #sampleSessions()}
     */
    public static BrokerMeters bind(MeterRegistry registry, BrokerMetrics metrics, Supplier<BrokerAdmin> admin,
            Duration sampleEvery) {
        return bind(registry, metrics, admin, Optional::empty, sampleEvery);
    }

    /**
     * As {@link #bind(MeterRegistry, BrokerMetrics, Supplier, Duration)}, with the cluster's meters
     * from {@code cluster} (the broker's {@code cluster()::status}): registered at the first {@link
     * #refresh} that finds a cluster attached.
     */
    public static BrokerMeters bind(MeterRegistry registry, BrokerMetrics metrics, Supplier<BrokerAdmin> admin,
            Supplier<Optional<ClusterStatus>> cluster, Duration sampleEvery) {
        if (sampleEvery.isNegative()) {
            throw new IllegalArgumentException("the sample interval must not be negative: " + sampleEvery);
        }
        return new BrokerMeters(registry, metrics, admin, cluster, sampleEvery);
    }

    /**
     * Brings the meters whose set changes up to date: the cluster's, which appear once a cluster
     * transport is attached and have one series per node. {@code /metrics} calls it before each
     * scrape, and the sampler at each sample.
     */
    public void refresh() {
        cluster.refresh();
    }

    /** Records every session's queue depth and in-flight count into the histograms, now. */
    public void sampleSessions() {
        depths.sample();
    }

    private void sampleQuietly() {
        try {
            depths.sample();
            cluster.refresh();
        } catch (RuntimeException e) {
            // the broker may be closing; the next sample tries again
            log.debug("sessions not sampled for the metrics: {}", e.toString());
        }
    }

    /** Stops sampling and recording, and removes every meter bound (the JVM's included) from the registry. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (sampler != null) {
            sampler.shutdownNow();
        }
        store.stop();
        jvm.close();
        cluster.close();
        meters.removeAll();
    }
}
