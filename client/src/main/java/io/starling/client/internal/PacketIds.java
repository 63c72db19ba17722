package io.starling.client.internal;

import java.util.BitSet;

/**
 * The packet identifiers of one client session: PUBLISH (QoS 1 and 2), SUBSCRIBE and UNSUBSCRIBE
 * share one space, and an identifier stays taken until its exchange completes [MQTT-2.3.1-2].
 * Allocation goes round from 1 to 65,535, so a freed identifier is not reused at once. Confined
 * to the client's I/O thread.
 */
public final class PacketIds {
    static final int MAX = 65_535;

    private final BitSet used = new BitSet(MAX + 1);
    private int next = 1;
    private int inUse;

    /** Whether one more identifier can be taken. */
    public boolean available() {
        return inUse < MAX;
    }

    /** Takes a free identifier; call only when {@link #available()}. */
    public int allocate() {
        if (!available()) {
            throw new IllegalStateException("all 65535 packet identifiers are in use");
        }
        int id = used.nextClearBit(next);
        if (id > MAX) {
            id = used.nextClearBit(1);
        }
        used.set(id);
        inUse++;
        next = id == MAX ? 1 : id + 1;
        return id;
    }

    /** Frees {@code id}; freeing a free identifier does nothing. */
    public void release(int id) {
        if (id >= 1 && id <= MAX && used.get(id)) {
            used.clear(id);
            inUse--;
        }
    }

    public int inUse() {
        return inUse;
    }
}
