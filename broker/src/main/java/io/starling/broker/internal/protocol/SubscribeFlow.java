package io.starling.broker.internal.protocol;

import io.starling.broker.internal.limits.LiveLimits;
import io.starling.broker.internal.acl.ClientRights;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.Session;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SUBSCRIBE and UNSUBSCRIBE. Each filter of a SUBSCRIBE is granted the QoS it asks for (at most
 * {@code maximum_qos}), or fails alone (0x80, in 5.0 0x8F) when it is not a valid filter, and the
 * SUBACK answers them in order with the same packet identifier [MQTT-3.8.4-1..6]. A filter equal
 * to one the session has replaces it [MQTT-3.8.4-3], options and Subscription Identifier
 * included. After the SUBACK, the retained messages matching each granted filter are sent with
 * RETAIN 1 [MQTT-3.3.1-8] as its Retain Handling says, and never for a shared subscription
 * ({@code $share/{group}/{filter}}, taken from clients of every version). An UNSUBSCRIBE is always
 * answered by one UNSUBACK [MQTT-3.10.4-4] [MQTT-3.10.4-5], in 5.0 with 0x11 for each filter that
 * had no subscription; messages already in flight still complete. A persistent session's
 * subscriptions are stored before SUBACK, and their removal before UNSUBACK. Every method runs in
 * the session's mailbox.
 *
 * <p>With an ACL file, each filter (a shared subscription's without its {@code $share/{group}/})
 * must be readable: one the file refuses fails alone with 0x80 (3.1.1) or 0x87, not authorized
 * (5.0). Retained messages sent for a granted filter are checked one by one, like live ones.
 */
public final class SubscribeFlow {
    private static final Logger log = LoggerFactory.getLogger(SubscribeFlow.class);
    private static final int[] NO_IDS = new int[0];

    private final Router router;
    private final PublishOutFlow out;
    private final Persistence persistence;
    /** The highest QoS granted, whatever a subscription asks for ({@code maximum_qos}). */
    private final QoS maximumQos;
    private final LiveLimits limits;
    private final BrokerMetrics metrics;

    public SubscribeFlow(Router router, PublishOutFlow out, Persistence persistence, QoS maximumQos, LiveLimits limits,
            BrokerMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
        this.router = router;
        this.out = out;
        this.persistence = persistence;
        this.maximumQos = maximumQos;
    }

    public void onSubscribe(Session session, ClientConnection connection, Subscribe subscribe) {
        List<ReasonCode> codes = new ArrayList<>(subscribe.subscriptions().size());
        List<Subscription> retainedFor = new ArrayList<>(subscribe.subscriptions().size());
        List<SubscriptionOptions> retainedOptions = new ArrayList<>(subscribe.subscriptions().size());
        StoreChanges changes = session.durable() ? persistence.changes() : null;
        int identifier = (int) subscribe.properties().integer(PropertyId.SUBSCRIPTION_IDENTIFIER).orElse(0);
        boolean v5 = connection.version().isV5();
        for (Subscription subscription : subscribe.subscriptions()) {
            String filter = subscription.topicFilter();
            // shared subscriptions are offered to every version, so their syntax is 5.0's for all
            String violation = Topics.filterViolation(filter, MqttVersion.V5);
            if (violation != null) {
                log.debug("client {}: refused topic filter '{}': {}", session.clientId(), filter, violation);
                codes.add(v5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.UNSPECIFIED_ERROR);
                continue;
            }
            // max_topic_levels, max_topic_length, max_subscriptions_per_client: this filter alone fails
            ReasonCode overLimit = limits.filterRefused(session.clientId(), filter, session.subscriptions(), v5);
            if (overLimit != null) {
                codes.add(overLimit);
                continue;
            }
            TopicTree.SharedFilter sharedFilter = TopicTree.SharedFilter.parse(filter);
            boolean shared = sharedFilter != null;
            if (shared && subscription.noLocal()) {
                // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error
                connection.disconnect(ReasonCode.PROTOCOL_ERROR, "No Local on the shared subscription '" + filter + "'");
                return;
            }
            ClientRights rights = session.rights();
            if (rights != null && !rights.maySubscribe(sharedFilter == null ? filter : sharedFilter.filter())) {
                // refused alone, the others granted: 0x80 in 3.1.1 [MQTT-3.9.3-2], 0x87 in 5.0
                metrics.aclSubscribeDenied.increment();
                log.debug("client {}: topic filter '{}' refused by the ACL file", session.clientId(), filter);
                codes.add(v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.UNSPECIFIED_ERROR);
                continue;
            }
            Subscription granted = subscription.qos().value() > maximumQos.value()
                    ? new Subscription(filter, maximumQos, subscription.noLocal(), subscription.retainAsPublished(),
                            subscription.retainHandling())
                    : subscription;
            SubscriptionOptions options = SubscriptionOptions.of(granted, identifier);
            SubscriptionOptions before = session.subscriptions().put(filter, options);
            router.subscriptions().subscribe(filter, session, options);
            if (changes != null) {
                changes.subscribed(session.clientId(), filter, options);
            }
            codes.add(ReasonCode.granted(granted.qos()));
            // no retained messages on a shared subscription (section 4.8.2); Retain Handling decides for the others
            boolean sendRetained = !shared && switch (granted.retainHandling()) {
                case SEND_ON_SUBSCRIBE -> true;
                case SEND_IF_NEW_SUBSCRIPTION -> before == null;
                case DO_NOT_SEND -> false;
            };
            if (sendRetained) {
                retainedFor.add(granted);
                retainedOptions.add(options);
            }
        }
        // SUBACK once the subscriptions are stored and the other cluster nodes know their routes; the retained messages follow it
        session.gate().after(routed(persistence.commitAny(changes), codes, subscribe), () -> {
            if (session.connection() != connection) {
                return;
            }
            connection.send(new SubAck(subscribe.packetId(), codes));
            long now = System.currentTimeMillis();
            for (int i = 0; i < retainedFor.size(); i++) {
                Subscription subscription = retainedFor.get(i);
                int[] ids = retainedOptions.get(i).identifier() == 0 ? NO_IDS : new int[] {retainedOptions.get(i).identifier()};
                router.retained().forEachMatching(subscription.topicFilter(), message -> {
                    if (message.expiredAt(now)) {
                        return;
                    }
                    if (!session.mayRead(message.topic())) {
                        // a granted filter may overlap a narrower deny rule: checked per message
                        metrics.aclDeliveryDenied.increment();
                        return;
                    }
                    out.deliverRetained(session, message, QoS.min(message.qos(), subscription.qos()), ids);
                });
            }
        });
    }

    /**
     * {@code stored} (null: nothing to wait for), and, in a cluster, the announcements of the
     * granted filters' routes still pending (each completes within a bound and never fails).
     */
    private @Nullable CompletableFuture<Void> routed(@Nullable CompletableFuture<Void> stored, List<ReasonCode> codes,
            Subscribe subscribe) {
        TopicTree tree = router.subscriptions();
        List<CompletableFuture<Void>> waits = null;
        List<Subscription> subscriptions = subscribe.subscriptions();
        for (int i = 0; i < subscriptions.size(); i++) {
            if (codes.get(i).value() > ReasonCode.GRANTED_QOS_2.value()) {
                continue;
            }
            CompletableFuture<Void> announced = tree.announced(subscriptions.get(i).topicFilter());
            if (announced != null && !announced.isDone()) {
                if (waits == null) {
                    waits = new ArrayList<>(2);
                    if (stored != null) {
                        waits.add(stored);
                    }
                }
                waits.add(announced);
            }
        }
        return waits == null ? stored : CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]));
    }

    public void onUnsubscribe(Session session, ClientConnection connection, Unsubscribe unsubscribe) {
        StoreChanges changes = session.durable() ? persistence.changes() : null;
        List<ReasonCode> codes = new ArrayList<>(unsubscribe.topicFilters().size());
        for (String filter : unsubscribe.topicFilters()) {
            // [MQTT-3.10.4-1] filters are compared character by character
            if (session.subscriptions().remove(filter) != null) {
                router.subscriptions().unsubscribe(filter, session);
                if (changes != null) {
                    changes.unsubscribed(session.clientId(), filter);
                }
                codes.add(ReasonCode.SUCCESS);
            } else {
                codes.add(ReasonCode.NO_SUBSCRIPTION_EXISTED);
            }
        }
        // 5.0: one code per filter; 3.1 and 3.1.1 UNSUBACKs carry none
        UnsubAck reply = connection.version().isV5()
                ? new UnsubAck(unsubscribe.packetId(), codes, Properties.EMPTY)
                : new UnsubAck(unsubscribe.packetId());
        session.gate().after(persistence.commitAny(changes), () -> {
            if (session.connection() == connection) {
                connection.send(reply);
            }
        });
    }
}
