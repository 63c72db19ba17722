package io.starling.cli.bench.stats;

import java.util.HashMap;
import java.util.Map;

/**
 * What one subscriber received, per publisher: one {@link SequenceTracker} per (run, publisher
 * index) of the payload headers. Counts received (duplicates included), duplicated and out of
 * order; lost is what was expected minus the unique count. Messages outside the measured interval
 * are tracked, so that a later duplicate of one is still recognised, but not counted.
 * Single-threaded: it belongs to the subscriber's event loop.
 */
public final class DeliveryTracker {
    private final int knownRun;
    private final SequenceTracker[] knownPublishers;
    private final Map<Long, SequenceTracker> others = new HashMap<>();
    private long received;
    private long duplicated;
    private long outOfOrder;

    private DeliveryTracker(int knownRun, int publishers) {
        this.knownRun = knownRun;
        this.knownPublishers = new SequenceTracker[publishers];
        for (int i = 0; i < publishers; i++) {
            knownPublishers[i] = SequenceTracker.startingAt(0);
        }
    }

    /** A tracker for the {@code publishers} publishers of {@code run}, each starting at sequence 0. */
    public static DeliveryTracker forRun(int run, int publishers) {
        return new DeliveryTracker(run, publishers);
    }

    /** A tracker for publishers it learns from the headers, each starting where it is first seen. */
    public static DeliveryTracker forAnyPublisher() {
        return new DeliveryTracker(0, 0);
    }

    /** Records one delivery; {@code counted} is false for messages outside the measured interval. */
    public SequenceTracker.Outcome onMessage(int run, int publisher, long sequence, boolean counted) {
        SequenceTracker.Outcome outcome = trackerOf(run, publisher).receive(sequence);
        if (counted) {
            received++;
            if (outcome == SequenceTracker.Outcome.DUPLICATE) {
                duplicated++;
            } else if (outcome == SequenceTracker.Outcome.OUT_OF_ORDER) {
                outOfOrder++;
            }
        }
        return outcome;
    }

    private SequenceTracker trackerOf(int run, int publisher) {
        if (run == knownRun && publisher >= 0 && publisher < knownPublishers.length) {
            return knownPublishers[publisher];
        }
        return others.computeIfAbsent((long) run << 32 | (publisher & 0xFFFF_FFFFL),
                key -> SequenceTracker.startingAtFirstSeen());
    }

    /** Counted deliveries, duplicates included. */
    public long received() {
        return received;
    }

    /** Counted deliveries of messages this subscriber had received before. */
    public long duplicated() {
        return duplicated;
    }

    /** Counted deliveries of new messages behind a higher sequence number of their publisher. */
    public long outOfOrder() {
        return outOfOrder;
    }

    /** Counted deliveries of distinct messages. */
    public long unique() {
        return received - duplicated;
    }

    /**
     * The messages publishers evidently sent, inferred from the sequence numbers: for every
     * publisher, lowest to highest number received. For a subscriber that cannot know what was
     * sent (a standalone {@code bench sub}).
     */
    public long inferredExpected() {
        long span = 0;
        for (SequenceTracker tracker : knownPublishers) {
            span += tracker.span();
        }
        for (SequenceTracker tracker : others.values()) {
            span += tracker.span();
        }
        return span;
    }

    /** Publishers seen. */
    int publishersSeen() {
        int seen = others.size();
        for (SequenceTracker tracker : knownPublishers) {
            if (tracker.highest() >= 0) {
                seen++;
            }
        }
        return seen;
    }
}
