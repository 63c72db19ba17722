package io.starling.broker.internal.protocol;

import io.starling.broker.internal.acl.ClientRights;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.Session;
import io.starling.broker.internal.sys.SysPublisher;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.Message;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages coming in from a client: QoS 0 routed; QoS 1 routed, then PUBACK; QoS 2 routed once
 * and answered by PUBREC, its packet identifier held until PUBREL, which PUBCOMP answers. A QoS 2
 * PUBLISH re-sent before PUBREL is answered again but not routed again [MQTT-4.3.3-2].
 *
 * <p>With persistence on, a message is handed to its subscribers, and PUBACK or PUBREC sent, only
 * once it is stored for every persistent session it reaches; a persistent publisher's inbound QoS
 * 2 packet identifier is stored with it, and its release before PUBCOMP. Replies leave in the
 * order the packets came in, through the session's {@link io.starling.broker.internal.session.StoreGate}.
 * Every method runs in the session's mailbox.
 *
 * <p>With an ACL file, a PUBLISH (and a will) to a topic its client may not write is refused
 * before anything else: see {@link #refuse}. So is one to the broker's {@code $SYS} tree, ACL file or not.
 */
public final class PublishInFlow {
    private static final Logger log = LoggerFactory.getLogger(PublishInFlow.class);

    private final Router router;
    private final Persistence persistence;
    private final BrokerMetrics metrics;

    public PublishInFlow(Router router, Persistence persistence, BrokerMetrics metrics) {
        this.router = router;
        this.persistence = persistence;
        this.metrics = metrics;
    }

    public void onPublish(Session session, ClientConnection connection, Message message, int packetId) {
        ClientRights rights = session.rights();
        // $SYS is the broker's own: refused as the ACL file refuses, as Mosquitto does
        if ((rights != null && !rights.mayWrite(message.topic())) || SysPublisher.isSysTopic(message.topic())) {
            refuse(session, connection, message, packetId);
            return;
        }
        switch (message.qos()) {
            case AT_MOST_ONCE -> {
                metrics.received(connection.version(), QoS.AT_MOST_ONCE, message.payload().length);
                publish(session, message, null, null, 0, 0);
            }
            case AT_LEAST_ONCE -> {
                metrics.received(connection.version(), QoS.AT_LEAST_ONCE, message.payload().length);
                // [MQTT-4.3.2-2] PUBACK once the message is the broker's
                publish(session, message, null, connection, PUBACK, packetId);
            }
            case EXACTLY_ONCE -> {
                if (session.inboundQos2().add(packetId)) {
                    metrics.received(connection.version(), QoS.EXACTLY_ONCE, message.payload().length);
                    StoreChanges received = session.durable() ? persistence.changes().inbound(session.clientId(), packetId) : null;
                    publish(session, message, received, connection, PUBREC, packetId);
                } else {
                    // a re-sent PUBLISH before PUBREL: answered, not routed again
                    session.gate().after(null, () -> reply(session, connection, new PubRec(packetId)));
                }
            }
        }
    }

    /**
     * The will of a connection that ended without DISCONNECT [MQTT-3.1.2-8], behind what it
     * published before; its Message Expiry Interval counts from now.
     */
    public void onWill(Session session, Message will) {
        ClientRights rights = session.rights();
        if ((rights != null && !rights.mayWrite(will.topic())) || SysPublisher.isSysTopic(will.topic())) {
            // checked when published, against the rights then in force, as Mosquitto does
            metrics.aclWillDenied.increment();
            log.debug("client {}: will on '{}' not published: refused by the ACL file", session.clientId(), will.topic());
            return;
        }
        publish(session, MessageProperties.publishedWill(will, System.currentTimeMillis()), null, null, 0, 0);
    }

    /**
     * A PUBLISH the ACL file refuses: neither routed nor retained. In 3.1.1, which has no way to
     * say so, it is acknowledged as usual (PUBACK, or PUBREC then PUBCOMP), as Mosquitto does; in
     * 5.0 QoS 1 and 2 are answered 0x87, not authorized, which ends a QoS 2 flow at PUBREC
     * (section 4.3.3), and QoS 0 is dropped.
     */
    private void refuse(Session session, ClientConnection connection, Message message, int packetId) {
        metrics.aclPublishDenied.increment();
        log.debug("client {}: PUBLISH to '{}' refused by the ACL file", session.clientId(), message.topic());
        QoS qos = message.qos();
        if (qos == QoS.AT_MOST_ONCE) {
            return;
        }
        Packet reply;
        if (connection.version().isV5()) {
            reply = qos == QoS.AT_LEAST_ONCE
                    ? new PubAck(packetId, ReasonCode.NOT_AUTHORIZED, Properties.EMPTY)
                    : new PubRec(packetId, ReasonCode.NOT_AUTHORIZED, Properties.EMPTY);
        } else if (qos == QoS.AT_LEAST_ONCE) {
            reply = new PubAck(packetId);
        } else {
            // the packet identifier is held until PUBREL, as for a message routed, so that PUBCOMP answers it
            session.inboundQos2().add(packetId);
            reply = new PubRec(packetId);
        }
        session.gate().after(null, () -> reply(session, connection, reply));
    }

    private static final int PUBACK = 1;
    private static final int PUBREC = 2;

    private void publish(Session session, Message message, @Nullable StoreChanges with,
            @Nullable ClientConnection connection, int reply, int packetId) {
        Router.Publication publication = router.publish(message, with);
        if (connection != null) {
            holdBackIfCongested(session, connection, publication);
        }
        if (publication.stored() == null && session.gate().isClear()) {
            publication.deliver();
            if (connection != null && reply != 0) {
                reply(session, connection, ack(reply, packetId, publication.size()));
            }
            return;
        }
        session.gate().after(publication.stored(), () -> {
            publication.deliver();
            if (connection != null && reply != 0) {
                reply(session, connection, ack(reply, packetId, publication.size()));
            }
        });
    }

    /** PUBACK or PUBREC; in 5.0 with 0x10 when no subscription matched (3.1.1 carries no code). */
    private static Packet ack(int reply, int packetId, int subscribers) {
        if (subscribers > 0) {
            return reply == PUBACK ? new PubAck(packetId) : new PubRec(packetId);
        }
        return reply == PUBACK
                ? new PubAck(packetId, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY)
                : new PubRec(packetId, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY);
    }

    /**
     * Back-pressure: the message is kept and acknowledged, but when a subscriber it goes to has a
     * full queue, the broker stops reading from the publisher until that queue drains, so that
     * the next messages wait in the publisher's socket rather than overflow the queue. A publisher
     * whose own queue is full is never held back: it has to be read for its queue to drain.
     */
    private static void holdBackIfCongested(Session session, ClientConnection connection, Router.Publication publication) {
        Subscriber full = publication.congested();
        if (full != null && full != session && !session.congested() && session.connection() == connection) {
            connection.holdBackUntilDrained(full);
        }
    }

    /** PUBREL: the client releases {@code packetId}; later PUBLISHes with it are new messages [MQTT-4.3.3-2]. */
    public void onPubRel(Session session, ClientConnection connection, int packetId) {
        CompletableFuture<Void> released = null;
        boolean known = session.inboundQos2().remove(packetId);
        if (known && session.durable()) {
            // PUBCOMP only once the release is stored: a restart must not take a new PUBLISH with this id for a re-send
            released = persistence.commit(persistence.changes().inboundReleased(session.clientId(), packetId));
        }
        // a PUBREL for an identifier the broker does not hold: 0x92 in 5.0
        PubComp reply = known ? new PubComp(packetId)
                : new PubComp(packetId, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY);
        session.gate().after(released, () -> reply(session, connection, reply));
    }

    /** Sends {@code reply} unless the connection it answers has been replaced meanwhile. */
    private static void reply(Session session, ClientConnection connection, Packet reply) {
        if (session.connection() == connection) {
            connection.send(reply);
        }
    }
}
