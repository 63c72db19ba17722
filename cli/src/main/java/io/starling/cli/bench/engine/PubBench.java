package io.starling.cli.bench.engine;

import io.starling.cli.bench.stats.BenchSummary;
import io.starling.cli.bench.stats.ConnectionCounts;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.stats.ProgressReporter;
import io.starling.cli.bench.wire.PublishTemplate;
import io.starling.codec.packet.QoS;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code bench pub}: N publishers, each on its topic ({@code %i} in the pattern is its index), at
 * a fixed rate each (open loop) or as fast as flow control allows. At QoS 1 and 2 it measures the
 * PUBLISH-to-acknowledgement latency; what subscribers receive is for a {@code bench sub} to count.
 */
public final class PubBench extends LoadBench {
    private final PubOptions options;

    /** A bench with {@code options}, printing progress (when enabled) on standard error. */
    public PubBench(PubOptions options) {
        this(options, System.err);
    }

    PubBench(PubOptions options, PrintStream progressOut) {
        // bounded by 10 s when neither a duration nor a count bounds the run
        super(options.settings().boundedBy(options.count(), PubSubOptions.DEFAULT_DURATION), progressOut);
        this.options = options;
    }

    /** Runs a bench with {@code options} to its end. */
    public static BenchSummary run(PubOptions options) {
        return new PubBench(options).run();
    }

    @Override
    public BenchSummary run() {
        int run = RunIds.next();
        String clientBase = settings.clientPrefix() + "-" + RunIds.hex(run) + "-p";
        int n = options.publishers();
        double interval = options.rate() == 0 ? 0 : 1e9 / options.rate();
        RunClock clock = new RunClock();
        Publisher[] publishers = new Publisher[n];
        List<PublishTemplate> templates = new ArrayList<>(n);
        AtomicInteger finished = new AtomicInteger();
        long publishingStart = 0;
        LatencyStats ackLatency;
        ConnectionCounts counts;
        LatencyStats connectTimes;
        try {
            try (LoadClients clients = new LoadClients(settings)) {
                ackLatency = new LatencyStats(clients.group());
                counts = clients.counts();
                // a lost connection makes the run's figures wrong, and may stall it (a publisher waiting for a
                // subscriber that is gone): end it, and report
                counts.whenLost(control::finish);
                connectTimes = clients.connectTimes();
                for (int i = 0; i < n; i++) {
                    PublishTemplate template = new PublishTemplate(settings.version(),
                            options.topic().replace("%i", Integer.toString(i)), settings.qos(), options.payloadSize(), run, i);
                    templates.add(template);
                    publishers[i] = new Publisher(template, options.inflight(), options.count(), interval, ackLatency, () -> {
                        if (finished.incrementAndGet() == n) {
                            control.finish();
                        }
                    });
                }
                LoadClients.awaitAll(clients.openAll(n, 0, i -> clients.open(clientBase + i, null, publishers[i], null),
                        control::isStopped));
                try (ProgressReporter progress = new ProgressReporter(progressOut, counts, () -> sent(publishers), null,
                        settings.qos() == QoS.AT_MOST_ONCE ? null : ackLatency, "ack latency", clock::isMeasured)) {
                    publishingStart = System.nanoTime() + PubSubBench.START_DELAY_NANOS;
                    long measureStart = publishingStart + settings.warmup().toNanos();
                    clock.measureFrom(measureStart);
                    if (!control.isStopped()) {
                        for (int i = 0; i < n; i++) {
                            publishers[i].start(publishingStart + (long) (i * interval / n), measureStart,
                                    settings.duration() != null, measureStart + durationNanos());
                        }
                    }
                    started.complete(null);
                    if (settings.progress()) {
                        progress.start(publishingStart);
                    }
                    control.awaitUntil(settings.duration() == null ? null : measureStart + settings.duration().toNanos());
                    for (Publisher publisher : publishers) {
                        publisher.stop();
                    }
                    RunControl.awaitCondition(() -> awaitingAcks(publishers) == 0, options.drain().toNanos());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } finally {
            started.complete(null);
            templates.forEach(PublishTemplate::close);
        }
        ackLatency.sampleInterval();
        connectTimes.sampleInterval();
        long sent = 0;
        long acknowledged = 0;
        long publishingEnd = publishingStart;
        for (Publisher publisher : publishers) {
            sent += publisher.sentCounted();
            acknowledged += publisher.acknowledged();
            publishingEnd = Math.max(publishingEnd, publisher.endedAt());
        }
        double seconds = Math.max(0, (publishingEnd - clock.measureStart()) / 1e9);
        counts.warnOfLosses(progressOut);
        PubSubBench.warnOfAcks(publishers, progressOut);
        return new BenchSummary("pub", scenario(PubSubBench.window(publishers, options.inflight())), settings.protocol(),
                counts.established(), counts.failed(), counts.lost(), sent, acknowledged,
                BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN,
                seconds, PubSubBench.rate(sent, seconds), Double.NaN, ackLatency.total(), connectTimes.total(),
                control.wasInterrupted());
    }

    private static long sent(Publisher[] publishers) {
        long sent = 0;
        for (Publisher publisher : publishers) {
            sent += publisher.sent();
        }
        return sent;
    }

    private static long awaitingAcks(Publisher[] publishers) {
        long awaiting = 0;
        for (Publisher publisher : publishers) {
            awaiting += publisher.awaitingAcks();
        }
        return awaiting;
    }

    /** What ran; {@code window} is the in-flight window the publishers kept to. */
    private String scenario(int window) {
        BenchSettings s = settings;
        String pace = options.rate() == 0
                ? "max rate" + (s.qos() == QoS.AT_MOST_ONCE ? "" : " (" + PubSubBench.inflight(options.inflight(), window) + ")")
                : String.format(Locale.ROOT, "%.1f msg/s each", options.rate());
        return String.format(Locale.ROOT, "%d publisher%s on '%s', MQTT %s, QoS %d, %d-byte payloads, %s%s", options.publishers(),
                options.publishers() == 1 ? "" : "s", options.topic(), s.protocol(), s.qos().value(), options.payloadSize(), pace,
                PubSubBench.bounds(s, options.count(), "per publisher"));
    }
}
