package io.starling.http.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.admin.BrokerAdmin.Page;
import io.starling.broker.admin.BrokerAdmin.SessionSummary;
import java.util.function.Supplier;

/**
 * How full the sessions are, as two histograms: {@code starling_session_queue_depth} (messages
 * waiting to be sent) and {@code starling_session_inflight} (QoS 1 and 2 messages sent and not
 * acknowledged yet).
 *
 * <p>They are <em>sampled</em>: each {@link #sample()} walks every session once (through {@link
 * BrokerAdmin#sessions}) and records one observation per session into each histogram, so that
 * {@code histogram_quantile(0.99, rate(starling_session_queue_depth_bucket[5m]))} is the 99th
 * percentile of queue depth over the sessions and the samples of those 5 minutes, and {@code
 * rate(..._count)} divided by the sampling rate is the number of sessions. Sampling on a timer,
 * rather than at each scrape, keeps the walk (which costs one record per session) off the scrape,
 * makes the histograms the same whatever scrapes them and how often, and bounds its cost for a
 * broker with many sessions. Counting depths as messages come and go would put work on the
 * broker's hot path, which is what the metrics must not do.
 */
final class SessionDepths {
    /** Sessions read per call to {@link BrokerAdmin#sessions}, to bound the memory of one walk. */
    static final int PAGE = 10_000;
    private static final double[] BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 100_000};

    private final Supplier<BrokerAdmin> admin;
    private final DistributionSummary queued;
    private final DistributionSummary inflight;

    SessionDepths(MeterSet meters, Supplier<BrokerAdmin> admin) {
        this.admin = admin;
        this.queued = meters.add(DistributionSummary.builder("starling.session.queue.depth")
                .description("Messages queued per session (QoS 0 included), one observation per session per sample")
                .serviceLevelObjectives(BUCKETS).register(meters.registry()));
        this.inflight = meters.add(DistributionSummary.builder("starling.session.inflight")
                .description("QoS 1 and 2 messages in flight per session, one observation per session per sample")
                .serviceLevelObjectives(BUCKETS).register(meters.registry()));
    }

    /** Records every session's queue depth and in-flight count once. */
    void sample() {
        BrokerAdmin broker = admin.get();
        Page<SessionSummary> page = broker.sessions(null, 0, PAGE);
        // the number of pages is fixed by the first: sessions that arrive during the walk wait for the next sample
        int pages = (page.total() + PAGE - 1) / PAGE;
        for (int i = 1; ; i++) {
            for (SessionSummary session : page.items()) {
                queued.record(session.queued());
                inflight.record(session.inflight());
            }
            if (i >= pages || page.items().size() < PAGE) {
                return;
            }
            page = broker.sessions(null, i * PAGE, PAGE);
        }
    }
}
