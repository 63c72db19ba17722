package io.starling.cli.bench.stats;

/**
 * Which sequence numbers of one publisher one subscriber has received, exactly: every number
 * below {@code base} has been seen, and a ring of bit words covers the numbers above it. In-order
 * delivery keeps the ring at one or two words; a gap (a lost message) holds {@code base} back and
 * the ring grows by one bit per later message, up to {@link #MAX_WORDS} words, past which the
 * oldest gap is given up (a message arriving into it later counts as a duplicate).
 *
 * <p>When the first sequence number is not known in advance (a subscriber that joined a running
 * publisher), tracking starts at the first one seen; numbers below it count as new and out of
 * order, since nothing can be known about them. Single-threaded.
 */
final class SequenceTracker {
    /** What {@link #receive(long)} found. */
    enum Outcome {
        /** A number not seen before, higher than every one seen before. */
        IN_ORDER,
        /** A number not seen before, lower than one seen before. */
        OUT_OF_ORDER,
        /** A number seen before. */
        DUPLICATE
    }

    /** 2^16 words: 4 Mi sequence numbers past the oldest gap, 512 KiB. */
    static final int MAX_WORDS = 1 << 16;

    private final boolean startKnown;
    private long base;
    private long[] words = new long[2];
    private int head;
    private long highest = -1;
    private long lowest = Long.MAX_VALUE;
    private long unique;
    private boolean started;

    /** A tracker for a publisher whose first sequence number is {@code first}. */
    static SequenceTracker startingAt(long first) {
        return new SequenceTracker(true, first);
    }

    /** A tracker that starts at the first sequence number it sees. */
    static SequenceTracker startingAtFirstSeen() {
        return new SequenceTracker(false, 0);
    }

    private SequenceTracker(boolean startKnown, long first) {
        this.startKnown = startKnown;
        this.base = first;
        this.started = startKnown;
    }

    Outcome receive(long sequence) {
        if (!started) {
            started = true;
            base = sequence;
        }
        if (sequence < base) {
            if (startKnown) {
                return Outcome.DUPLICATE;
            }
            // before the first number seen: unknowable, counted as new
            lowest = Math.min(lowest, sequence);
            unique++;
            return Outcome.OUT_OF_ORDER;
        }
        long offset = sequence - base;
        while ((offset >>> 6) >= words.length) {
            if (words.length >= MAX_WORDS) {
                giveUpOldestWord();
                offset = sequence - base;
            } else {
                grow();
            }
        }
        int index = (int) ((head + (offset >>> 6)) & (words.length - 1));
        long bit = 1L << (offset & 63);
        if ((words[index] & bit) != 0) {
            return Outcome.DUPLICATE;
        }
        words[index] |= bit;
        unique++;
        lowest = Math.min(lowest, sequence);
        advance();
        if (sequence > highest) {
            highest = sequence;
            return Outcome.IN_ORDER;
        }
        return Outcome.OUT_OF_ORDER;
    }

    /** Distinct sequence numbers received. */
    long unique() {
        return unique;
    }

    /** The highest sequence number received, or -1. */
    long highest() {
        return highest;
    }

    /** The lowest sequence number received, or {@link Long#MAX_VALUE}. */
    long lowest() {
        return lowest;
    }

    /** Sequence numbers from the lowest to the highest received: what a publisher evidently sent. */
    long span() {
        return highest < 0 ? 0 : highest - lowest + 1;
    }

    /** Drops the words that are full from the front of the ring. */
    private void advance() {
        while (words[head] == -1L) {
            words[head] = 0;
            head = (head + 1) & (words.length - 1);
            base += 64;
        }
    }

    private void giveUpOldestWord() {
        words[head] = 0;
        head = (head + 1) & (words.length - 1);
        base += 64;
        advance();
    }

    private void grow() {
        long[] bigger = new long[words.length * 2];
        for (int i = 0; i < words.length; i++) {
            bigger[i] = words[(head + i) & (words.length - 1)];
        }
        words = bigger;
        head = 0;
    }
}
