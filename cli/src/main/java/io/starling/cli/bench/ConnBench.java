package io.starling.cli.bench;

import io.starling.codec.packet.MqttVersion;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code bench conn}: opens N connections, R per second (0: as fast as possible), and holds them
 * until the duration ends or Ctrl-C. Reports how many connected, failed and were lost, how long
 * opening them took and the connect time (TCP connected to CONNACK) percentiles. When the first
 * connections all fail (the broker is not there), it stops with that error rather than trying
 * the rest; later failures are counted.
 */
public final class ConnBench extends LoadBench {
    private final ConnOptions options;

    /** A bench with {@code options}, printing progress (when enabled) on standard error. */
    public ConnBench(ConnOptions options) {
        this(options, System.err);
    }

    ConnBench(ConnOptions options, PrintStream progressOut) {
        super(options.settings(), progressOut);
        this.options = options;
    }

    /** Runs a bench with {@code options} to its end. */
    public static BenchSummary run(ConnOptions options) {
        return new ConnBench(options).run();
    }

    @Override
    public BenchSummary run() {
        String clientBase = settings.clientPrefix() + "-" + RunIds.hex(RunIds.next()) + "-c";
        RunClock clock = new RunClock();
        AtomicLong lastHandshake = new AtomicLong();
        long start;
        Long deadline;
        ConnectionCounts counts;
        LatencyStats connectTimes;
        try (LoadClients clients = new LoadClients(settings)) {
            counts = clients.counts();
            // lost connections are a result here; the run ends early only when none is left
            ConnectionCounts all = counts;
            all.whenLost(() -> {
                if (all.open() == 0) {
                    control.finish();
                }
            });
            connectTimes = clients.connectTimes();
            try (ProgressReporter progress = new ProgressReporter(progressOut, counts, null, null, null, "", clock)) {
                start = System.nanoTime();
                clock.measureFrom(start);
                lastHandshake.set(start);
                if (settings.progress()) {
                    progress.start(start);
                }
                deadline = settings.duration() == null ? null : start + settings.duration().toNanos();
                List<CompletableFuture<LoadConnection>> ready = clients.openAll(options.connections(), options.rate(),
                        i -> {
                            LoadConnection connection = clients.open(clientBase + i, null, null, null);
                            connection.ready().whenComplete((c, e) -> lastHandshake.accumulateAndGet(System.nanoTime(),
                                    (a, b) -> b - a > 0 ? b : a));
                            return connection;
                        },
                        () -> control.isStopped() || isPast(deadline) || unreachable(counts));
                awaitHandshakes(ready);
                if (unreachable(counts)) {
                    throw new BenchException(String.valueOf(counts.firstFailure()));
                }
                started.complete(null);
                control.awaitUntil(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } finally {
            started.complete(null);
        }
        connectTimes.sampleInterval();
        double seconds = Math.max(0, (lastHandshake.get() - start) / 1e9);
        counts.warnOfLosses(progressOut);
        return new BenchSummary("conn", scenario(), counts.established(), counts.failed(), counts.lost(),
                BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN,
                BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, seconds, Double.NaN,
                PubSubBench.rate(counts.established(), seconds), Percentiles.NONE, connectTimes.total(),
                control.wasInterrupted());
    }

    /** Nothing connected and something failed: the broker is not there, or refuses everyone. */
    private static boolean unreachable(ConnectionCounts counts) {
        return counts.established() == 0 && counts.failed() > 0;
    }

    private static boolean isPast(@Nullable Long deadline) {
        return deadline != null && System.nanoTime() - deadline >= 0;
    }

    /** Waits until every handshake has ended one way or the other; each is bounded by its timeouts. */
    private static void awaitHandshakes(List<CompletableFuture<LoadConnection>> ready) throws InterruptedException {
        for (CompletableFuture<LoadConnection> future : ready) {
            try {
                future.handle((c, e) -> null).get(LoadConnection.HANDSHAKE_TIMEOUT_SECONDS + 10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // counted as failed by the connection itself
            }
        }
    }

    private String scenario() {
        BenchSettings s = options.settings();
        String rate = options.rate() == 0 ? "as fast as possible" : String.format(Locale.ROOT, "%.1f/s", options.rate());
        return String.format(Locale.ROOT, "%d connections, %s, MQTT %s, keep alive %d s%s", options.connections(), rate,
                s.version() == MqttVersion.V3_1 ? "3.1" : "3.1.1", s.keepAlive(),
                s.duration() == null ? ", held until Ctrl-C" : PubSubBench.bounds(s, 0, ""));
    }
}
