package io.starling.codec.packet;

import io.starling.codec.wire.MqttStrings;

/**
 * One topic filter of a SUBSCRIBE with its options. 3.1 and 3.1.1 carry only the QoS; the other
 * options take their defaults (false, false, {@link RetainHandling#SEND_ON_SUBSCRIBE}) there.
 * The filter's wildcard syntax is not checked here: a server answers an invalid filter with a
 * failure code for that filter alone (see {@code Topics.filterViolation}).
 */
public record Subscription(
        String topicFilter,
        QoS qos,
        boolean noLocal,
        boolean retainAsPublished,
        RetainHandling retainHandling) {

    public Subscription {
        MqttStrings.require(topicFilter, "topic filter");
    }

    /** A subscription with the MQTT 3.1.1 defaults for every option but QoS. */
    public Subscription(String topicFilter, QoS qos) {
        this(topicFilter, qos, false, false, RetainHandling.SEND_ON_SUBSCRIBE);
    }
}
