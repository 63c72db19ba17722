package io.starling.broker.spi;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Where persistent sessions, their messages and the retained messages are kept across restarts:
 * a store opened by a {@link PersistenceProvider} (RocksDB on local disk, from {@code
 * starling-store-rocksdb}), or {@link #NONE}, which keeps nothing and leaves every session in
 * memory only. Safe to call from any thread.
 */
public interface Persistence extends AutoCloseable {
    /** Keeps nothing: sessions and retained messages live in memory only ({@code persistence: false}). */
    Persistence NONE = new Persistence() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public StoreChanges changes() {
            return StoreChanges.NONE;
        }

        @Override
        public long nextMessageId() {
            throw new IllegalStateException("persistence is off");
        }

        @Override
        public CompletableFuture<Void> commit(StoreChanges changes) {
            throw new IllegalStateException("persistence is off");
        }

        @Override
        public Recovered recover() {
            return Recovered.EMPTY;
        }

        @Override
        public String toString() {
            return "in memory (persistence off)";
        }

        @Override
        public void close() {}
    };

    /** Whether anything is stored: when false, no other method but {@link #recover} and {@link #close} is called. */
    boolean enabled();

    /** Empty changes, to fill and then {@link #commit}; while {@link #enabled() off}, changes that store nothing. */
    StoreChanges changes();

    /** A message record identifier never used by a record in the store. */
    long nextMessageId();

    /**
     * Stores {@code changes}, made by this store's {@link #changes()}, after every commit that was
     * called before. The future completes once they are as durable as the store promises, or
     * exceptionally with a {@link StoreException} when they could not be stored (a full disk, say).
     */
    CompletableFuture<Void> commit(StoreChanges changes);

    /**
     * Commits {@code changes} when there is anything to store: null (nothing to wait for) when
     * they are null or empty, or when persistence is off.
     */
    default @Nullable CompletableFuture<Void> commitAny(@Nullable StoreChanges changes) {
        return changes == null || changes.isEmpty() || !enabled() ? null : commit(changes);
    }

    /**
     * Reports every commit from now on to {@code listener}, replacing the one before; the broker
     * sets it once at start-up, for its metrics. A store that does not report commits ignores it.
     */
    default void commitListener(CommitListener listener) {}

    /** Reads everything stored, once, at start-up, before any client connects. */
    Recovered recover();

    /** Commits what is waiting, then closes. */
    @Override
    void close();
}
