package io.starling.cli.bench.engine;

import io.starling.cli.bench.stats.BenchSummary;
import io.starling.cli.bench.stats.ConnectionCounts;
import io.starling.cli.bench.stats.DeliveryTracker;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.stats.ProgressReporter;
import io.starling.codec.packet.Subscription;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench sub}: N subscribers of one topic filter ({@code %i} in it is the subscriber index),
 * counting what arrives. Messages with a bench header ({@code bench pub}, {@code bench pubsub})
 * are tracked per publisher, so losses, duplicates and reordering show; what was expected is
 * inferred from the sequence numbers seen. Latency uses the header's send time, a monotonic clock
 * reading: meaningful when the publisher runs on the same host.
 */
public final class SubBench extends LoadBench {
    private final SubOptions options;

    /** A bench with {@code options}, printing progress (when enabled) on standard error. */
    public SubBench(SubOptions options) {
        this(options, System.err);
    }

    SubBench(SubOptions options, PrintStream progressOut) {
        // bounded by 10 s when neither a duration nor a count bounds the run
        super(options.settings().boundedBy(options.count(), PubSubOptions.DEFAULT_DURATION), progressOut);
        this.options = options;
    }

    /** Runs a bench with {@code options} to its end. */
    public static BenchSummary run(SubOptions options) {
        return new SubBench(options).run();
    }

    @Override
    public BenchSummary run() {
        String clientBase = settings.clientPrefix() + "-" + RunIds.hex(RunIds.next()) + "-s";
        int n = options.subscribers();
        RunClock clock = new RunClock();
        Subscriber[] subscribers = new Subscriber[n];
        LatencyStats latency;
        ConnectionCounts counts;
        LatencyStats connectTimes;
        try (LoadClients clients = new LoadClients(settings)) {
            latency = new LatencyStats(clients.group());
            counts = clients.counts();
            // a lost connection makes the run's figures wrong, and may stall it (a publisher waiting for a
            // subscriber that is gone): end it, and report
            counts.whenLost(control::finish);
            connectTimes = clients.connectTimes();
            for (int i = 0; i < n; i++) {
                subscribers[i] = Subscriber.standalone(options.filter().replace("%i", Integer.toString(i)), clock, latency);
            }
            LoadClients.awaitAll(clients.openAll(n, 0, i -> clients.open(clientBase + i,
                    new Subscription(subscribers[i].filter(), settings.qos()), null, subscribers[i]), control::isStopped));
            try (ProgressReporter progress = new ProgressReporter(progressOut, counts, null, () -> deliveries(subscribers),
                    latency, "latency", clock::isMeasured)) {
                long start = System.nanoTime();
                long measureStart = start + settings.warmup().toNanos();
                clock.measureFrom(measureStart);
                started.complete(null);
                if (settings.progress()) {
                    progress.start(start);
                }
                Long deadline = settings.duration() == null ? null : measureStart + settings.duration().toNanos();
                if (options.count() == 0) {
                    control.awaitUntil(deadline);
                } else {
                    // nothing signals a count reached across subscribers: check every millisecond
                    while (!control.isStopped() && counted(subscribers) < options.count()
                            && (deadline == null || deadline - System.nanoTime() > 0)) {
                        control.awaitUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } finally {
            started.complete(null);
        }
        latency.sampleInterval();
        connectTimes.sampleInterval();
        counts.warnOfLosses(progressOut);
        return summary(subscribers, counts, latency, connectTimes);
    }

    private static long deliveries(Subscriber[] subscribers) {
        long received = 0;
        for (Subscriber subscriber : subscribers) {
            received += subscriber.deliveries();
        }
        return received;
    }

    private static long counted(Subscriber[] subscribers) {
        long received = 0;
        for (Subscriber subscriber : subscribers) {
            received += subscriber.countedDeliveries();
        }
        return received;
    }

    private BenchSummary summary(Subscriber[] subscribers, ConnectionCounts counts, LatencyStats latency,
            LatencyStats connectTimes) {
        long received = 0;
        long expected = 0;
        long unique = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long first = 0;
        long last = 0;
        boolean any = false;
        for (Subscriber subscriber : subscribers) {
            DeliveryTracker tracker = subscriber.tracker();
            received += tracker.received() + subscriber.foreign();
            expected += tracker.inferredExpected();
            unique += tracker.unique();
            duplicated += tracker.duplicated();
            outOfOrder += tracker.outOfOrder();
            if (subscriber.anyCounted()) {
                if (!any || subscriber.firstCounted() - first < 0) {
                    first = subscriber.firstCounted();
                }
                if (!any || subscriber.lastCounted() - last > 0) {
                    last = subscriber.lastCounted();
                }
                any = true;
            }
        }
        double seconds = any ? (last - first) / 1e9 : 0;
        return new BenchSummary("sub", scenario(), settings.protocol(), counts.established(), counts.failed(), counts.lost(),
                BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, received, expected, expected - unique, duplicated, outOfOrder,
                seconds, Double.NaN, PubSubBench.rate(received, seconds), latency.total(), connectTimes.total(),
                control.wasInterrupted());
    }

    private String scenario() {
        BenchSettings s = settings;
        return String.format(Locale.ROOT, "%d subscriber%s of '%s', MQTT %s, QoS %d%s", options.subscribers(),
                options.subscribers() == 1 ? "" : "s", options.filter(), s.protocol(), s.qos().value(),
                PubSubBench.bounds(s, options.count(), "in total"));
    }
}
