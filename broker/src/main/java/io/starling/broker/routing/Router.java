package io.starling.broker.routing;

import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.store.RetainedStore;
import io.starling.codec.packet.QoS;
import java.util.HashMap;
import java.util.Map;

/**
 * Routes application messages: keeps the retained message of a topic up to date and hands each
 * message to every subscriber with a matching subscription, once per subscriber at the highest
 * QoS granted among its matching subscriptions, downgraded to the published QoS.
 */
public final class Router {
    private final TopicTree subscriptions;
    private final RetainedStore retained;
    private final BrokerMetrics metrics;

    public Router(TopicTree subscriptions, RetainedStore retained, BrokerMetrics metrics) {
        this.subscriptions = subscriptions;
        this.retained = retained;
        this.metrics = metrics;
    }

    public TopicTree subscriptions() {
        return subscriptions;
    }

    public RetainedStore retained() {
        return retained;
    }

    /** Publishes {@code message} as received from a client (or as a will): retains it if asked, then routes it. */
    public void publish(Message message) {
        metrics.messagesReceived.increment();
        if (message.retain()) {
            if (message.payload().length == 0) {
                // [MQTT-3.3.1-10] an empty retained message removes the topic's retained message
                retained.remove(message.topic());
            } else {
                // [MQTT-3.3.1-5] it replaces any retained message of the topic
                retained.put(message);
            }
        }
        route(message);
    }

    /** Delivers {@code message} to its subscribers; returns how many it went to. */
    public int route(Message message) {
        // [MQTT-3.3.5-1] overlapping subscriptions of one client get one copy, at the highest granted QoS
        Map<Subscriber, QoS> targets = new HashMap<>();
        subscriptions.match(message.topic(), (subscriber, granted) -> targets.merge(subscriber, granted,
                (a, b) -> a.value() >= b.value() ? a : b));
        targets.forEach((subscriber, granted) -> subscriber.deliver(message, QoS.min(message.qos(), granted)));
        return targets.size();
    }
}
