package io.starling.broker.protocol;

import io.starling.broker.routing.Router;
import io.starling.broker.session.ClientConnection;
import io.starling.broker.session.Session;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE. Each filter of a SUBSCRIBE is granted the QoS it asks for, or fails
 * alone (0x80) when it is not a valid filter, and the SUBACK answers them in order with the same
 * packet identifier [MQTT-3.8.4-1..6]. A filter equal to one the session has replaces it
 * [MQTT-3.8.4-3]. After the SUBACK, the retained messages matching each granted filter are sent
 * with RETAIN 1 [MQTT-3.3.1-8]. An UNSUBSCRIBE is always answered by one UNSUBACK [MQTT-3.10.4-4]
 * [MQTT-3.10.4-5]; messages already in flight still complete. Every method runs in the session's
 * mailbox.
 */
public final class SubscribeFlow {
    private static final Logger log = LoggerFactory.getLogger(SubscribeFlow.class);

    private final Router router;
    private final PublishOutFlow out;

    public SubscribeFlow(Router router, PublishOutFlow out) {
        this.router = router;
        this.out = out;
    }

    public void onSubscribe(Session session, ClientConnection connection, Subscribe subscribe) {
        List<ReasonCode> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<Subscription> granted = new ArrayList<>(subscribe.subscriptions().size());
        for (Subscription subscription : subscribe.subscriptions()) {
            String filter = subscription.topicFilter();
            String violation = Topics.filterViolation(filter, connection.version());
            if (violation != null) {
                log.debug("client {}: refused topic filter '{}': {}", session.clientId(), filter, violation);
                codes.add(ReasonCode.UNSPECIFIED_ERROR);
                continue;
            }
            QoS qos = subscription.qos();
            session.subscriptions().put(filter, qos);
            router.subscriptions().subscribe(filter, session, qos);
            codes.add(ReasonCode.granted(qos));
            granted.add(subscription);
        }
        connection.send(new SubAck(subscribe.packetId(), codes));
        for (Subscription subscription : granted) {
            router.retained().forEachMatching(subscription.topicFilter(), message ->
                    out.deliver(session, message, QoS.min(message.qos(), subscription.qos()), true));
        }
    }

    public void onUnsubscribe(Session session, ClientConnection connection, Unsubscribe unsubscribe) {
        for (String filter : unsubscribe.topicFilters()) {
            // [MQTT-3.10.4-1] filters are compared character by character
            if (session.subscriptions().remove(filter) != null) {
                router.subscriptions().unsubscribe(filter, session);
            }
        }
        connection.send(new UnsubAck(unsubscribe.packetId()));
    }
}
