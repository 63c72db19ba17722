package io.starling.broker.internal.protocol;

import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.Session;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.StoreChanges;
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
 * [MQTT-3.10.4-5]; messages already in flight still complete. A persistent session's
 * subscriptions are stored before SUBACK, and their removal before UNSUBACK. Every method runs in
 * the session's mailbox.
 */
public final class SubscribeFlow {
    private static final Logger log = LoggerFactory.getLogger(SubscribeFlow.class);

    private final Router router;
    private final PublishOutFlow out;
    private final Persistence persistence;

    public SubscribeFlow(Router router, PublishOutFlow out, Persistence persistence) {
        this.router = router;
        this.out = out;
        this.persistence = persistence;
    }

    public void onSubscribe(Session session, ClientConnection connection, Subscribe subscribe) {
        List<ReasonCode> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<Subscription> granted = new ArrayList<>(subscribe.subscriptions().size());
        StoreChanges changes = session.durable() ? persistence.changes() : null;
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
            if (changes != null) {
                changes.subscribed(session.clientId(), filter, qos);
            }
            codes.add(ReasonCode.granted(qos));
            granted.add(subscription);
        }
        // SUBACK once the subscriptions are stored; the retained messages follow it
        session.gate().after(persistence.commitAny(changes), () -> {
            if (session.connection() != connection) {
                return;
            }
            connection.send(new SubAck(subscribe.packetId(), codes));
            for (Subscription subscription : granted) {
                router.retained().forEachMatching(subscription.topicFilter(), message ->
                        out.deliverRetained(session, message, QoS.min(message.qos(), subscription.qos())));
            }
        });
    }

    public void onUnsubscribe(Session session, ClientConnection connection, Unsubscribe unsubscribe) {
        StoreChanges changes = session.durable() ? persistence.changes() : null;
        for (String filter : unsubscribe.topicFilters()) {
            // [MQTT-3.10.4-1] filters are compared character by character
            if (session.subscriptions().remove(filter) != null) {
                router.subscriptions().unsubscribe(filter, session);
                if (changes != null) {
                    changes.unsubscribed(session.clientId(), filter);
                }
            }
        }
        session.gate().after(persistence.commitAny(changes), () -> {
            if (session.connection() == connection) {
                connection.send(new UnsubAck(unsubscribe.packetId()));
            }
        });
    }

}
