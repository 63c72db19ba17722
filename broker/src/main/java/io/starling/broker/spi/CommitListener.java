package io.starling.broker.spi;

/**
 * Told of every commit a {@link Persistence} makes: one call per batch written to disk (a group
 * commit carries many {@link Persistence#commit commits}), never one per message. Called on the
 * store's commit thread, so it must return at once: add to counters, record into a histogram.
 */
@FunctionalInterface
public interface CommitListener {
    /** Listens to nothing: what a store reports to before anyone asks. */
    CommitListener NONE = (writes, changes, durationNanos) -> {};

    /**
     * A batch was committed.
     *
     * @param writes the {@link StoreChanges} it carried (the batch size; 1 when each is committed alone)
     * @param changes the records it put or removed
     * @param durationNanos how long writing it took, its sync included
     */
    void committed(int writes, int changes, long durationNanos);
}
