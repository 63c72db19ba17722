package io.starling.broker.internal.protocol;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.limits.LiveLimits;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.InflightWindow;
import io.starling.broker.internal.session.Session;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.broker.model.StoredMessage;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages going out to a client: sent while the in-flight window has room and the connection
 * is writable, queued in order otherwise, within the configured bounds; acknowledged by PUBACK
 * (QoS 1) or PUBREC, PUBREL, PUBCOMP (QoS 2); re-sent with DUP when a persistent session
 * reconnects [MQTT-4.4.0-1]. Every method runs in the session's mailbox.
 *
 * <p>Bounds: QoS 1 and 2 messages beyond the window wait in the session's queue up to
 * {@code max_queued_messages}. Their publishers were acknowledged, so for a connected session a
 * full queue does not drop them: it marks the session congested, which holds back the publishers
 * sending to it (the broker stops reading from them, see {@link PublishInFlow}) until it drains to
 * half; for an offline session what does not fit is dropped. QoS 0 messages wait (while the
 * connection is not writable, or behind other messages) up to {@code max_pending_qos0_messages},
 * and for an offline session only if {@code queue_qos0_offline}. Drops are counted, and logged
 * once per episode of dropping.
 *
 * <p>Byte bounds, when set: {@code max_inflight_bytes} holds QoS 1 and 2 messages in the queue
 * while the payloads in flight would exceed it, like the window's count, though one message may
 * always be in flight, however large. {@code max_queued_bytes} bounds the payloads of the queued
 * QoS 1 and 2 messages beside {@code max_queued_messages}, with the same outcome when reached
 * (held-back publishers online, drops offline); an empty queue takes one message however large.
 * A connected session whose queue stays full (from reaching a bound until it drains to half of
 * both) for {@code stuck_client_timeout} is disconnected, 0x97 Quota exceeded in 5.0: it stops
 * holding its publishers back, and its session, if persistent, keeps the queue.
 *
 * <p>Stored deliveries (QoS 1 and 2 to a persistent session with persistence on) keep their queue
 * entry in the store up to date: the packet identifier once sent, the released state once PUBREC
 * came, and the entry's deletion once PUBACK or PUBCOMP completes the flow, together with the
 * message record when no other session refers to it. A QoS 2 PUBLISH and a PUBREL go out only
 * once the state they start is stored, so that after a restart the client sees the same packet
 * identifier again and can tell a re-send from a new message.
 */
public final class PublishOutFlow implements Session.Delivery {
    private static final Logger log = LoggerFactory.getLogger(PublishOutFlow.class);

    private final BrokerConfig config;
    private final Persistence persistence;
    private final BrokerMetrics metrics;
    private final LiveLimits limits;

    public PublishOutFlow(BrokerConfig config, Persistence persistence, BrokerMetrics metrics, LiveLimits limits) {
        this.config = config;
        this.persistence = persistence;
        this.metrics = metrics;
        this.limits = limits;
    }

    /** With the configuration's limits, fixed (for embedding tools and benchmarks that need no live reload). */
    public PublishOutFlow(BrokerConfig config, Persistence persistence, BrokerMetrics metrics) {
        this(config, persistence, metrics, new LiveLimits(config.limits(), metrics));
    }

    /** A live message from the router: RETAIN 0 [MQTT-3.3.1-9], unless its subscription is Retain As Published. */
    @Override
    public void deliver(Session session, Message message, QoS qos, boolean retain, int[] subscriptionIds,
            @Nullable QueueRef stored) {
        offer(session, message, qos, retain, subscriptionIds, stored);
    }

    /**
     * A retained message for a new subscription, RETAIN 1 [MQTT-3.3.1-8]: stored first, like a
     * live one, when the session is persistent.
     */
    public void deliverRetained(Session session, Message message, QoS qos, int[] subscriptionIds) {
        QueueRef stored = null;
        if (session.durable() && qos != QoS.AT_MOST_ONCE) {
            StoreChanges changes = persistence.changes();
            stored = new QueueRef(session.nextQueueSeq(), new StoredMessage(persistence.nextMessageId()));
            stored.message().retain();
            changes.message(stored.message().id(), message)
                    .queued(session.clientId(), stored.seq(), stored.message().id(), qos, true, subscriptionIds, 0, false);
            persistence.commit(changes);
        }
        offer(session, message, qos, true, subscriptionIds, stored);
    }

    /** Sends the message now if there is room, else queues it within the bounds. */
    private void offer(Session session, Message message, QoS qos, boolean retain, int[] subscriptionIds,
            @Nullable QueueRef stored) {
        if (session.isDiscarded()) {
            forget(session, stored);
            return;
        }
        ClientConnection connection = session.connection();
        if (connection == null && qos == QoS.AT_MOST_ONCE && !config.queueQos0Offline()) {
            metrics.qos0MessagesDropped.increment();
            return;
        }
        if (connection != null && !session.hasQueued() && hasRoom(session, connection, qos, message)) {
            send(session, connection, message, qos, retain, subscriptionIds, stored);
        } else {
            enqueue(session, new Session.Pending(message, qos, retain, subscriptionIds, stored));
        }
    }

