package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
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
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state the broker keeps for one client identifier: its subscriptions, the messages in
 * flight to it and queued for it, and the QoS 2 packet identifiers it has sent and not yet
 * released.
 *
 * <p>Threads: one writer, no locks. All of the state is changed only by tasks run from the
 * session's mailbox, one at a time, on its owner event loop. While a connection is attached, the
 * owner is that connection's event loop, so deliveries and replies need no further hand-off; an
 * offline session keeps its last owner. Any thread may {@link #submit} a task; tasks run in the
 * order they were submitted, also across a change of owner. Each batch of tasks ends with one
 * flush of the connection.
 *
 * <p>Memory: most sessions are idle, so a session is small until it is used. The mailbox is a
 * stack of tasks that is empty without any node; the queue, the inbound QoS 2 identifiers, the
 * subscriptions, the packet identifier allocator and the tables of the in-flight window and the
 * store gate are made on first use, and {@link #clearMessages} lets go of most of them again. The
 * checks {@link #queued()}, {@link #hasQueued()}, {@link #nextQueued()} and
 * {@link #hasSubscriptions()} never make them.
 */
public final class Session implements Subscriber {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** Tasks run in one turn before the session yields its event loop to others. */
    private static final int BATCH = 256;

    /**
     * A message waiting for room in the in-flight window or on the connection; {@code stored} is
     * its queue entry in the store, or null.
     */
    public record Pending(Message message, QoS qos, boolean retain, @Nullable QueueRef stored) {}

    /** Carries out deliveries; the broker's publish-out flow. */
    @FunctionalInterface
    public interface Delivery {
        void deliver(Session session, Message message, QoS qos, @Nullable QueueRef stored);
    }

    /** A submitted task: a node of the mailbox. */
    private static final class Task {
        final Runnable action;
        @Nullable Task next;

        Task(Runnable action) {
            this.action = action;
        }
    }

    private static final VarHandle SUBMITTED;
    private static final VarHandle SCHEDULED;
    private static final VarHandle QUEUE_SEQ;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            SUBMITTED = lookup.findVarHandle(Session.class, "submitted", Task.class);
            SCHEDULED = lookup.findVarHandle(Session.class, "scheduled", boolean.class);
            QUEUE_SEQ = lookup.findVarHandle(Session.class, "queueSeq", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String clientId;
    private final Delivery delivery;
    /**
     * The mailbox, as a stack: tasks submitted and not yet taken, newest first (any thread pushes
     * with a CAS). The drain takes the whole stack at once and reverses it into {@link #ready}.
     */
    private volatile @Nullable Task submitted;
    /** Tasks taken from the mailbox and not yet run, oldest first; owned by the running drain. */
    private @Nullable Task ready;
    /** Whether a drain is scheduled or running; set by the submit that finds it unset. */
    private volatile boolean scheduled;
    private volatile EventExecutor owner;
    private volatile boolean discarded;
    /** Read by publishers' threads to decide whether a delivery must be stored first. */
    private volatile boolean durable;
    /** The sequence number of the next queue entry in the store; publishers' threads take them. */
    private volatile long queueSeq = 1;
    /** Read by publishers' threads: whether they should hold back (see {@link #congested()}). */
    private volatile boolean congested;
    /** Held-back publishers to resume once the queue drains; guarded by {@code this}, made on first use. */
    private @Nullable List<Runnable> onDrained;
    private final StoreGate gate = new StoreGate(this);

    // ---- owned by the mailbox; the nullable ones are made on first use ----
    private @Nullable Map<String, QoS> subscriptions;
    private final InflightWindow inflight = new InflightWindow();
    private @Nullable PacketIds packetIds;
    private @Nullable ArrayDeque<Pending> queue;
    private @Nullable Set<Integer> inboundQos2;
    private @Nullable ClientConnection connection;
    private boolean cleanSession = true;
    private boolean persistent;
    private int queuedQos0;
    private boolean dropping;
    private boolean connAckPending;
    private @Nullable ScheduledFuture<?> expiry;

    public Session(String clientId, EventExecutor owner, Delivery delivery) {
        this.clientId = clientId;
        this.owner = owner;
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

    /** Whether its QoS 1 and 2 deliveries, subscriptions and inbound QoS 2 state are stored. Mailbox only. */
    public void durable(boolean durable) {
        this.durable = durable;
    }

    @Override
    public long nextQueueSeq() {
        return (long) QUEUE_SEQ.getAndAdd(this, 1L);
    }

    /** After a restart: the next queue entry is numbered from {@code next}. */
    public void queueSeqFrom(long next) {
        queueSeq = next;
    }

    /** Runs {@code task} on the session's owner, after every task submitted before it. */
    public void submit(Runnable task) {
        Task node = new Task(task);
        Task top;
        do {
            top = submitted;
            node.next = top;
        } while (!SUBMITTED.compareAndSet(this, top, node));
        // the plain read first: while a drain is scheduled, submitters skip the CAS
        if (!scheduled && SCHEDULED.compareAndSet(this, false, true)) {
            owner.execute(this::drain);
        }
    }

    /**
     * Whether the session is connected and its QoS 1 and 2 queue reached {@code
     * max_queued_messages}: its messages were acknowledged to their publishers, so they are kept,
     * and the publishers are held back instead until it drains.
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

    /** Marks the queue full or no longer full; the latter resumes the held-back publishers. Mailbox only. */
    public void congested(boolean congested) {
        if (congested) {
            this.congested = true;
            return;
        }
        List<Runnable> waiting;
        synchronized (this) {
            if (!this.congested) {
                return;
            }
            this.congested = false;
            waiting = onDrained;
            onDrained = null;
        }
        if (waiting != null) {
            waiting.forEach(Runnable::run);
        }
    }

    @Override
    public void deliver(Message message, QoS qos, @Nullable QueueRef stored) {
        submit(() -> delivery.deliver(this, message, qos, stored));
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
        log.error("client {}: the store could not write ({}); closing the connection without acknowledging",
                clientId, cause.getMessage());
        ClientConnection c = connection;
        if (c != null) {
            c.closeForStoreFailure(cause.getMessage());
        }
    }

    private void drain() {
        EventExecutor current = owner;
        if (!current.inEventLoop()) {
            current.execute(this::drain);
            return;
        }
        for (int n = 0; n < BATCH; n++) {
            Task task = ready;
            if (task == null) {
                task = takeSubmitted();
                if (task == null) {
                    flush();
                    scheduled = false;
                    // a task added after the take and before the reset found scheduled still set
                    if (submitted != null && SCHEDULED.compareAndSet(this, false, true)) {
                        current.execute(this::drain);
                    }
                    return;
                }
            }
            ready = task.next;
            try {
                task.action.run();
            } catch (RuntimeException e) {
                log.error("session {}: a task failed", clientId, e);
            }
            if (owner != current) {
                // the task moved the session to another event loop: go on there
                flush();
                owner.execute(this::drain);
                return;
            }
        }
        flush();
        current.execute(this::drain);
    }

    /** Takes every submitted task at once; returns them oldest first, or null when there are none. */
    private @Nullable Task takeSubmitted() {
        Task newestFirst = (Task) SUBMITTED.getAndSet(this, (Task) null);
        Task oldestFirst = null;
        while (newestFirst != null) {
            Task next = newestFirst.next;
            newestFirst.next = oldestFirst;
            oldestFirst = newestFirst;
            newestFirst = next;
        }
        return oldestFirst;
    }

    private void flush() {
        if (connection != null) {
            connection.flush();
        }
    }

    /** Moves the session to {@code loop} once the running task ends. Mailbox only. */
    public void moveTo(EventExecutor loop) {
        owner = loop;
    }

    public EventExecutor owner() {
        return owner;
    }

    /** Whether the session ended (clean session closed, or expired) and left the store. */
    public boolean isDiscarded() {
        return discarded;
    }

    public void markDiscarded() {
        discarded = true;
    }

    /** Makes a discarded session usable again, empty. Mailbox only. */
    public void revive() {
        discarded = false;
    }

    // ---- state, for the flows; mailbox only ----

    public @Nullable ClientConnection connection() {
        return connection;
    }

    public void connection(@Nullable ClientConnection connection) {
        this.connection = connection;
        if (connection == null) {
            // offline, the queue bound drops rather than holds anyone back
            congested(false);
        }
    }

    /** The subscriptions, by topic filter; made on first use (see {@link #hasSubscriptions()}). */
    public Map<String, QoS> subscriptions() {
        Map<String, QoS> s = subscriptions;
        if (s == null) {
            s = subscriptions = new HashMap<>();
        }
        return s;
    }

    /** Whether the session has any subscription; makes nothing. */
    public boolean hasSubscriptions() {
        Map<String, QoS> s = subscriptions;
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

    /**
     * The messages waiting for room in the in-flight window or on the connection, oldest first;
     * made on first use. To look without making it, use {@link #hasQueued()}, {@link #queued()}
     * and {@link #nextQueued()}.
     */
    public ArrayDeque<Pending> queue() {
        ArrayDeque<Pending> q = queue;
        if (q == null) {
            // small at first: most sessions never queue, and the deque doubles as it fills
            q = queue = new ArrayDeque<>(1);
        }
        return q;
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

    public boolean cleanSession() {
        return cleanSession;
    }

    public void cleanSession(boolean cleanSession) {
        this.cleanSession = cleanSession;
    }

    /** Whether the session has state from an earlier persistent connection (session present). */
    public boolean persistent() {
        return persistent;
    }

    public void persistent(boolean persistent) {
        this.persistent = persistent;
    }

    public int queuedQos0() {
        return queuedQos0;
    }

    public void queuedQos0(int queuedQos0) {
        this.queuedQos0 = queuedQos0;
    }

    /**
     * Whether a connection is attached but its CONNACK not yet sent (it waits for the store):
     * until then messages for the session wait in its queue.
     */
    public boolean connAckPending() {
        return connAckPending;
    }

    public void connAckPending(boolean connAckPending) {
        this.connAckPending = connAckPending;
    }

    /** Whether messages are being dropped for a full queue: logged once per such episode. */
    public boolean dropping() {
        return dropping;
    }

    public void dropping(boolean dropping) {
        this.dropping = dropping;
    }

    public @Nullable ScheduledFuture<?> expiry() {
        return expiry;
    }

    public void expiry(@Nullable ScheduledFuture<?> expiry) {
        this.expiry = expiry;
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
        dropping = false;
        congested(false);
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
