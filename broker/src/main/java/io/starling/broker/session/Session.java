package io.starling.broker.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.broker.routing.Message;
import io.starling.broker.routing.Subscriber;
import io.starling.broker.store.QueueRef;
import io.starling.broker.store.StoreChanges;
import io.starling.codec.packet.QoS;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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

    private final String clientId;
    private final Delivery delivery;
    private final Queue<Runnable> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private volatile EventExecutor owner;
    private volatile boolean discarded;
    /** Read by publishers' threads to decide whether a delivery must be stored first. */
    private volatile boolean durable;
    private final AtomicLong queueSeq = new AtomicLong(1);
    /** Read by publishers' threads: whether they should hold back (see {@link #congested()}). */
    private volatile boolean congested;
    /** Held-back publishers to resume once the queue drains; guarded by {@code this}, made on first use. */
    private @Nullable List<Runnable> onDrained;
    private final StoreGate gate = new StoreGate(this::submit, this::storeFailed);

    // ---- owned by the mailbox ----
    private final Map<String, QoS> subscriptions = new HashMap<>();
    private final InflightWindow inflight = new InflightWindow();
    private final PacketIds packetIds = new PacketIds();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final Set<Integer> inboundQos2 = new HashSet<>();
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
        return queueSeq.getAndIncrement();
    }

    /** After a restart: the next queue entry is numbered from {@code next}. */
    public void queueSeqFrom(long next) {
        queueSeq.set(next);
    }

    /** Runs {@code task} on the session's owner, after every task submitted before it. */
    public void submit(Runnable task) {
        mailbox.add(task);
        if (scheduled.compareAndSet(false, true)) {
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
    private void storeFailed(Throwable cause) {
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
            Runnable task = mailbox.poll();
            if (task == null) {
                flush();
                scheduled.set(false);
                // a task added after the poll and before the reset found scheduled still set
                if (!mailbox.isEmpty() && scheduled.compareAndSet(false, true)) {
                    current.execute(this::drain);
                }
                return;
            }
            try {
                task.run();
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

    public Map<String, QoS> subscriptions() {
        return subscriptions;
    }

    public InflightWindow inflight() {
        return inflight;
    }

    public int nextPacketId() {
        return packetIds.next(inflight);
    }

    public ArrayDeque<Pending> queue() {
        return queue;
    }

    /** QoS 2 packet identifiers received from the client whose PUBREL has not arrived yet. */
    public Set<Integer> inboundQos2() {
        return inboundQos2;
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
     */
    public void clearMessages(StoreChanges released) {
        for (InflightWindow.Entry entry : inflight.entries()) {
            if (entry.stored != null) {
                entry.stored.message().release(released);
            }
        }
        for (Pending pending : queue) {
            if (pending.stored() != null) {
                pending.stored().message().release(released);
            }
        }
        inflight.clear();
        queue.clear();
        inboundQos2.clear();
        queuedQos0 = 0;
        dropping = false;
        congested(false);
    }

    @Override
    public String toString() {
        return "Session[" + clientId + "]";
    }
}
