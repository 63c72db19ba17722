package io.starling.broker.model;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.Subscription;

/**
 * What a session asked for with one subscription, kept with it: the granted QoS and the MQTT 5.0
 * options. A 3.1 or 3.1.1 subscription has the defaults for all but the QoS.
 *
 * @param qos the maximum QoS of what it delivers
 * @param noLocal whether messages the session itself published are left out [MQTT-3.8.3-3]
 * @param retainAsPublished whether delivered messages keep the RETAIN flag they were published with
 * @param retainHandling whether retained messages are sent when the subscription is made
 * @param identifier the Subscription Identifier sent with every message it delivers; 0 for none
 */
public record SubscriptionOptions(QoS qos, boolean noLocal, boolean retainAsPublished, RetainHandling retainHandling,
        int identifier) {

    private static final SubscriptionOptions[] PLAIN = {
        new SubscriptionOptions(QoS.AT_MOST_ONCE), new SubscriptionOptions(QoS.AT_LEAST_ONCE),
        new SubscriptionOptions(QoS.EXACTLY_ONCE)};

    public SubscriptionOptions {
        if (identifier < 0 || identifier > 268_435_455) {
            throw new IllegalArgumentException("a subscription identifier is 1 to 268435455 (0: none), not " + identifier);
        }
    }

    private SubscriptionOptions(QoS qos) {
        this(qos, false, false, RetainHandling.SEND_ON_SUBSCRIBE, 0);
    }

    /** A subscription with the 3.1.1 defaults for every option but QoS; shared, not allocated. */
    public static SubscriptionOptions of(QoS qos) {
        return PLAIN[qos.value()];
    }

    /** The options of a SUBSCRIBE's {@code subscription}, with its packet's {@code identifier} (0: none). */
    public static SubscriptionOptions of(Subscription subscription, int identifier) {
        if (identifier == 0 && !subscription.noLocal() && !subscription.retainAsPublished()
                && subscription.retainHandling() == RetainHandling.SEND_ON_SUBSCRIBE) {
            return of(subscription.qos());
        }
        return new SubscriptionOptions(subscription.qos(), subscription.noLocal(), subscription.retainAsPublished(),
                subscription.retainHandling(), identifier);
    }
}
