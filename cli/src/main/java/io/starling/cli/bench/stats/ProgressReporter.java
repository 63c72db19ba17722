package io.starling.cli.bench.stats;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Prints a progress line every second on standard error (so that standard output carries only
 * the summary): seconds since the start, open connections, messages sent and received in that
 * second, and the p50 / p99 latency of that second in µs. Latency is taken from the run's
 * {@link LatencyStats} as an interval histogram, which also adds it to the run's total. Lines
 * printed before the measured interval starts end with {@code (warm-up)}.
 */
public final class ProgressReporter implements AutoCloseable {
    private final PrintStream out;
    private final ConnectionCounts counts;
    private final @Nullable LongSupplier sent;
    private final @Nullable LongSupplier received;
    private final @Nullable LatencyStats latency;
    private final LongPredicate isMeasured;
    private final String latencyLabel;
    private @Nullable ScheduledExecutorService timer;
    private long origin;
    private long lastTime;
    private long lastSent;
    private long lastReceived;

    /**
     * @param isMeasured whether a System.nanoTime() reading is in the measured interval (after the
     *     warm-up)
     */
    public ProgressReporter(PrintStream out, ConnectionCounts counts, @Nullable LongSupplier sent,
            @Nullable LongSupplier received, @Nullable LatencyStats latency, String latencyLabel, LongPredicate isMeasured) {
        this.out = out;
        this.counts = counts;
        this.sent = sent;
        this.received = received;
        this.latency = latency;
        this.latencyLabel = latencyLabel;
        this.isMeasured = isMeasured;
    }

    /** Starts printing, counting seconds from {@code origin} (System.nanoTime()). */
    public void start(long origin) {
        this.origin = origin;
        this.lastTime = System.nanoTime();
        this.lastSent = sent != null ? sent.getAsLong() : 0;
        this.lastReceived = received != null ? received.getAsLong() : 0;
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "bench-progress");
            thread.setDaemon(true);
            return thread;
        });
        t.scheduleAtFixedRate(this::report, 1, 1, TimeUnit.SECONDS);
        timer = t;
    }

    private void report() {
        long now = System.nanoTime();
        double seconds = Math.max(1e-9, (now - lastTime) / 1e9);
        lastTime = now;
        StringBuilder line = new StringBuilder(128);
        line.append(String.format(Locale.ROOT, "%7.1f s  conns %d", (now - origin) / 1e9, counts.open()));
        if (counts.failed() > 0 || counts.lost() > 0) {
            line.append(String.format(Locale.ROOT, " (failed %d, lost %d)", counts.failed(), counts.lost()));
        }
        if (sent != null) {
            long s = sent.getAsLong();
            line.append(String.format(Locale.ROOT, "  sent %.0f/s", (s - lastSent) / seconds));
            lastSent = s;
        }
        if (received != null) {
            long r = received.getAsLong();
            line.append(String.format(Locale.ROOT, "  recv %.0f/s", (r - lastReceived) / seconds));
            lastReceived = r;
        }
        if (latency != null) {
            Histogram second = latency.sampleInterval();
            if (second.getTotalCount() > 0) {
                line.append(String.format(Locale.ROOT, "  %s p50 %d us p99 %d us", latencyLabel,
                        second.getValueAtPercentile(50), second.getValueAtPercentile(99)));
            }
        }
        if (!isMeasured.test(now)) {
            line.append("  (warm-up)");
        }
        out.println(line);
    }

    /** Stops printing; waits (bounded) for a line being printed. */
    @Override
    public void close() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            timer = null;
            t.shutdownNow();
            try {
                t.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