    private boolean hasRoom(Session session, ClientConnection connection, QoS qos, Message message) {
        if (session.connAckPending() || !connection.isWritable()) {
            return false;
        }
        if (qos == QoS.AT_MOST_ONCE) {
            return true;
        }
        InflightWindow inflight = session.inflight();
        if (inflight.size() >= connection.sendWindow()) {
            return false;
        }
        long maxBytes = limits.current().maxInflightBytes();
        // one message may always be in flight, so that one larger than the bound still goes
        return maxBytes == 0 || inflight.size() == 0 || inflight.bytes() + message.payload().length <= maxBytes;
    }

    private void enqueue(Session session, Session.Pending pending) {
        if (pending.qos() == QoS.AT_MOST_ONCE) {
            if (session.queuedQos0() >= config.maxPendingQos0Messages()) {
                metrics.qos0MessagesDropped.increment();
                startDropping(session, config.maxPendingQos0Messages() + " QoS 0 messages");
                return;
            }
        } else {
            ClientConnection connection = session.connection();
            int queued = queuedQos12(session);
            BrokerConfig.Limits now = limits.current();
            long maxBytes = now.maxQueuedBytes();
            long bytes = session.queuedBytes() + pending.message().payload().length;
            if (connection == null && (queued >= config.maxQueuedMessages() || (maxBytes != 0 && queued > 0 && bytes > maxBytes))) {
                metrics.queuedMessagesDropped.increment();
                startDropping(session, queued >= config.maxQueuedMessages()
                        ? config.maxQueuedMessages() + " QoS 1 and 2 messages" : maxBytes + " bytes of QoS 1 and 2 messages");
                forget(session, pending.stored());
                return;
            }
            if (connection != null && !session.congested()
                    && (queued + 1 >= config.maxQueuedMessages() || (maxBytes != 0 && bytes >= maxBytes))) {
                session.markCongested();
                // a session whose own queue is full must read its PUBACKs to drain: never held back
                connection.stopHoldingBack();
                Duration stuckAfter = now.stuckClientTimeout();
                if (stuckAfter != null) {
                    session.whenStuckFor(stuckAfter.toMillis(), () -> disconnectIfStuck(session, connection, stuckAfter));
                }
            }
        }
        session.enqueue(pending);
    }

    private static int queuedQos12(Session session) {
        return session.queued() - session.queuedQos0();
    }

    /**
     * The queue of the connected {@code session} has been full since {@code timeout} ago: the
     * client is disconnected (5.0: DISCONNECT 0x97 Quota exceeded), which releases the publishers
     * it held back; a persistent session keeps what is queued, as after any disconnect.
     */
    private void disconnectIfStuck(Session session, ClientConnection connection, Duration timeout) {
        if (!session.congested() || session.connection() != connection) {
            return; // drained, or gone, meanwhile
        }
        metrics.stuckClientsDisconnected.increment();
        log.warn("client {}: queue full for {} s (stuck_client_timeout), disconnecting it", session.clientId(),
                timeout.toMillis() / 1000.0);
        connection.disconnect(ReasonCode.QUOTA_EXCEEDED, "queue full for " + timeout.toMillis() + " ms: the client does not"
                + " take its messages (stuck_client_timeout)");
    }

    private void startDropping(Session session, String bound) {
        if (session.startDropping()) {
            log.warn("client {}: queue full ({}), dropping new messages until it drains", session.clientId(), bound);
        }
    }

    /** Sends queued messages while there is room; call when room may have appeared. */
    public void drain(Session session) {
        ClientConnection connection = session.connection();
        if (connection == null) {
            return;
        }
        Session.Pending next;
        while ((next = session.nextQueued()) != null && hasRoom(session, connection, next.qos(), next.message())) {
            session.takeQueued();
            send(session, connection, next.message(), next.qos(), next.retain(), next.subscriptionIds(), next.stored());
        }
        if (session.congested() && queuedQos12(session) <= config.maxQueuedMessages() / 2) {
            long maxBytes = limits.current().maxQueuedBytes();
            if (maxBytes == 0 || session.queuedBytes() <= maxBytes / 2) {
                session.clearCongestion();
            }
        }
        if (session.stopDroppingIfDrained()) {
            log.info("client {}: queue drained, no longer dropping messages", session.clientId());
        }
    }

