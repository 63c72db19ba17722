package io.starling.broker.internal.session;

import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.codec.packet.QoS;
import java.util.AbstractCollection;
import java.util.Collection;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * The QoS 1 and 2 messages a session has sent and the client has not yet acknowledged, by packet
 * identifier, in the order they were first sent: that is the order they are re-sent in on
 * reconnect [MQTT-4.4.0-1] [MQTT-4.6.0-1].
 *
 * <p>Built for the QoS 1 path and for idle sessions: entries are found by their packet
 * identifier in an open-addressing table of entries (no boxed keys, no map nodes), and kept in
 * sending order by links in the entries themselves. A window that never held a message has no
 * table at all. Mailbox only.
 */
public final class InflightWindow {
    /** Slots of the first table; a power of two. */
    private static final int INITIAL_SLOTS = 16;
    private static final int[] NO_IDS = new int[0];

    /**
     * One open flow. {@code released} is set once PUBREC arrived and PUBREL was sent: the message
     * is then delivered, and only PUBCOMP is awaited.
     */
    public static final class Entry {
        public final int packetId;
        public final Message message;
        public final QoS qos;
        public final boolean retain;
        /** The Subscription Identifiers it is sent with; empty for none. */
        public final int[] subscriptionIds;
        /** Its queue entry in the store, or null when it is not stored. */
        public final @Nullable QueueRef stored;
        public boolean released;
        // the sending order: a doubly linked list through the open entries
        @Nullable Entry older;
        @Nullable Entry newer;

        Entry(int packetId, Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
            this.packetId = packetId;
            this.message = message;
            this.qos = qos;
            this.retain = retain;
            this.subscriptionIds = subscriptionIds;
            this.stored = stored;
        }
    }

    /** Open addressing with linear probing; slot of an identifier: {@code packetId & (length - 1)}. */
    private @Nullable Entry @Nullable [] slots;
    private @Nullable Entry oldest;
    private @Nullable Entry newest;
    private int size;
    /** Payload bytes of the open flows, for {@code max_inflight_bytes}. */
    private long bytes;
    /** Changes on every add and remove, so that iterating while changing fails instead of skipping. */
    private int changes;

    /**
     * Adds the flow of {@code packetId} as the newest. The identifier must not be in the window
     * (the session allocates identifiers not in use [MQTT-2.3.1-2]).
     */
    public Entry add(int packetId, Message message, QoS qos, boolean retain, @Nullable QueueRef stored) {
        return add(packetId, message, qos, retain, NO_IDS, stored);
    }

    /** As {@link #add(int, Message, QoS, boolean, QueueRef)}, sent with {@code subscriptionIds}. */
    public Entry add(int packetId, Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
        if (packetId < 1 || packetId > 65535) {
            throw new IllegalArgumentException("packet identifier " + packetId + " is not 1 to 65535");
        }
        Entry[] table = slots;
        if (table == null) {
            table = slots = new Entry[INITIAL_SLOTS];
        } else if ((size + 1) * 4 > table.length * 3) {
            table = grow(table);
        }
        int mask = table.length - 1;
        int i = packetId & mask;
        Entry there;
        while ((there = table[i]) != null) {
            if (there.packetId == packetId) {
                throw new IllegalStateException("packet identifier " + packetId + " is already in flight");
            }
            i = (i + 1) & mask;
        }
        Entry entry = new Entry(packetId, message, qos, retain, subscriptionIds, stored);
        table[i] = entry;
        Entry last = newest;
        entry.older = last;
        if (last == null) {
            oldest = entry;
        } else {
            last.newer = entry;
        }
        newest = entry;
        size++;
        bytes += message.payload().length;
        changes++;
        return entry;
    }

    public @Nullable Entry get(int packetId) {
        Entry[] table = slots;
        int at = slotOf(packetId);
        return at < 0 || table == null ? null : table[at];
    }

    public @Nullable Entry remove(int packetId) {
        Entry[] table = slots;
        int at = slotOf(packetId);
        if (at < 0 || table == null) {
            return null;
        }
        Entry there = table[at];
        closeGap(table, at);
        unlink(there);
        size--;
        bytes -= there.message.payload().length;
        changes++;
        return there;
    }

    /** The slot of {@code packetId}'s entry (linear probing from its home slot), or -1. */
    private int slotOf(int packetId) {
        Entry[] table = slots;
        if (table == null) {
            return -1;
        }
        int mask = table.length - 1;
        int i = packetId & mask;
        Entry there;
        while ((there = table[i]) != null) {
            if (there.packetId == packetId) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    public boolean contains(int packetId) {
        return get(packetId) != null;
    }

    public int size() {
        return size;
    }

    /** Payload bytes of the messages in flight. */
    public long bytes() {
        return bytes;
    }

    /**
     * The open flows, oldest first: a view, iterated without copying. The window must not change
     * while it is iterated.
     */
    public Collection<Entry> entries() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<Entry> iterator() {
                return new OldestFirst();
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** Forgets every flow and lets go of the table. */
    public void clear() {
        Entry e = oldest;
        while (e != null) {
            Entry next = e.newer;
            e.older = null;
            e.newer = null;
            e = next;
        }
        slots = null;
        oldest = null;
        newest = null;
        size = 0;
        bytes = 0;
        changes++;
    }

    private Entry[] grow(Entry[] table) {
        Entry[] bigger = new Entry[table.length * 2];
        int mask = bigger.length - 1;
        for (Entry e = oldest; e != null; e = e.newer) {
            int i = e.packetId & mask;
            while (bigger[i] != null) {
                i = (i + 1) & mask;
            }
            bigger[i] = e;
        }
        slots = bigger;
        return bigger;
    }

    /**
     * Empties slot {@code gap} and moves later entries of its probe run back into it where their
     * own slot allows, so that every entry stays reachable from its slot without tombstones.
     */
    private static void closeGap(Entry[] table, int gap) {
        int mask = table.length - 1;
        int i = (gap + 1) & mask;
        Entry e;
        while ((e = table[i]) != null) {
            int home = e.packetId & mask;
            // e may fill the gap unless its home lies cyclically in (gap, i]
            boolean homeAfterGap = gap <= i ? (home > gap && home <= i) : (home > gap || home <= i);
            if (!homeAfterGap) {
                table[gap] = e;
                table[i] = null;
                gap = i;
            }
            i = (i + 1) & mask;
        }
        table[gap] = null;
    }

    private void unlink(Entry e) {
        Entry older = e.older;
        Entry newer = e.newer;
        if (older == null) {
            oldest = newer;
        } else {
            older.newer = newer;
        }
        if (newer == null) {
            newest = older;
        } else {
            newer.older = older;
        }
        e.older = null;
        e.newer = null;
    }

    private final class OldestFirst implements Iterator<Entry> {
        private @Nullable Entry next = oldest;
        private final int expected = changes;

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public Entry next() {
            Entry e = next;
            if (e == null) {
                throw new NoSuchElementException();
            }
            if (changes != expected) {
                throw new ConcurrentModificationException("the in-flight window changed while iterated");
            }
            next = e.newer;
            return e;
        }
    }
}
