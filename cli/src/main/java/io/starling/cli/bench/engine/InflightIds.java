package io.starling.cli.bench.engine;

/**
 * A publisher's QoS 1 and 2 messages awaiting acknowledgement, by packet identifier. Identifiers
 * are taken in order 1, 2, ..., 65535, 1, ... and never while still in flight [MQTT-2.3.1-2]:
 * each lives in slot {@code id & mask} of a table of a power of two at least twice the window
 * (at most 65536), and when the next identifier's slot is still taken, by an identifier that has
 * waited a whole table length, sending pauses until its acknowledgement comes. Per identifier
 * the slot holds the send time (for PUBLISH-to-acknowledgement latency), whether the message
 * counts (sent in the measured interval) and, for QoS 2, whether PUBREC came. Single-threaded.
 */
final class InflightIds {
    private static final int MAX_ID = 65_535;

    private int window;
    private final int mask;
    private final int[] ids;
    private final long[] sendTimes;
    private final boolean[] counted;
    private final boolean[] released;
    private int next = 1;
    private int size;

    /** In flight at most {@code window} (1 to 65535) messages. */
    InflightIds(int window) {
        if (window < 1 || window > MAX_ID) {
            throw new IllegalArgumentException("the in-flight window is 1 to 65535, not " + window);
        }
        this.window = window;
        int slots = Math.min(65_536, Integer.highestOneBit(window) << 2);
        this.mask = slots - 1;
        this.ids = new int[slots];
        this.sendTimes = new long[slots];
        this.counted = new boolean[slots];
        this.released = new boolean[slots];
    }

    /**
     * Lowers the window to at most {@code max} (a 5.0 broker's Receive Maximum); before the first
     * {@link #acquire}. The table stays as large as it was: a smaller window only leaves more room.
     */
    void limit(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("the in-flight window is 1 or more, not " + max);
        }
        window = Math.min(window, max);
    }

    /** Messages in flight at most. */
    int window() {
        return window;
    }

    /** Messages in flight. */
    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** How many more messages the window allows now (the next slot may still be taken). */
    int room() {
        return window - size;
    }

    /** Whether {@link #acquire} would give an identifier now. */
    boolean hasRoom() {
        return size < window && ids[next & mask] == 0;
    }

    /** The next identifier, now in flight; 0 when the window is full. */
    int acquire(long sendTime, boolean isCounted) {
        if (!hasRoom()) {
            return 0;
        }
        int id = next;
        int slot = id & mask;
        ids[slot] = id;
        sendTimes[slot] = sendTime;
        counted[slot] = isCounted;
        released[slot] = false;
        next = id == MAX_ID ? 1 : id + 1;
        size++;
        return id;
    }

    /** Whether {@code id} is in flight. */
    boolean contains(int id) {
        return id > 0 && id <= MAX_ID && ids[id & mask] == id;
    }

    /** QoS 2: PUBREC came for {@code id}; false if it is not in flight. */
    boolean markReleased(int id) {
        if (!contains(id)) {
            return false;
        }
        released[id & mask] = true;
        return true;
    }

    /** Whether PUBREC came for {@code id}, which is in flight. */
    boolean isReleased(int id) {
        return contains(id) && released[id & mask];
    }

    long sendTime(int id) {
        return sendTimes[id & mask];
    }

    boolean isCounted(int id) {
        return counted[id & mask];
    }

    /** Ends the flow of {@code id}; false if it was not in flight. */
    boolean complete(int id) {
        if (!contains(id)) {
            return false;
        }
        ids[id & mask] = 0;
        size--;
        return true;
    }
}