    private void send(Session session, ClientConnection connection, Message message, QoS qos, boolean retain,
            int[] subscriptionIds, @Nullable QueueRef stored) {
        if (message.expiresAtMillis() != 0 && message.expiredAt(System.currentTimeMillis())) {
            // [MQTT-3.3.2-5] its expiry ran out before onward delivery started: this copy goes
            metrics.messagesExpired.increment();
            forget(session, stored);
            return;
        }
        if (!connection.fits(message, subscriptionIds)) {
            // [MQTT-3.1.2-24] too large for the client: discarded as if sent
            metrics.messagesTooLarge.increment();
            forget(session, stored);
            return;
        }
        int packetId = 0;
        CompletableFuture<Void> wait = null;
        if (qos != QoS.AT_MOST_ONCE) {
            packetId = session.nextPacketId();
            session.inflight().add(packetId, message, qos, retain, subscriptionIds, stored);
            if (stored != null) {
                CompletableFuture<Void> written = persistence.commit(persistence.changes().queued(session.clientId(), stored.seq(),
                        stored.message().id(), qos, retain, subscriptionIds, packetId, false));
                // QoS 1 may go at once: a restart that lost the identifier sends it again as a new
                // message, which QoS 1 allows; QoS 2 must not [MQTT-4.3.3-2]
                wait = qos == QoS.EXACTLY_ONCE ? written : null;
            }
        }
        if (wait == null && session.gate().isClear()) {
            write(connection, message, qos, false, retain, packetId, subscriptionIds);
            return;
        }
        int id = packetId;
        session.gate().after(wait, () -> {
            if (session.connection() == connection) {
                write(connection, message, qos, false, retain, id, subscriptionIds);
            }
            // else: the next connection re-sends it from the in-flight window
        });
    }

    private void write(ClientConnection connection, Message message, QoS qos, boolean dup, boolean retain, int packetId,
            int[] subscriptionIds) {
        if (connection.publish(message, qos, dup, retain, packetId, subscriptionIds)) {
            metrics.sent(connection.version(), qos, message.payload().length);
        } else {
            metrics.messagesTooLarge.increment();
        }
    }

    /**
     * Re-sends what was in flight when the session's last connection ended, in the original
     * order: PUBLISH with DUP 1 where no acknowledgement came, PUBREL where PUBREC came
     * [MQTT-4.4.0-1]; then drains the queue.
     */
    public void resume(Session session) {
        ClientConnection connection = session.connection();
        if (connection == null) {
            return;
        }
        for (InflightWindow.Entry entry : session.inflight().entries()) {
            if (entry.released) {
                connection.send(new PubRel(entry.packetId));
            } else {
                write(connection, entry.message, entry.qos, true, entry.retain, entry.packetId, entry.subscriptionIds);
            }
        }
        drain(session);
    }

    /** PUBACK: the QoS 1 flow of {@code packetId} is complete [MQTT-4.3.2-1]. */
    public void onPubAck(Session session, int packetId) {
        InflightWindow.Entry entry = session.inflight().get(packetId);
        if (entry != null && entry.qos == QoS.AT_LEAST_ONCE) {
            session.inflight().remove(packetId);
            forget(session, entry.stored);
            drain(session);
        }
    }

    /** PUBREC: the message is delivered; answer PUBREL and wait for PUBCOMP [MQTT-4.3.3-1]. */
    public void onPubRec(Session session, ClientConnection connection, int packetId, ReasonCode reasonCode) {
        InflightWindow.Entry entry = session.inflight().get(packetId);
        CompletableFuture<Void> released = null;
        if (reasonCode.isError()) {
            // 5.0: the client refused the message; the flow ends here, without PUBREL (section 4.3.3)
            if (entry != null && entry.qos == QoS.EXACTLY_ONCE && !entry.released) {
                session.inflight().remove(packetId);
                forget(session, entry.stored);
                drain(session);
            }
            return;
        }
        boolean known = entry != null && entry.qos == QoS.EXACTLY_ONCE;
        if (entry != null && entry.qos == QoS.EXACTLY_ONCE && !entry.released) {
            entry.released = true;
            QueueRef stored = entry.stored;
            if (stored != null) {
                // PUBREL only once this is stored: after a restart the flow goes on with PUBREL, never the PUBLISH again
                released = persistence.commit(persistence.changes().queued(session.clientId(), stored.seq(),
                        stored.message().id(), entry.qos, entry.retain, entry.subscriptionIds, packetId, true));
            }
        }
        // a PUBREC for a flow we no longer know is answered too, so that the client can finish it:
        // in 5.0 with 0x92, packet identifier not found
        PubRel reply = known ? new PubRel(packetId) : new PubRel(packetId, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY);
        session.gate().after(released, () -> {
            if (session.connection() == connection) {
                connection.send(reply);
            }
        });
    }

    /** PUBCOMP: the QoS 2 flow of {@code packetId} is complete. */
    public void onPubComp(Session session, int packetId) {
        InflightWindow.Entry entry = session.inflight().get(packetId);
        if (entry != null && entry.released) {
            session.inflight().remove(packetId);
            forget(session, entry.stored);
            drain(session);
        }
    }

    /** Deletes a stored delivery that is done (or dropped), and its message record when no one else refers to it. */
    private void forget(Session session, @Nullable QueueRef stored) {
        if (stored != null) {
            StoreChanges changes = persistence.changes().dequeued(session.clientId(), stored.seq());
            changes.released(stored.message());
            persistence.commit(changes);
        }
    }
}
