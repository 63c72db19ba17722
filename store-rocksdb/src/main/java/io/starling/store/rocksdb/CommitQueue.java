package io.starling.store.rocksdb;

import io.starling.broker.config.FsyncMode;
import io.starling.broker.spi.CommitListener;
import io.starling.broker.spi.StoreException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one thread takes every write waiting, applies them as one RocksDB write batch,
 * syncs once as the {@link FsyncMode} says, and only then completes their futures. Under load one
 * fsync covers hundreds of writes, so durability does not cost a sync per message; when idle a
 * write is committed at once, without waiting for company. A failed write (a full disk, say)
 * fails the futures of its group with a {@link StoreException}: nothing is acknowledged that was
 * not stored.
 */
public final class CommitQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommitQueue.class);
    /** The most writes one group carries, to bound the batch's memory and the latency of its first. */
    static final int MAX_GROUP = 4096;

    private record Pending(StoreWrite write, CompletableFuture<Void> done) {}

    private final RocksDB db;
    private final EnumMap<Keyspace, ColumnFamilyHandle> families;
    private final FsyncMode mode;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean closing;
    private volatile CommitListener listener = CommitListener.NONE;

    CommitQueue(RocksDB db, EnumMap<Keyspace, ColumnFamilyHandle> families, FsyncMode mode, String name) {
        this.db = db;
        this.families = families;
        this.mode = mode;
        this.thread = new Thread(this::run, "starling-store-commit-" + name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues {@code write}; the future completes once it is stored as durably as the mode promises. */
    public CompletableFuture<Void> submit(StoreWrite write) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closing) {
            done.completeExceptionally(new StoreException("the store is closed"));
            return done;
        }
        queue.add(new Pending(write, done));
        return done;
    }

    /** Tells {@code listener} of every batch committed from now on (on the commit thread), instead of the one before. */
    public void listener(CommitListener listener) {
        this.listener = listener;
    }

    public FsyncMode mode() {
        return mode;
    }

    /** Writes completed so far. */
    public long writes() {
        return writes.get();
    }

    /** RocksDB write batches applied so far (one per group, or one per write in ALWAYS). */
    public long commits() {
        return commits.get();
    }

    /** fsyncs requested so far. */
    public long syncs() {
        return syncs.get();
    }

    /** Commits what is queued, then stops the commit thread. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Pending p; (p = queue.poll()) != null; ) {
            p.done.completeExceptionally(new StoreException("the store closed before the write was committed"));
        }
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        while (true) {
            try {
                Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    if (closing) {
                        return;
                    }
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                group.clear();
            }
        }
    }

    private void commit(List<Pending> group) {
        if (mode == FsyncMode.ALWAYS) {
            for (Pending p : group) {
                apply(List.of(p), true);
            }
        } else {
            apply(group, mode == FsyncMode.BATCH);
        }
    }

    private void apply(List<Pending> group, boolean sync) {
        try (WriteBatch batch = new WriteBatch(); WriteOptions options = new WriteOptions().setSync(sync)) {
            int changes = 0;
            for (Pending p : group) {
                changes += p.write.changes().size();
                for (StoreWrite.Change c : p.write.changes()) {
                    ColumnFamilyHandle family = families.get(c.keyspace());
                    if (c.end() != null) {
                        batch.deleteRange(family, c.key(), c.end());
                    } else if (c.value() == null) {
                        batch.delete(family, c.key());
                    } else {
                        batch.put(family, c.key(), c.value());
                    }
                }
            }
            long start = System.nanoTime();
            db.write(options, batch);
            listener.committed(group.size(), changes, System.nanoTime() - start);
            commits.incrementAndGet();
            if (sync) {
                syncs.incrementAndGet();
            }
            writes.addAndGet(group.size());
            for (Pending p : group) {
                p.done.complete(null);
            }
        } catch (RocksDBException e) {
            StoreException failure = new StoreException("the store could not commit " + group.size() + " write(s): "
                    + e.getMessage() + (e.getStatus() != null ? " (" + e.getStatus().getCodeString() + ")" : ""), e);
            log.error("{}", failure.getMessage());
            for (Pending p : group) {
                p.done.completeExceptionally(failure);
            }
        }
    }
}
