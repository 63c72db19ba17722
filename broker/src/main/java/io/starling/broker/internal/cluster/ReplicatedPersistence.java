package io.starling.broker.internal.cluster;

import io.starling.broker.cluster.SessionChange;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.CommitListener;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.Recovered;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The broker's store in a cluster: every change is written to this node's own store (when it has
 * one) and sent to the nodes that keep a replica of its sessions, and a commit completes once both
 * have it, so that what a PUBACK or PUBREC acknowledges is on at least two nodes. Persistent
 * sessions are kept durable even when this node stores nothing on disk ({@code persistence:
 * false}): the replicas are then their only copy beside this node's memory.
 *
 * <p>Until the cluster transport {@link #replicateTo attaches}, changes go to the local store only.
 */
public final class ReplicatedPersistence implements Persistence {
    private final Persistence local;
    /** Message record identifiers when there is no local store to give them. */
    private final AtomicLong ids = new AtomicLong();
    private volatile @Nullable Function<List<SessionChange>, CompletableFuture<Void>> replicas;

    public ReplicatedPersistence(Persistence local) {
        this.local = local;
    }

    /** From now on, sends every commit's changes to {@code replicas}, and waits for it. */
    public void replicateTo(Function<List<SessionChange>, CompletableFuture<Void>> replicas) {
        this.replicas = replicas;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public StoreChanges changes() {
        return new Recording(local.enabled() ? local.changes() : StoreChanges.NONE);
    }

    @Override
    public long nextMessageId() {
        return local.enabled() ? local.nextMessageId() : ids.incrementAndGet();
    }

    @Override
    public CompletableFuture<Void> commit(StoreChanges changes) {
        Recording recorded = (Recording) changes;
        CompletableFuture<Void> stored = local.enabled() && !recorded.local.isEmpty() ? local.commit(recorded.local) : null;
        Function<List<SessionChange>, CompletableFuture<Void>> to = replicas;
        CompletableFuture<Void> replicated = to == null || recorded.changes.isEmpty() ? null : to.apply(recorded.changes);
        if (stored == null) {
            return replicated != null ? replicated : CompletableFuture.completedFuture(null);
        }
        return replicated == null ? stored : CompletableFuture.allOf(stored, replicated);
    }

    @Override
    public void commitListener(CommitListener listener) {
        local.commitListener(listener);
    }

    @Override
    public Recovered recover() {
        return local.recover();
    }

    @Override
    public void close() {
        local.close();
    }

    @Override
    public String toString() {
        return local + ", replicated to other cluster nodes";
    }

    /** The local store's changes, and the same as a list for the replicas. */
    private static final class Recording implements StoreChanges {
        final StoreChanges local;
        final List<SessionChange> changes = new ArrayList<>(4);

        Recording(StoreChanges local) {
            this.local = local;
        }

        @Override
        public StoreChanges session(String clientId, long offlineSinceMillis, long expirySeconds) {
            local.session(clientId, offlineSinceMillis, expirySeconds);
            changes.add(new SessionChange.Session(clientId, offlineSinceMillis, expirySeconds));
            return this;
        }

        @Override
        public StoreChanges will(String clientId, Message will, long delaySeconds) {
            local.will(clientId, will, delaySeconds);
            changes.add(new SessionChange.Will(clientId, will, delaySeconds));
            return this;
        }

        @Override
        public StoreChanges willRemoved(String clientId) {
            local.willRemoved(clientId);
            changes.add(new SessionChange.WillRemoved(clientId));
            return this;
        }

        @Override
        public StoreChanges sessionRemoved(String clientId) {
            local.sessionRemoved(clientId);
            changes.add(new SessionChange.SessionRemoved(clientId));
            return this;
        }

        @Override
        public StoreChanges subscribed(String clientId, String filter, SubscriptionOptions options) {
            local.subscribed(clientId, filter, options);
            changes.add(new SessionChange.Subscribed(clientId, filter, options));
            return this;
        }

        @Override
        public StoreChanges unsubscribed(String clientId, String filter) {
            local.unsubscribed(clientId, filter);
            changes.add(new SessionChange.Unsubscribed(clientId, filter));
            return this;
        }

        @Override
        public StoreChanges message(long id, Message message) {
            local.message(id, message);
            changes.add(new SessionChange.MessageStored(id, message));
            return this;
        }

        @Override
        public StoreChanges messageReleased(long id) {
            local.messageReleased(id);
            changes.add(new SessionChange.MessageReleased(id));
            return this;
        }

        @Override
        public StoreChanges queued(String clientId, long seq, long messageId, QoS qos, boolean retain, int[] subscriptionIds,
                int packetId, boolean released) {
            local.queued(clientId, seq, messageId, qos, retain, subscriptionIds, packetId, released);
            changes.add(new SessionChange.Queued(clientId, seq, messageId, qos, retain, subscriptionIds, packetId, released));
            return this;
        }

        @Override
        public StoreChanges dequeued(String clientId, long seq) {
            local.dequeued(clientId, seq);
            changes.add(new SessionChange.Dequeued(clientId, seq));
            return this;
        }

        @Override
        public StoreChanges inbound(String clientId, int packetId) {
            local.inbound(clientId, packetId);
            changes.add(new SessionChange.Inbound(clientId, packetId));
            return this;
        }

        @Override
        public StoreChanges inboundReleased(String clientId, int packetId) {
            local.inboundReleased(clientId, packetId);
            changes.add(new SessionChange.InboundReleased(clientId, packetId));
            return this;
        }

        @Override
        public StoreChanges retained(Message message) {
            local.retained(message);
            changes.add(new SessionChange.Retained(message));
            return this;
        }

        @Override
        public StoreChanges retainedRemoved(String topic) {
            local.retainedRemoved(topic);
            changes.add(new SessionChange.RetainedRemoved(topic));
            return this;
        }

        @Override
        public boolean isEmpty() {
            return changes.isEmpty();
        }
    }
}
