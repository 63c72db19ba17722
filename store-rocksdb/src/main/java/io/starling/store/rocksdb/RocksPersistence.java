package io.starling.store.rocksdb;

import io.starling.broker.config.FsyncMode;
import io.starling.broker.model.Message;
import io.starling.broker.model.StoredMessage;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.CommitListener;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.Recovered;
import io.starling.broker.spi.StoreChanges;
import io.starling.broker.spi.StoreException;
import io.starling.codec.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Persistence on local disk with RocksDB ({@link RocksStore}): writes are group-committed and
 * synced as the {@link FsyncMode} says. At start-up it reads every record back and removes what
 * an interrupted operation left behind: queue entries, subscriptions and packet identifiers of
 * sessions that are gone, and message records no queue entry refers to any more.
 */
public final class RocksPersistence implements Persistence {
    private static final Logger log = LoggerFactory.getLogger(RocksPersistence.class);

    private final RocksStore store;
    private final AtomicLong messageIds = new AtomicLong(1);

    private RocksPersistence(RocksStore store) {
        this.store = store;
    }

    /**
     * Opens (or creates) the store in {@code directory}. Throws {@link
     * io.starling.broker.spi.StoreException}, leaving the files as they are, when they are not
     * a store or cannot be read.
     */
    public static RocksPersistence open(Path directory, FsyncMode fsync) {
        return new RocksPersistence(RocksStore.open(directory, fsync));
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public StoreChanges changes() {
        return new RocksChanges();
    }

    @Override
    public long nextMessageId() {
        return messageIds.getAndIncrement();
    }

    @Override
    public CompletableFuture<Void> commit(StoreChanges changes) {
        return store.commits().submit(((RocksChanges) changes).write());
    }

    @Override
    public void commitListener(CommitListener listener) {
        store.commits().listener(listener);
    }

    public RocksStore store() {
        return store;
    }

    @Override
    public Recovered recover() {
        long started = System.nanoTime();
        StoreWrite cleanup = new StoreWrite();
        Map<String, SessionBuilder> sessions = new LinkedHashMap<>();
        store.forEach(Keyspace.SESSIONS, (key, value) ->
                sessions.put(new String(key, StandardCharsets.UTF_8),
                        new SessionBuilder(StoreRecords.session(value))));
        store.forEach(Keyspace.SUBSCRIPTIONS, (key, value) -> {
            SessionBuilder s = sessions.get(StoreRecords.clientOf(key));
            if (s == null) {
                cleanup.delete(Keyspace.SUBSCRIPTIONS, key);
            } else {
                s.subscriptions.put(StoreRecords.subscriptionFilter(key), StoreRecords.subscription(value));
            }
        });
        store.forEach(Keyspace.WILLS, (key, value) -> {
            SessionBuilder s = sessions.get(new String(key, StandardCharsets.UTF_8));
            if (s == null) {
                cleanup.delete(Keyspace.WILLS, key);
            } else {
                s.will = StoreRecords.will(value);
            }
        });
        store.forEach(Keyspace.INBOUND, (key, value) -> {
            SessionBuilder s = sessions.get(StoreRecords.clientOf(key));
            if (s == null) {
                cleanup.delete(Keyspace.INBOUND, key);
            } else {
                s.inbound.add(StoreRecords.inboundPacketId(key));
            }
        });
        Map<Long, Message> messages = new HashMap<>();
        long[] maxId = {0};
        store.forEach(Keyspace.MESSAGES, (key, value) -> {
            long id = StoreRecords.messageId(key);
            messages.put(id, StoreRecords.message(value));
            maxId[0] = Math.max(maxId[0], id);
        });
        messageIds.set(maxId[0] + 1);
        Map<Long, StoredMessage> referenced = new HashMap<>();
        long[] dropped = {0};
        store.forEach(Keyspace.QUEUES, (key, value) -> {
            SessionBuilder s = sessions.get(StoreRecords.clientOf(key));
            StoreRecords.QueueEntry entry = StoreRecords.queueEntry(value);
            Message message = messages.get(entry.messageId());
            if (s == null || message == null) {
                if (s != null) {
                    dropped[0]++;
                }
                cleanup.delete(Keyspace.QUEUES, key);
                return;
            }
            StoredMessage stored = referenced.computeIfAbsent(entry.messageId(), StoredMessage::new);
            stored.retain();
            long seq = StoreRecords.queueSeq(key);
            s.deliveries.add(new Recovered.Delivery(seq, message, stored, entry.qos(), entry.retain(), entry.subscriptionIds(),
                    entry.packetId(), entry.released()));
            s.nextSeq = Math.max(s.nextSeq, seq + 1);
        });
        for (Long id : messages.keySet()) {
            if (!referenced.containsKey(id)) {
                cleanup.delete(Keyspace.MESSAGES, StoreRecords.messageKey(id));
            }
        }
        List<Message> retained = new ArrayList<>();
        store.forEach(Keyspace.RETAINED, (key, value) -> retained.add(StoreRecords.message(value)));
        if (dropped[0] > 0) {
            log.warn("store {}: {} queue entries referred to missing message records and were removed", store.directory(), dropped[0]);
        }
        if (!cleanup.isEmpty()) {
            join(store.commits().submit(cleanup));
        }
        List<Recovered.Session> result = new ArrayList<>(sessions.size());
        sessions.forEach((clientId, s) -> result.add(new Recovered.Session(clientId, s.state.offlineSinceMillis(),
                s.state.expirySeconds(), s.subscriptions, s.deliveries, s.inbound, s.nextSeq, s.will)));
        Recovered recovered = new Recovered(result, retained);
        log.info("store {} (fsync {}): {} persistent sessions, {} queued messages ({} message records), {} retained messages"
                        + " read in {} ms{}", store.directory(), store.commits().mode().configName(), result.size(),
                recovered.deliveryCount(), referenced.size(), retained.size(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
                cleanup.isEmpty() ? "" : "; " + cleanup.size() + " left-over records removed");
        return recovered;
    }

    private static void join(CompletableFuture<Void> done) {
        try {
            done.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the store did not commit its clean-up within 60 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while cleaning up the store", e);
        }
    }

    @Override
    public void close() {
        store.close();
    }

    @Override
    public String toString() {
        return "RocksDB in " + store.directory() + " (fsync " + store.commits().mode().configName() + ")";
    }

    private static final class SessionBuilder {
        final StoreRecords.SessionState state;
        final Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>();
        final Set<Integer> inbound = new HashSet<>();
        final List<Recovered.Delivery> deliveries = new ArrayList<>();
        long nextSeq = 1;
        Recovered.@Nullable Will will;

        SessionBuilder(StoreRecords.SessionState state) {
            this.state = state;
        }
    }
}
