package io.starling.cli.bench.stats;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The connections of one run: open now, failed before CONNACK (and SUBACK), lost after. Thread-safe. */
public final class ConnectionCounts {
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private final AtomicReference<@Nullable String> firstFailure = new AtomicReference<>();
    private final AtomicReference<@Nullable String> firstLoss = new AtomicReference<>();
    private volatile Runnable onLoss = () -> { };

    /** Runs {@code action} (on an event loop) whenever a ready connection is lost. */
    public void whenLost(Runnable action) {
        this.onLoss = action;
    }

    public void onReady() {
        open.incrementAndGet();
        established.incrementAndGet();
    }

    public void onFailed(String reason) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, reason);
    }

    /** A ready connection closed; {@code reason} is null when the bench closed it. */
    public void onClosed(@Nullable String reason) {
        open.decrementAndGet();
        if (reason != null) {
            lost.incrementAndGet();
            firstLoss.compareAndSet(null, reason);
            onLoss.run();
        }
    }

    /** Connections ready and open now. */
    public int open() {
        return open.get();
    }

    /** Connections that became ready. */
    public int established() {
        return established.get();
    }

    public int failed() {
        return failed.get();
    }

    /** Ready connections the broker or the network closed. */
    public int lost() {
        return lost.get();
    }

    public @Nullable String firstFailure() {
        return firstFailure.get();
    }

    @Nullable String firstLoss() {
        return firstLoss.get();
    }

    /** Prints a warning line when connections were lost during the run: the results are suspect. */
    public void warnOfLosses(PrintStream out) {
        if (lost() > 0) {
            out.println("warning: " + lost() + " connection(s) closed during the run; the first: " + firstLoss());
        }
    }
}
