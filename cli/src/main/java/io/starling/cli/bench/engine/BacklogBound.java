package io.starling.cli.bench.engine;

import java.lang.invoke.VarHandle;

/**
 * The backlog bound of one max-rate publisher in {@code bench pubsub}: it may send only while no
 * subscriber it feeds is more than {@code maxBacklog} messages behind what was sent to it, since
 * otherwise the figure measures queue growth, not throughput (PERFORMANCE.md). Sends are reserved
 * with the subscribers before they are made, atomically, so that publishers on several threads
 * feeding one subscriber (fan-in) cannot overshoot the bound together. A publisher that finds
 * no room pauses, and the subscriber that catches up wakes it.
 */
final class BacklogBound {

    private final Subscriber[] fed;
    private final long maxBacklog;
    private volatile boolean paused;

    BacklogBound(Subscriber[] fed, long maxBacklog) {
        this.fed = fed.clone();
        this.maxBacklog = maxBacklog;
    }

    /** No bound: for a standalone publisher, or in open loop. */
    static BacklogBound none() {
        return new BacklogBound(new Subscriber[0], Long.MAX_VALUE);
    }

    /** Reserves up to {@code wanted} sends with every subscriber fed; returns how many were granted. */
    long reserve(long wanted) {
        long granted = wanted;
        for (int i = 0; i < fed.length && granted > 0; i++) {
            long got = fed[i].reserve(granted, maxBacklog);
            if (got < granted) {
                // the smallest grant binds: give the excess back to the subscribers reserved before
                for (int k = 0; k < i; k++) {
                    fed[k].unreserve(granted - got);
                }
                granted = got;
            }
        }
        return granted;
    }

    /** Returns reserved sends that were not made. */
    void unreserve(long unused) {
        for (Subscriber subscriber : fed) {
            subscriber.unreserve(unused);
        }
    }

    /**
     * Marks the publisher paused, unless room appeared meanwhile; returns whether it is paused.
     * On the publisher's event loop.
     */
    boolean pause() {
        paused = true;
        // pairs with the fence in Subscriber.afterRead: a subscriber that caught up in between sees the flag
        VarHandle.fullFence();
        for (Subscriber subscriber : fed) {
            if (!subscriber.hasRoom(maxBacklog)) {
                return true;
            }
        }
        paused = false;
        return false;
    }

    /** Clears the pause; returns whether the publisher was paused, and is now to resume. From a subscriber's thread. */
    boolean unpause() {
        if (paused) {
            paused = false;
            return true;
        }
        return false;
    }
}
