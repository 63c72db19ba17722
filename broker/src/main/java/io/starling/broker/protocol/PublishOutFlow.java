package io.starling.broker.protocol;

import io.netty.buffer.Unpooled;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.routing.Message;
import io.starling.broker.session.ClientConnection;
import io.starling.broker.session.InflightWindow;
import io.starling.broker.session.Session;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages going out to a client: sent while the in-flight window has room and the connection
 * is writable, queued in order otherwise, within the configured bounds; acknowledged by PUBACK
 * (QoS 1) or PUBREC, PUBREL, PUBCOMP (QoS 2); re-sent with DUP when a persistent session
 * reconnects [MQTT-4.4.0-1]. Every method runs in the session's mailbox.
 *
 * <p>Bounds: QoS 1 and 2 messages beyond the window wait in the session's queue up to
 * {@code max_queued_messages}; QoS 0 messages wait (while the connection is not writable, or
 * behind other messages) up to {@code max_pending_qos0_messages}, and for an offline session only
 * if {@code queue_qos0_offline}. What does not fit is dropped, counted, and logged once per
 * episode of dropping.
 */
public final class PublishOutFlow implements Session.Delivery {
    private static final Logger log = LoggerFactory.getLogger(PublishOutFlow.class);

    private final BrokerConfig config;
    private final BrokerMetrics metrics;

    public PublishOutFlow(BrokerConfig config, BrokerMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
    }

    /** A live message from the router: RETAIN 0 [MQTT-3.3.1-9]. */
    @Override
    public void deliver(Session session, Message message, QoS qos) {
        deliver(session, message, qos, false);
    }

    /** Delivers {@code message} at {@code qos} with the given RETAIN flag. */
    public void deliver(Session session, Message message, QoS qos, boolean retain) {
        if (session.isDiscarded()) {
            return;
        }
        ClientConnection connection = session.connection();
        if (connection == null && qos == QoS.AT_MOST_ONCE && !config.queueQos0Offline()) {
            metrics.qos0MessagesDropped.increment();
            return;
        }
        if (connection != null && session.queue().isEmpty() && hasRoom(session, connection, qos)) {
            send(session, connection, message, qos, retain);
        } else {
            enqueue(session, new Session.Pending(message, qos, retain));
        }
    }

    private boolean hasRoom(Session session, ClientConnection connection, QoS qos) {
        return connection.isWritable()
                && (qos == QoS.AT_MOST_ONCE || session.inflight().size() < config.maxInflightMessages());
    }

    private void enqueue(Session session, Session.Pending pending) {
        if (pending.qos() == QoS.AT_MOST_ONCE) {
            if (session.queuedQos0() >= config.maxPendingQos0Messages()) {
                metrics.qos0MessagesDropped.increment();
                startDropping(session, "QoS 0", config.maxPendingQos0Messages());
                return;
            }
            session.queuedQos0(session.queuedQos0() + 1);
        } else if (session.queue().size() - session.queuedQos0() >= config.maxQueuedMessages()) {
            metrics.queuedMessagesDropped.increment();
            startDropping(session, "QoS 1 and 2", config.maxQueuedMessages());
            return;
        }
        session.queue().add(pending);
    }

    private void startDropping(Session session, String what, int bound) {
        if (!session.dropping()) {
            session.dropping(true);
            log.warn("client {}: queue full ({} {} messages), dropping new messages until it drains",
                    session.clientId(), bound, what);
        }
    }

    /** Sends queued messages while there is room; call when room may have appeared. */
    public void drain(Session session) {
        ClientConnection connection = session.connection();
        if (connection == null) {
            return;
        }
        Session.Pending next;
        while ((next = session.queue().peek()) != null && hasRoom(session, connection, next.qos())) {
            session.queue().poll();
            if (next.qos() == QoS.AT_MOST_ONCE) {
                session.queuedQos0(session.queuedQos0() - 1);
            }
            send(session, connection, next.message(), next.qos(), next.retain());
        }
        if (session.dropping() && session.queue().isEmpty()) {
            session.dropping(false);
            log.info("client {}: queue drained, no longer dropping messages", session.clientId());
        }
    }

    private void send(Session session, ClientConnection connection, Message message, QoS qos, boolean retain) {
        int packetId = 0;
        if (qos != QoS.AT_MOST_ONCE) {
            packetId = session.nextPacketId();
            session.inflight().add(packetId, message, qos, retain);
        }
        write(connection, message, qos, false, retain, packetId);
    }

    private void write(ClientConnection connection, Message message, QoS qos, boolean dup, boolean retain, int packetId) {
        Publish publish = new Publish(message.topic(), qos, dup, retain, packetId, Unpooled.wrappedBuffer(message.payload()));
        try {
            connection.send(publish);
        } finally {
            publish.release();
        }
        metrics.messagesSent.increment();
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
                write(connection, entry.message, entry.qos, true, entry.retain, entry.packetId);
            }
        }
        drain(session);
    }

    /** PUBACK: the QoS 1 flow of {@code packetId} is complete [MQTT-4.3.2-1]. */
    public void onPubAck(Session session, int packetId) {
        InflightWindow.Entry entry = session.inflight().get(packetId);
        if (entry != null && entry.qos == QoS.AT_LEAST_ONCE) {
            session.inflight().remove(packetId);
            drain(session);
        }
    }

    /** PUBREC: the message is delivered; answer PUBREL and wait for PUBCOMP [MQTT-4.3.3-1]. */
    public void onPubRec(Session session, ClientConnection connection, int packetId) {
        InflightWindow.Entry entry = session.inflight().get(packetId);
        if (entry != null && entry.qos == QoS.EXACTLY_ONCE) {
            entry.released = true;
        }
        // a PUBREC for a flow we no longer know is answered too, so that the client can finish it
        connection.send(new PubRel(packetId));
    }

    /** PUBCOMP: the QoS 2 flow of {@code packetId} is complete. */
    public void onPubComp(Session session, int packetId) {
        InflightWindow.Entry entry = session.inflight().get(packetId);
        if (entry != null && entry.released) {
            session.inflight().remove(packetId);
            drain(session);
        }
    }
}
