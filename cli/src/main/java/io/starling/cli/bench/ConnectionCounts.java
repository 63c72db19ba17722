package io.starling.cli.bench;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/** The connections of one run: open now, failed before CONNACK (and SUBACK), lost after. Thread-safe. */
final class ConnectionCounts {
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger lost = new AtomicInteger();
    private final AtomicReference<@Nullable String> firstFailure = new AtomicReference<>();
    private final AtomicReference<@Nullable String> firstLoss = new AtomicReference<>();
    private volatile Runnable onLoss = () -> { };

    /** Runs {@code action} (on an event loop) whenever a ready connection is lost. */
    void whenLost(Runnable action) {
        this.onLoss = action;
    }

    void onReady() {
        open.incrementAndGet();
        established.incrementAndGet();
    }

    void onFailed(String reason) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, reason);
    }

    /** A ready connection closed; {@code reason} is null when the bench closed it. */
    void onClosed(@Nullable String reason) {
        open.decrementAndGet();
        if (reason != null) {
            lost.incrementAndGet();
            firstLoss.compareAndSet(null, reason);
            onLoss.run();
        }
    }

    /** Connections ready and open now. */
    int open() {
        return open.get();
    }

    /** Connections that became ready. */
    int established() {
        return established.get();
    }

    int failed() {
        return failed.get();
    }

    /** Ready connections the broker or the network closed. */
    int lost() {
        return lost.get();
    }

    @Nullable String firstFailure() {
        return firstFailure.get();
    }

    @Nullable String firstLoss() {
        return firstLoss.get();
    }

    /** Prints a warning line when connections were lost during the run: the results are suspect. */
    void warnOfLosses(PrintStream out) {
        if (lost() > 0) {
            out.println("warning: " + lost() + " connection(s) closed during the run; the first: " + firstLoss());
        }
    }
}
