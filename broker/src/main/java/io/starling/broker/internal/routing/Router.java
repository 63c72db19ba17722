package io.starling.broker.internal.routing;

import io.starling.broker.internal.acl.AccessControl;
import io.starling.broker.internal.retained.RetainedStore;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.broker.model.StoredMessage;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes application messages: keeps the retained message of a topic up to date and hands each
 * message to every subscriber with a matching subscription, once per subscriber at the highest
 * QoS granted among its matching subscriptions, downgraded to the published QoS.
 *
 * <p>With persistence on, a QoS 1 or 2 message that reaches persistent sessions is first stored:
 * one message record, and one queue entry for each such session, written together, and so is a
 * retained message. {@link #publish} returns a {@link Publication}: whoever received the message
 * hands it on with {@link Publication#deliver} and acknowledges it only once the store has it.
 */
public final class Router {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final TopicTree subscriptions;
    private final RetainedStore retained;
    private final Persistence persistence;
    private final BrokerMetrics metrics;
    /** The ACL file in force, if any: without one, nobody's delivery is checked. */
    private final AccessControl access;
    /** Whether a retained message was refused for the limits and not yet followed by one that fitted: logged once. */
    private volatile boolean retainedFull;
    /** Told of each retained change a client (or will, or operator) made here: the cluster's; null without one. */
    private volatile @Nullable Consumer<Message> retainedChanges;

    public Router(TopicTree subscriptions, RetainedStore retained, Persistence persistence, BrokerMetrics metrics,
            AccessControl access) {
        this.access = access;
        this.subscriptions = subscriptions;
        this.retained = retained;
        this.persistence = persistence;
        this.metrics = metrics;
    }

    public TopicTree subscriptions() {
        return subscriptions;
    }

    public RetainedStore retained() {
        return retained;
    }

    /**
     * A routed message: the subscribers it goes to, and the store write it waits for (null when
     * nothing was stored).
     */
    public static final class Publication {
        private final Message message;
        private final Targets targets;
        /** The queue entry of each target by its position in {@code targets}, null where not stored; or null when none is. */
        private final @Nullable QueueRef @Nullable [] queued;
        private final @Nullable CompletableFuture<Void> stored;

        Publication(Message message, Targets targets, @Nullable QueueRef @Nullable [] queued,
                @Nullable CompletableFuture<Void> stored) {
            this.message = message;
            this.targets = targets;
            this.queued = queued;
            this.stored = stored;
        }

        /** How many subscribers the message goes to: 0 means no matching subscribers (PUBACK 0x10 in 5.0). */
        public int size() {
            return targets.size();
        }

        /** Completes once the message is stored for every persistent session it reaches; null when nothing had to be. */
        public @Nullable CompletableFuture<Void> stored() {
            return stored;
        }

        /**
         * A subscriber this QoS 1 or 2 message goes to at QoS 1 or 2 whose queue is full (see
         * {@link Subscriber#congested}), or null: the publisher should be held back until it drains.
         */
        public @Nullable Subscriber congested() {
            if (message.qos() == QoS.AT_MOST_ONCE) {
                return null;
            }
            for (int i = 0; i < targets.size(); i++) {
                if (targets.qos(i) != QoS.AT_MOST_ONCE && targets.subscriber(i).congested()) {
                    return targets.subscriber(i);
                }
            }
            return null;
        }

        /** Hands the message to every subscriber; call once {@link #stored} completed. Returns how many. */
        public int deliver() {
            @Nullable QueueRef[] q = queued;
            int n = targets.size();
            for (int i = 0; i < n; i++) {
                targets.subscriber(i).deliver(message, targets.qos(i), targets.retain(i), targets.identifiers(i),
                        q == null ? null : q[i]);
            }
            return n;
        }
    }

    /**
     * Routes {@code message} as received from a client (or as a will): retains it if asked, and
     * stores it, together with {@code with} (the publisher's own changes, or null), for the
     * persistent sessions it reaches.
     */
    public Publication publish(Message message, @Nullable StoreChanges with) {
        metrics.messagesReceived.increment();
        return route(message, targetsOf(message), with, true);
    }

    /**
     * Routes {@code message}, forwarded by another cluster node, to this node's sessions only
     * (never to another node again, so that it cannot loop), and stores it for the persistent ones
     * as {@link #publish} does; the retained messages are left as they are (another node's
     * retained changes arrive through {@link #replicateRetained}). Not counted as received.
     *
     * <p>Shared subscription groups span the cluster: the node where the message was published
     * picked one member of each matching group, perhaps this node for some ({@code shares}, as
     * {@code $share/{group}/{filter}}). The message goes to one local member of each of those, and
     * to no other group: the others' members were picked elsewhere. A listed group without a
     * local member any more (its last one left meanwhile) gets nothing.
     */
    public Publication publishForwarded(Message message, List<String> shares) {
        Targets targets = new Targets(message, true);
        subscriptions.matchUnshared(message.topic(), targets);
        for (int i = 0; i < shares.size(); i++) {
            subscriptions.pickShared(shares.get(i), message.topic(), targets);
        }
        return route(message, readable(message, targets), null, false);
    }

    /** Stores {@code message} for the persistent sessions among {@code targets}, and retains it when asked and {@code retain}. */
    private Publication route(Message message, Targets targets, @Nullable StoreChanges with, boolean retain) {
        StoreChanges changes = with;
        @Nullable QueueRef @Nullable [] queued = null;
        int first = persistence.enabled() && message.qos() != QoS.AT_MOST_ONCE ? firstStored(targets) : -1;
        if (first >= 0) {
            StoredMessage stored = new StoredMessage(persistence.nextMessageId());
            StoreChanges storing = changes != null ? changes : persistence.changes();
            storing.message(stored.id(), message);
            @Nullable QueueRef[] refs = new QueueRef[targets.size()];
            for (int i = first; i < targets.size(); i++) {
                // durable() is read once per subscriber: the first one was read by firstStored
                if (i != first && !storedFor(targets, i)) {
                    continue;
                }
                Subscriber subscriber = targets.subscriber(i);
                long seq = subscriber.nextQueueSeq();
                stored.retain();
                storing.queued(subscriber.clientId(), seq, stored.id(), targets.qos(i), targets.retain(i),
                        targets.identifiers(i), 0, false);
                refs[i] = new QueueRef(seq, stored);
            }
            changes = storing;
            queued = refs;
        }
        if (!retain || !message.retain()) {
            return new Publication(message, targets, queued, persistence.commitAny(changes));
        }
        // one retained update at a time, so that the store ends with the same message per topic as memory
        synchronized (retained) {
            Publication publication = new Publication(message, targets, queued, persistence.commitAny(retainAndStore(message, changes)));
            Consumer<Message> changed = retainedChanges;
            // under the monitor: the other nodes hear of a topic's changes in the order they were made here
            if (changed != null && (message.payload().length == 0 || retained.get(message.topic()) == message)) {
                changed.accept(message);
            }
            return publication;
        }
    }

    /**
     * Applies another cluster node's change of a retained message ({@code message}; an empty
     * payload removes the topic's) in memory and in the store, without routing it and without
     * telling {@link #retainedChanges} (it came from there). Returns the store's write, or null.
     */
    public @Nullable CompletableFuture<Void> replicateRetained(Message message) {
        Message kept = message.retain() ? message : new Message(message.topic(), message.qos(), true, message.payload(),
                message.publisherId(), message.properties(), message.expiresAtMillis());
        synchronized (retained) {
            return persistence.commitAny(retainAndStore(kept, null));
        }
    }

    /** Tells {@code listener} of every retained change made on this node from now on (the cluster). */
    public void retainedChanges(Consumer<Message> listener) {
        retainedChanges = listener;
    }

    /**
     * Removes the retained message of {@code topic}, from memory and from the store, as an empty
     * retained PUBLISH would, without routing anything: for an operator. Null when the topic has
     * none; else completes once the store has the removal (at once without persistence).
     */
    public @Nullable CompletableFuture<Void> removeRetained(String topic) {
        synchronized (retained) {
            if (retained.get(topic) == null) {
                return null;
            }
            Message empty = new Message(topic, QoS.AT_MOST_ONCE, true, new byte[0], "");
            CompletableFuture<Void> stored = persistence.commitAny(retainAndStore(empty, null));
            Consumer<Message> changed = retainedChanges;
            if (changed != null) {
                changed.accept(empty);
            }
            return stored != null ? stored : CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Updates the retained message of the retained {@code message}'s topic, and adds the store's
     * update to {@code changes} (made when null and needed); returns the changes. Under the
     * monitor of {@link #retained}.
     */
    private @Nullable StoreChanges retainAndStore(Message message, @Nullable StoreChanges changes) {
        if (!retain(message) || !persistence.enabled()) {
            return changes;
        }
        StoreChanges storing = changes != null ? changes : persistence.changes();
        if (message.payload().length == 0) {
            storing.retainedRemoved(message.topic());
        } else {
            storing.retained(message);
        }
        return storing;
    }

    /** The subscribers {@code message} goes to, those the ACL file lets read it. */
    private Targets targetsOf(Message message) {
        // [MQTT-3.3.5-1] overlapping subscriptions of one client get one copy, at the highest granted QoS
        Targets targets = new Targets(message, false);
        subscriptions.match(message.topic(), targets);
        return readable(message, targets);
    }

    /** Leaves in {@code targets} those the ACL file lets read {@code message}; returns them. */
    private Targets readable(Message message, Targets targets) {
        if (access.file() != null) {
            // one look per message, not one per subscriber, while no ACL file is in force
            int unreadable = targets.dropUnreadable(message.topic());
            if (unreadable > 0) {
                metrics.aclDeliveryDenied.add(unreadable);
            }
        }
        return targets;
    }

    /**
     * Routes a QoS 0 message the broker publishes itself ({@code $SYS}): as {@link #publish}, ACL
     * file included, but not counted as received and kept in memory only, retained or not (it is
     * published again after a restart). The publication has nothing to wait for.
     */
    public Publication publishFromBroker(Message message) {
        if (message.qos() != QoS.AT_MOST_ONCE) {
            throw new IllegalArgumentException("the broker's own messages are QoS 0: " + message);
        }
        Targets targets = targetsOf(message);
        if (message.retain()) {
            synchronized (retained) {
                retain(message);
            }
        }
        return new Publication(message, targets, null, null);
    }

    /** The first target the message must be stored for, or -1. */
    private static int firstStored(Targets targets) {
        for (int i = 0; i < targets.size(); i++) {
            if (storedFor(targets, i)) {
                return i;
            }
        }
        return -1;
    }

    /** Whether target {@code i} is a persistent session that gets the message at QoS 1 or 2. */
    private static boolean storedFor(Targets targets, int i) {
        return targets.qos(i) != QoS.AT_MOST_ONCE && targets.subscriber(i).durable();
    }

    /** Updates the retained message of the message's topic; false when the limits refused it. */
    private boolean retain(Message message) {
        if (message.payload().length == 0) {
            // [MQTT-3.3.1-10] an empty retained message removes the topic's retained message
            retained.remove(message.topic());
            return true;
        }
        // [MQTT-3.3.1-5] it replaces any retained message of the topic
        if (retained.put(message)) {
            retainedFull = false;
            return true;
        }
        metrics.retainedMessagesRefused.increment();
        if (!retainedFull) {
            retainedFull = true;
            log.warn("retained message on '{}' not kept: the retained-message limits (max_retained_messages,"
                    + " max_retained_bytes) are reached; it was still delivered. Logged once until one fits.", message.topic());
        }
        return false;
    }

}
