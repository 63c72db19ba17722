package io.starling.broker.metrics;

import io.starling.broker.spi.CommitListener;
import java.util.concurrent.atomic.LongAdder;

/**
 * The store's commits, counted: the broker hands this to its {@link
 * io.starling.broker.spi.Persistence} at start-up. One more listener (the metrics registry's
 * histograms, say) may {@link #forwardTo listen} to every commit too.
 */
public final class StoreCommits implements CommitListener {
    /** Batches written (with a group commit, one carries many writes). */
    public final LongAdder commits = new LongAdder();
    /** Writes ({@link io.starling.broker.spi.StoreChanges}) committed, in all batches. */
    public final LongAdder writes = new LongAdder();
    /** Records put or removed, in all batches. */
    public final LongAdder changes = new LongAdder();
    /** Time spent writing batches, their syncs included, in nanoseconds. */
    public final LongAdder nanos = new LongAdder();
    private volatile CommitListener also = CommitListener.NONE;

    @Override
    public void committed(int writes, int changes, long durationNanos) {
        commits.increment();
        this.writes.add(writes);
        this.changes.add(changes);
        nanos.add(durationNanos);
        also.committed(writes, changes, durationNanos);
    }

    /** Tells {@code listener} of every commit from now on, instead of the one before; {@link CommitListener#NONE} stops. */
    public void forwardTo(CommitListener listener) {
        also = listener;
    }
}
