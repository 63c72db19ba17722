package io.starling.store.rocksdb;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The changes of one operation, applied together or not at all: the records a QoS 1 PUBLISH
 * adds for every session it reaches, say. Plain Java values, so that callers on any thread build
 * it without touching native memory; the commit thread turns it into a RocksDB write batch.
 */
public final class StoreWrite {
    /** One change: a put ({@code value} set), a delete, or a range delete ({@code end} set). */
    @SuppressWarnings("ArrayRecordComponent") // written once, read once by the commit thread; never compared
    record Change(Keyspace keyspace, byte[] key, byte @Nullable [] value, byte @Nullable [] end) {}

    private final List<Change> changes = new ArrayList<>(4);

    /** Stores {@code value} under {@code key}, replacing what was there. */
    public StoreWrite put(Keyspace keyspace, byte[] key, byte[] value) {
        changes.add(new Change(keyspace, key, value, null));
        return this;
    }

    /** Removes {@code key}; removing a missing key is no error. */
    public StoreWrite delete(Keyspace keyspace, byte[] key) {
        changes.add(new Change(keyspace, key, null, null));
        return this;
    }

    /** Removes every key from {@code from} (included) to {@code to} (excluded), in byte order. */
    public StoreWrite deleteRange(Keyspace keyspace, byte[] from, byte[] to) {
        changes.add(new Change(keyspace, from, null, to));
        return this;
    }

    public boolean isEmpty() {
        return changes.isEmpty();
    }

    public int size() {
        return changes.size();
    }

    List<Change> changes() {
        return changes;
    }
}
