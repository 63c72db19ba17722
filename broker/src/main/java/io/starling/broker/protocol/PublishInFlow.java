package io.starling.broker.protocol;

import io.starling.broker.routing.Message;
import io.starling.broker.routing.Router;
import io.starling.broker.session.ClientConnection;
import io.starling.broker.session.Session;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;

/**
 * Messages coming in from a client: QoS 0 routed; QoS 1 routed, then PUBACK; QoS 2 routed once
 * and answered by PUBREC, its packet identifier held until PUBREL, which PUBCOMP answers. A QoS 2
 * PUBLISH re-sent before PUBREL is answered again but not routed again [MQTT-4.3.3-2]. Every
 * method runs in the session's mailbox.
 */
public final class PublishInFlow {
    private final Router router;

    public PublishInFlow(Router router) {
        this.router = router;
    }

    public void onPublish(Session session, ClientConnection connection, Message message, int packetId) {
        switch (message.qos()) {
            case AT_MOST_ONCE -> router.publish(message);
            case AT_LEAST_ONCE -> {
                router.publish(message);
                // [MQTT-4.3.2-2] PUBACK once the message is the broker's
                connection.send(new PubAck(packetId));
            }
            case EXACTLY_ONCE -> {
                if (session.inboundQos2().add(packetId)) {
                    router.publish(message);
                }
                connection.send(new PubRec(packetId));
            }
        }
    }

    /** PUBREL: the client releases {@code packetId}; later PUBLISHes with it are new messages [MQTT-4.3.3-2]. */
    public void onPubRel(Session session, ClientConnection connection, int packetId) {
        session.inboundQos2().remove(packetId);
        connection.send(new PubComp(packetId));
    }
}
