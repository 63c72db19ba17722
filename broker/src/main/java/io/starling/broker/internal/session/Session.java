package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.broker.internal.acl.ClientRights;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state the broker keeps for one client identifier: its subscriptions, the messages in
 * flight to it and queued for it, and the QoS 2 packet identifiers it has sent and not yet
 * released; changed through operations named for what happens to the session in MQTT terms.
 *
 * <p>Threads: the state is changed only by tasks run from the session's {@link Mailbox}, on its
 * owner event loop ("mailbox only" below). While a connection is attached, the owner is that
 * connection's event loop, so deliveries and replies need no further hand-off; an offline session
 * keeps its last owner. Each batch of tasks ends with one flush of the connection. The few
 * members publishers read from their own threads are volatile and say so.
 *
 * <p>Memory: most sessions are idle, so a session is small until it is used. The queue, the
 * inbound QoS 2 identifiers, the subscriptions, the packet identifier allocator and the tables of
 * the in-flight window and the store gate are made on first use, and {@link #clearMessages} lets
 * go of most of them again. The checks {@link #queued()}, {@link #hasQueued()}, {@link
 * #nextQueued()} and {@link #hasSubscriptions()} never make them.
 */
public final class Session extends Mailbox implements Subscriber {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /**
     * A message waiting for room in the in-flight window or on the connection; {@code stored} is
     * its queue entry in the store, or null.
     */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    public record Pending(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
        /** A message without subscription identifiers. */
        public Pending(Message message, QoS qos, boolean retain, @Nullable QueueRef stored) {
            this(message, qos, retain, NO_IDS, stored);
        }
    }

    private static final int[] NO_IDS = new int[0];

    /** Carries out deliveries; the broker's publish-out flow. */
    @FunctionalInterface
    public interface Delivery {
        void deliver(Session session, Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored);
    }

    /**
     * A will waiting for its Will Delay Interval [MQTT-3.1.3-9]: published when the delay runs out
     * or the session ends, whichever is first, and never if the session is resumed before.
     */
    public static final class PendingWill {
        public final Message will;
        public final long delaySeconds;
        @Nullable ScheduledFuture<?> timer;

        public PendingWill(Message will, long delaySeconds) {
            this.will = will;
            this.delaySeconds = delaySeconds;
        }
    }

    /** A delivery waiting in the mailbox: the task and its data in one object, one per subscriber and message. */
    private static final class DeliveryTask extends Task {
        private final Session session;
        private final Message message;
        private final QoS qos;
        private final boolean retain;
        private final int[] subscriptionIds;
        private final @Nullable QueueRef stored;

        DeliveryTask(Session session, Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
            this.session = session;
            this.message = message;
            this.qos = qos;
            this.retain = retain;
            this.subscriptionIds = subscriptionIds;
            this.stored = stored;
        }

        @Override
        protected void run() {
            session.delivery.deliver(session, message, qos, retain, subscriptionIds, stored);
        }
    }

    private static final VarHandle QUEUE_SEQ;

    static {
        try {
            QUEUE_SEQ = MethodHandles.lookup().findVarHandle(Session.class, "queueSeq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String clientId;
    private final Delivery delivery;
    private volatile boolean discarded;
    /** Read by publishers' threads to decide whether a delivery must be stored first. */
    private volatile boolean durable;
    /** The sequence number of the next queue entry in the store; publishers' threads take them. */
    @SuppressWarnings("UnusedVariable") // read through QUEUE_SEQ, which Error Prone does not follow
    private volatile long queueSeq = 1;
    /** Read by publishers' threads: whether they should hold back (see {@link #congested()}). */
    private volatile boolean congested;
    /** Read by publishers' threads choosing a member of a shared subscription group. */
    private volatile boolean online;
    /** Held-back publishers to resume once the queue drains; guarded by {@code this}, made on first use. */
    private @Nullable List<Runnable> onDrained;
    private final StoreGate gate = new StoreGate(this);
    /** What the session's client may do; null: everything (no client has been let in through ConnectFlow). */
    private volatile @Nullable ClientRights rights;

    // ---- mailbox only; the nullable ones are made on first use ----
    private @Nullable Map<String, SubscriptionOptions> subscriptions;
    private final InflightWindow inflight = new InflightWindow();
    private @Nullable PacketIds packetIds;
    private @Nullable ArrayDeque<Pending> queue;
    private @Nullable Set<Integer> inboundQos2;
    private @Nullable ClientConnection connection;
    private boolean cleanSession = true;
    private boolean persistent;
    /**
     * The Session Expiry Interval in seconds: 0 ends the session with its connection, 0xFFFFFFFF
     * never; {@link io.starling.broker.spi.StoreChanges#BROKER_EXPIRY} for 3.1 and 3.1.1 sessions.
     */
    private long expirySeconds;
    private @Nullable PendingWill pendingWill;
    /** How many of the queued messages are QoS 0. */
    private int queuedQos0;
    /** Payload bytes of the queued QoS 1 and 2 messages, for {@code max_queued_bytes}. */
    private long queuedBytes;
    /** Disconnects the client once its queue stayed full for {@code stuck_client_timeout}; null when not running. */
    private @Nullable ScheduledFuture<?> stuckTimer;
    private boolean dropping;
    private boolean connAckPending;
    private @Nullable ScheduledFuture<?> expiry;

    public Session(String clientId, EventExecutor owner, Delivery delivery) {
        super(owner);
        this.clientId = clientId;
        this.delivery = delivery;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public boolean durable() {
        return durable;
    }

    @Override
    public long nextQueueSeq() {
        return (long) QUEUE_SEQ.getAndAdd(this, 1L);
    }

    @Override
    public void deliver(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
        submit(new DeliveryTask(this, message, qos, retain, subscriptionIds, stored));
    }

    @Override
    public boolean online() {
        return online;
    }

    /** Read by publishers' threads: what the session's current (or last) client may receive. */
    @Override
    public boolean mayRead(String topic) {
        ClientRights r = rights;
        return r == null || r.mayRead(topic);
    }

    /** What the session's client may do, or null when everything is allowed. */
    public @Nullable ClientRights rights() {
        return rights;
    }

    /** The rights of the client that now holds the session (or, for a restored session, of its client id alone). */
    public void rights(ClientRights rights) {
        this.rights = rights;
    }

    // ---- lifecycle; mailbox only ----

    /**
     * A persistent session read back from the store at start-up, offline: its queue entries are
     * numbered on from {@code nextQueueSeq}, and it is stored on while {@code durable}.
     */
    public void restored(boolean durable, long nextQueueSeq) {
        restored(durable, nextQueueSeq, StoreChanges.BROKER_EXPIRY);
    }

    /** As {@link #restored(boolean, long)}, for a session with the Session Expiry Interval {@code expirySeconds}. */
    public void restored(boolean durable, long nextQueueSeq, long expirySeconds) {
        this.cleanSession = false;
        this.persistent = true;
        this.expirySeconds = expirySeconds;
        this.durable = durable;
        this.queueSeq = nextQueueSeq;
    }

    /**
     * {@code connection} takes the session (a clean one, ending with the connection, if {@code
     * cleanSession}), stored while {@code durable}: the session
     * moves to its event loop once the running task ends, and holds messages back in its queue
     * until {@link #connAckSent}.
     */
    public void attach(ClientConnection connection, boolean cleanSession, boolean durable) {
        attach(connection, cleanSession ? 0 : StoreChanges.BROKER_EXPIRY, durable);
    }

    /** As {@link #attach(ClientConnection, boolean, boolean)}, with a 5.0 Session Expiry Interval. */
    public void attach(ClientConnection connection, long expirySeconds, boolean durable) {
        this.cleanSession = expirySeconds == 0;
        this.persistent = !cleanSession;
        this.expirySeconds = expirySeconds;
        this.durable = durable;
        this.connection = connection;
        this.online = true;
        this.connAckPending = true;
        moveTo(connection.eventLoop());
    }

    /** CONNACK went out: messages may flow to the connection. */
    public void connAckSent() {
        connAckPending = false;
    }

    /** The connection went away; offline, the queue bound drops rather than holds anyone back. */
    public void detach() {
        connection = null;
        online = false;
        clearCongestion();
    }

    /**
     * The session ended (clean session closed, or expired) and leaves the store: a session revived
     * under the same client identifier is new, so its next CONNACK does not claim a session
     * present [MQTT-3.2.2-3].
     */
    public void end() {
        persistent = false;
        durable = false;
        discarded = true;
    }

    /** Whether the session {@link #end ended}. Any thread. */
    public boolean isDiscarded() {
        return discarded;
    }

    /** Makes an ended session usable again, empty. */
    public void revive() {
        discarded = false;
    }

    /** Submits {@code expire} to the mailbox after {@code millis}, unless {@link #cancelExpiry cancelled} first. */
    public void expireAfter(long millis, Runnable expire) {
        expiry = owner().schedule(() -> submit(expire), millis, TimeUnit.MILLISECONDS);
    }

    /** A session that reconnects does not expire. */
    public void cancelExpiry() {
        ScheduledFuture<?> pending = expiry;
        if (pending != null) {
            pending.cancel(false);
            expiry = null;
        }
    }

    // ---- flow control ----

    /**
     * Whether the session is connected and its QoS 1 and 2 queue reached {@code
     * max_queued_messages}: its messages were acknowledged to their publishers, so they are kept,
     * and the publishers are held back instead until it drains. Any thread.
     */
    @Override
    public boolean congested() {
        return congested;
    }

    @Override
    public void whenDrained(Runnable resume) {
        synchronized (this) {
            if (congested) {
                if (onDrained == null) {
                    onDrained = new ArrayList<>();
                }
                onDrained.add(resume);
                return;
            }
        }
        resume.run();
    }

    /** The queue is full: publishers to this session are held back until {@link #clearCongestion}. Mailbox only. */
    public void markCongested() {
        congested = true;
    }

    /**
     * Submits {@code stuck} to the mailbox after {@code millis} unless the queue drains (or the
     * session goes offline) first: a connected client whose queue stays full that long is stuck.
     * Called when the queue fills; mailbox only.
     */
    public void whenStuckFor(long millis, Runnable stuck) {
        if (stuckTimer == null) {
            stuckTimer = owner().schedule(() -> submit(stuck), millis, TimeUnit.MILLISECONDS);
        }
    }

    /** The queue drained (or the session went offline): the held-back publishers resume. Mailbox only. */
    public void clearCongestion() {
        ScheduledFuture<?> timer = stuckTimer;
        if (timer != null) {
            timer.cancel(false);
            stuckTimer = null;
        }
        List<Runnable> waiting;
        synchronized (this) {
            if (!congested) {
                return;
            }
            congested = false;
            waiting = onDrained;
            onDrained = null;
        }
        if (waiting != null) {
            waiting.forEach(Runnable::run);
        }
    }

    /** Starts an episode of dropping messages for a full queue; true when it was not dropping yet (log it once). */
    public boolean startDropping() {
        boolean started = !dropping;
        dropping = true;
        return started;
    }

    /** Ends the episode of dropping once the queue is empty; true when one ended. */
    public boolean stopDroppingIfDrained() {
        if (dropping && !hasQueued()) {
            dropping = false;
            return true;
        }
        return false;
    }

    /**
     * Everything the session sends that depends on the store, in order: CONNACK once the session
     * is stored; PUBACK, PUBREC and SUBACK once what they confirm is stored; PUBCOMP once the
     * packet identifier's release is; a QoS 2 PUBLISH once its packet identifier is stored (so
     * that a restart re-sends it under the same one [MQTT-4.3.3-2]) and PUBREL once its state is.
     * What comes behind a waiting action waits too, so nothing overtakes.
     */
    public StoreGate gate() {
        return gate;
    }

    /** A store write this session waited for failed: nothing it would confirm may be sent, so the connection closes. */
    void storeFailed(Throwable cause) {
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        log.error("client {}: the store could not write ({}); closing the connection without acknowledging",
                clientId, reason);
        ClientConnection c = connection;
        if (c != null) {
            c.closeForStoreFailure(reason);
        }
    }

    @Override
    protected void afterBatch() {
        if (connection != null) {
            connection.flush();
        }
    }

    @Override
    protected void taskFailed(RuntimeException e) {
        log.error("session {}: a task failed", clientId, e);
    }

    // ---- state, for the flows; mailbox only ----

    public @Nullable ClientConnection connection() {
        return connection;
    }

    /**
     * Whether a connection is attached but its CONNACK not yet sent (it waits for the store):
     * until then messages for the session wait in its queue.
     */
    public boolean connAckPending() {
        return connAckPending;
    }

    public boolean cleanSession() {
        return cleanSession;
    }

    /** The Session Expiry Interval, in seconds (see the field); mailbox only. */
    public long expirySeconds() {
        return expirySeconds;
    }

    /** A DISCONNECT changed the Session Expiry Interval (never from 0: section 3.14.2.2.2). */
    public void expirySeconds(long seconds) {
        this.expirySeconds = seconds;
        this.cleanSession = seconds == 0;
        // a session that ends with its connection has nothing a next connection could resume,
        // even one whose CONNECT overtakes the close [MQTT-3.2.2-3]
        this.persistent = seconds != 0;
    }

    /** The will waiting for its delay, or null. */
    public @Nullable PendingWill pendingWill() {
        return pendingWill;
    }

    /** Keeps {@code will} until {@code publish} is submitted after its delay, replacing none. */
    public void awaitWill(PendingWill will, Runnable publish) {
        pendingWill = will;
        long delayMillis = Math.min(will.delaySeconds, Long.MAX_VALUE / 1000) * 1000;
        will.timer = owner().schedule(() -> submit(publish), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Takes the pending will out (to publish it now, or because the session was resumed); null if none. */
    public @Nullable PendingWill takePendingWill() {
        PendingWill will = pendingWill;
        if (will != null) {
            pendingWill = null;
            ScheduledFuture<?> timer = will.timer;
            if (timer != null) {
                timer.cancel(false);
            }
        }
        return will;
    }

    /** Whether the session has state from an earlier persistent connection (session present). */
    public boolean persistent() {
        return persistent;
    }

    /** The subscriptions, by topic filter; made on first use (see {@link #hasSubscriptions()}). */
    public Map<String, SubscriptionOptions> subscriptions() {
        Map<String, SubscriptionOptions> s = subscriptions;
        if (s == null) {
            s = subscriptions = new HashMap<>();
        }
        return s;
    }

    /** Whether the session has any subscription; makes nothing. */
    public boolean hasSubscriptions() {
        Map<String, SubscriptionOptions> s = subscriptions;
        return s != null && !s.isEmpty();
    }

    public InflightWindow inflight() {
        return inflight;
    }

    public int nextPacketId() {
        PacketIds ids = packetIds;
        if (ids == null) {
            ids = packetIds = new PacketIds();
        }
        return ids.next(inflight);
    }

    /** Queues {@code pending} behind the others, until there is room in the in-flight window or on the connection. */
    public void enqueue(Pending pending) {
        ArrayDeque<Pending> q = queue;
        if (q == null) {
            // small at first: most sessions never queue, and the deque doubles as it fills
            q = queue = new ArrayDeque<>(1);
        }
        q.add(pending);
        if (pending.qos() == QoS.AT_MOST_ONCE) {
            queuedQos0++;
        } else {
            queuedBytes += pending.message().payload().length;
        }
    }

    /** Takes the oldest queued message out of the queue, or null when there is none. */
    public @Nullable Pending takeQueued() {
        ArrayDeque<Pending> q = queue;
        Pending next = q == null ? null : q.poll();
        if (next != null) {
            if (next.qos() == QoS.AT_MOST_ONCE) {
                queuedQos0--;
            } else {
                queuedBytes -= next.message().payload().length;
            }
        }
        return next;
    }

    /** Hands every queued message, oldest first, to {@code each}, leaving the queue as it is. */
    public void forEachQueued(Consumer<Pending> each) {
        ArrayDeque<Pending> q = queue;
        if (q != null) {
            q.forEach(each);
        }
    }

    /** Whether any message is queued; makes nothing. */
    public boolean hasQueued() {
        ArrayDeque<Pending> q = queue;
        return q != null && !q.isEmpty();
    }

    /** How many messages are queued, of every QoS; makes nothing. */
    public int queued() {
        ArrayDeque<Pending> q = queue;
        return q == null ? 0 : q.size();
    }

    /** Payload bytes of the queued QoS 1 and 2 messages. */
    public long queuedBytes() {
        return queuedBytes;
    }

    /** How many QoS 0 messages are queued. */
    public int queuedQos0() {
        return queuedQos0;
    }

    /** The oldest queued message, left in the queue, or null; makes nothing. */
    public @Nullable Pending nextQueued() {
        ArrayDeque<Pending> q = queue;
        return q == null ? null : q.peek();
    }

    /** QoS 2 packet identifiers received from the client whose PUBREL has not arrived yet; made on first use. */
    public Set<Integer> inboundQos2() {
        Set<Integer> s = inboundQos2;
        if (s == null) {
            s = inboundQos2 = new HashSet<>();
        }
        return s;
    }

    /**
     * Forgets every message in flight, queued or half-received; subscriptions are the caller's.
     * The message records no other session refers to any more are deleted in {@code released}.
     * Lets go of the emptied structures, and of the subscription map if the caller emptied it,
     * so that a session that starts again clean holds none of them until it uses them.
     */
    public void clearMessages(StoreChanges released) {
        if (inflight.size() > 0) {
            for (InflightWindow.Entry entry : inflight.entries()) {
                if (entry.stored != null) {
                    released.released(entry.stored.message());
                }
            }
        }
        ArrayDeque<Pending> q = queue;
        if (q != null) {
            for (Pending pending : q) {
                if (pending.stored() != null) {
                    released.released(pending.stored().message());
                }
            }
        }
        inflight.clear();
        queue = null;
        inboundQos2 = null;
        if (subscriptions != null && subscriptions.isEmpty()) {
            subscriptions = null;
        }
        queuedQos0 = 0;
        queuedBytes = 0;
        dropping = false;
        clearCongestion();
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
