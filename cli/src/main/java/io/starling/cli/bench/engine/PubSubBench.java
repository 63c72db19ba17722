package io.starling.cli.bench.engine;

import io.starling.cli.bench.stats.BenchSummary;
import io.starling.cli.bench.stats.BrokerShare;
import io.starling.cli.bench.stats.ConnectionCounts;
import io.starling.cli.bench.stats.DeliveryTracker;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.stats.ProgressReporter;
import io.starling.cli.bench.wire.PublishTemplate;
import io.starling.codec.packet.Subscription;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * {@code bench pubsub}: publishers and subscribers in one process, so every message can be
 * accounted for: sent, acknowledged, received, lost, duplicated, out of order, and its latency.
 * Subscribers connect and receive SUBACK before publishers connect; publishing starts on every
 * publisher at once; at the end publishing stops and the run waits (at most the drain time) for
 * outstanding deliveries and acknowledgements before it reports.
 *
 * <p>Spread over several brokers ({@link PubSubOptions#brokers()}, e.g. the nodes of a cluster),
 * subscriber {@code j} connects to broker {@code j mod k} and publisher {@code i} to broker
 * {@code (i + 1) mod k} (see {@code BrokerSpread}). The summary then has each broker's part and the
 * count of deliveries that crossed from one broker to another.
 *
 * <pre>{@code
 * BenchSummary summary = PubSubBench.run(PubSubOptions.of(BenchSettings.defaults().withBroker("127.0.0.1", port)
 *         .withQos(QoS.AT_LEAST_ONCE).withDuration(Duration.ofSeconds(5)), Shape.FAN_IN));
 * }</pre>
 */
public final class PubSubBench extends LoadBench {
    /** Publishing starts this long after the last publisher connected, so that all start together. */
    static final long START_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final PubSubOptions options;

    /** A bench with {@code options}, printing progress (when enabled) on standard error. */
    public PubSubBench(PubSubOptions options) {
        this(options, System.err);
    }

    PubSubBench(PubSubOptions options, PrintStream progressOut) {
        // bounded by 10 s when neither a duration nor a count bounds the run
        super(options.settings().boundedBy(options.count(), PubSubOptions.DEFAULT_DURATION), progressOut);
        this.options = options;
    }

    /** Runs a bench with {@code options} to its end. */
    public static BenchSummary run(PubSubOptions options) {
        return new PubSubBench(options).run();
    }

    @Override
    public BenchSummary run() {
        int run = RunIds.next();
        String runId = RunIds.hex(run);
        String topicBase = "bench/" + runId + "/";
        String clientBase = settings.clientPrefix() + "-" + runId + "-";
        int n = options.publishers();
        int m = options.subscribers();
        BrokerSpread spread = new BrokerSpread(options.targets());
        boolean maxRate = options.rate() == 0;
        double interval = maxRate ? 0 : n * 1e9 / options.rate();
        RunClock clock = new RunClock();
        Publisher[] publishers = new Publisher[n];
        Subscriber[] subscribers = new Subscriber[m];
        List<PublishTemplate> templates = new ArrayList<>(n);
        AtomicInteger finished = new AtomicInteger();
        long publishingStart = 0;
        LatencyStats latency;
        ConnectionCounts counts;
        LatencyStats connectTimes;
        try {
            try (LoadClients clients = new LoadClients(settings, spread.brokers())) {
                latency = new LatencyStats(clients.group());
                counts = clients.counts();
                // a lost connection makes the run's figures wrong, and may stall it (a publisher waiting for a
                // subscriber that is gone): end it, and report
                counts.whenLost(control::finish);
                connectTimes = clients.connectTimes();
                for (int i = 0; i < n; i++) {
                    PublishTemplate template = new PublishTemplate(settings.version(), topicBase + topicIndex(i),
                            settings.qos(), options.payloadSize(), run, i);
                    templates.add(template);
                    publishers[i] = new Publisher(template, options.inflight(), options.count(), interval, null, () -> {
                        if (finished.incrementAndGet() == n) {
                            control.finish();
                        }
                    });
                }
                for (int j = 0; j < m; j++) {
                    subscribers[j] = Subscriber.ofRun(filter(topicBase, j), clock, run, n, latency);
                }
                connectFeeds(publishers, subscribers, maxRate);

                LoadClients.awaitAll(clients.openAll(m, 0, j -> clients.openOn(spread.subscriberBroker(j), clientBase + "s" + j,
                        new Subscription(subscribers[j].filter(), settings.qos()), null, subscribers[j]), control::isStopped));
                LoadClients.awaitAll(clients.openAll(n, 0, i -> clients.openOn(spread.publisherBroker(i), clientBase + "p" + i, null,
                        publishers[i], null), control::isStopped));

                try (ProgressReporter progress = new ProgressReporter(progressOut, counts, () -> sum(publishers),
                        () -> deliveries(subscribers), latency, "latency", clock::isMeasured)) {
                    publishingStart = System.nanoTime() + START_DELAY_NANOS;
                    long measureStart = publishingStart + settings.warmup().toNanos();
                    clock.measureFrom(measureStart);
                    if (!control.isStopped()) {
                        for (int i = 0; i < n; i++) {
                            // open loop: stagger the publishers evenly over one interval
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
                    RunControl.awaitCondition(() -> drained(publishers, subscribers), options.drain().toNanos());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } finally {
            started.complete(null);
            templates.forEach(PublishTemplate::close);
        }
        // the event loops have ended: their writes are visible here
        latency.sampleInterval();
        connectTimes.sampleInterval();
        counts.warnOfLosses(progressOut);
        return summary(publishers, subscribers, spread, clock, publishingStart, latency, counts, connectTimes);
    }

    private static String topicIndex(int i) {
        return Integer.toString(i);
    }

    private String filter(String topicBase, int subscriber) {
        return switch (options.shape()) {
            case FAN_IN -> topicBase + "+";
            case FAN_OUT -> topicBase + "0";
            case PAIRS -> topicBase + subscriber;
        };
    }

    /** Who feeds whom: for backlog bounding (max rate only) and for what each subscriber should receive. */
    private void connectFeeds(Publisher[] publishers, Subscriber[] subscribers, boolean maxRate) {
        for (int j = 0; j < subscribers.length; j++) {
            subscribers[j].feeders(feederIndexes(j, publishers.length).stream().map(i -> publishers[i]).toArray(Publisher[]::new));
        }
        if (!maxRate) {
            return;
        }
        for (int i = 0; i < publishers.length; i++) {
            Subscriber[] fed = switch (options.shape()) {
                case FAN_IN -> new Subscriber[] {subscribers[0]};
                case FAN_OUT -> subscribers;
                case PAIRS -> new Subscriber[] {subscribers[i]};
            };
            publishers[i].boundBacklog(new BacklogBound(fed, options.maxBacklog()));
        }
    }

    /** The indexes of the publishers whose messages subscriber {@code j} receives. */
    private List<Integer> feederIndexes(int j, int n) {
        return switch (options.shape()) {
            case FAN_IN -> IntStream.range(0, n).boxed().toList();
            case FAN_OUT -> List.of(0);
            case PAIRS -> List.of(j);
        };
    }

    private static boolean drained(Publisher[] publishers, Subscriber[] subscribers) {
        for (Publisher publisher : publishers) {
            if (publisher.awaitingAcks() > 0) {
                return false;
            }
        }
        for (Subscriber subscriber : subscribers) {
            if (subscriber.deliveries() < subscriber.sentToThis()) {
                return false;
            }
        }
        return true;
    }

    private static long sum(Publisher[] publishers) {
        long sent = 0;
        for (Publisher publisher : publishers) {
            sent += publisher.sent();
        }
        return sent;
    }

    private static long deliveries(Subscriber[] subscribers) {
        long received = 0;
        for (Subscriber subscriber : subscribers) {
            received += subscriber.deliveries();
        }
        return received;
    }

    private BenchSummary summary(Publisher[] publishers, Subscriber[] subscribers, BrokerSpread spread, RunClock clock,
            long publishingStart, LatencyStats latency, ConnectionCounts counts, LatencyStats connectTimes) {
        long measureStart = clock.measureStart();
        long sent = 0;
        long acknowledged = 0;
        long publishingEnd = publishingStart;
        for (Publisher publisher : publishers) {
            sent += publisher.sentCounted();
            acknowledged += publisher.acknowledged();
            publishingEnd = Math.max(publishingEnd, publisher.endedAt());
        }
        long expected = 0;
        long received = 0;
        long unique = 0;
        long duplicated = 0;
        long outOfOrder = 0;
        long lastDelivery = 0;
        boolean anyDelivery = false;
        for (Subscriber subscriber : subscribers) {
            expected += subscriber.sentCountedToThis();
            DeliveryTracker tracker = subscriber.tracker();
            received += tracker.received();
            unique += tracker.unique();
            duplicated += tracker.duplicated();
            outOfOrder += tracker.outOfOrder();
            if (subscriber.anyCounted() && (!anyDelivery || subscriber.lastCounted() - lastDelivery > 0)) {
                lastDelivery = subscriber.lastCounted();
                anyDelivery = true;
            }
        }
        warnOfAcks(publishers, progressOut);
        double sendSeconds = Math.max(0, (publishingEnd - measureStart) / 1e9);
        double seconds = anyDelivery ? Math.max(0, (lastDelivery - measureStart) / 1e9) : sendSeconds;
        // a run given --brokers reports each one's part, even if it names one
        List<BrokerShare> shares = options.brokers().isEmpty() ? List.of()
                : spread.shares(publishers, subscribers, sendSeconds, seconds);
        return new BenchSummary("pubsub", scenario(window(publishers, options.inflight())), settings.protocol(),
                counts.established(), counts.failed(), counts.lost(),
                sent, acknowledged, received, expected, expected - unique, duplicated, outOfOrder,
                seconds, rate(sent, sendSeconds), rate(received, seconds), latency.total(), connectTimes.total(),
                control.wasInterrupted(), shares,
                shares.isEmpty() ? 0 : spread.crossing(publishers, subscribers.length, j -> feederIndexes(j, publishers.length)));
    }

    static double rate(long count, double seconds) {
        return seconds > 0 ? count / seconds : 0;
    }

    /** What ran; {@code window} is the in-flight window the publishers kept to. */
    private String scenario(int window) {
        BenchSettings s = settings;
        String pace = options.rate() == 0
                ? "max rate (" + inflight(options.inflight(), window) + ", backlog " + options.maxBacklog() + ")"
                : String.format(Locale.ROOT, "open loop %.0f msg/s", options.rate());
        return String.format(Locale.ROOT, "%s, %d publisher%s -> %d subscriber%s, MQTT %s, QoS %d, %d-byte payloads, %s%s%s",
                options.shape(), options.publishers(), options.publishers() == 1 ? "" : "s", options.subscribers(),
                options.subscribers() == 1 ? "" : "s", s.protocol(), s.qos().value(), options.payloadSize(), pace,
                bounds(s, options.count(), "per publisher"),
                options.brokers().isEmpty() ? "" : ", spread over " + options.brokers().size() + " brokers");
    }

    /**
     * The smallest in-flight window of {@code publishers}: {@code asked}, unless a 5.0 broker's
     * Receive Maximum lowered it. Read once the event loops have stopped.
     */
    static int window(Publisher[] publishers, int asked) {
        int window = asked;
        for (Publisher publisher : publishers) {
            if (publisher.window() > 0) {
                window = Math.min(window, publisher.window());
            }
        }
        return window;
    }

    /** "in-flight 64", or "in-flight 64, capped at 20 by the broker's Receive Maximum" when the broker lowered it. */
    static String inflight(int asked, int window) {
        return window < asked ? "in-flight " + asked + ", capped at " + window + " by the broker's Receive Maximum"
                : "in-flight " + asked;
    }

    /** Warns of acknowledgements that were not for messages in flight, and of messages a 5.0 broker refused. */
    static void warnOfAcks(Publisher[] publishers, PrintStream out) {
        long unexpected = 0;
        long refused = 0;
        @Nullable String first = null;
        for (Publisher publisher : publishers) {
            unexpected += publisher.unexpectedAcks();
            refused += publisher.refused();
            if (first == null) {
                first = publisher.firstRefusal();
            }
        }
        if (unexpected > 0) {
            out.println("warning: " + unexpected + " acknowledgements for packet identifiers not in flight");
        }
        if (refused > 0) {
            out.println("warning: the broker refused " + refused + " message(s) (reason code 0x80 or more), the first with "
                    + first);
        }
    }

    /** ", 10 s" / ", 1000 messages per publisher" / both, and the warm-up. */
    static String bounds(BenchSettings s, long count, String countUnit) {
        StringBuilder out = new StringBuilder();
        if (s.duration() != null) {
            out.append(", ").append(seconds(s.duration().toMillis())).append(" s");
        }
        if (count > 0) {
            out.append(", ").append(count).append(" messages ").append(countUnit);
        }
        if (!s.warmup().isZero()) {
            out.append(" after ").append(seconds(s.warmup().toMillis())).append(" s warm-up");
        }
        return out.toString();
    }

    private static String seconds(long millis) {
        return millis % 1000 == 0 ? Long.toString(millis / 1000) : String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    @Override
    public String toString() {
        return "bench pubsub " + scenario(options.inflight());
    }
}
