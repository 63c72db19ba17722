package io.starling.cli.bench.engine;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * When a run ends: at its deadline, when every publisher has sent its count, or when asked to
 * stop (Ctrl-C). Thread-safe.
 */
final class RunControl {
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile boolean interrupted;

    /** Ends the run early, as Ctrl-C does. */
    void interrupt() {
        interrupted = true;
        stop.countDown();
    }

    /** Ends the run because its work is done. */
    void finish() {
        stop.countDown();
    }

    boolean isStopped() {
        return stop.getCount() == 0;
    }

    /** Whether the run was ended by {@link #interrupt()}. */
    boolean wasInterrupted() {
        return interrupted;
    }

    /** Waits until {@code deadline} (System.nanoTime()), or without limit when it is null, or until stopped. */
    void awaitUntil(@Nullable Long deadline) throws InterruptedException {
        if (deadline == null) {
            stop.await();
        } else {
            stop.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Waits until {@code condition} holds, checking every millisecond, for at most {@code nanos};
     * returns whether it holds. Used for draining, where nothing signals completion.
     */
    static boolean awaitCondition(BooleanSupplier condition, long nanos) {
        long deadline = System.nanoTime() + nanos;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
