package io.starling.broker.model;

import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;

/**
 * An application message as the broker holds it: received once, then shared by every
 * subscriber, queue and retained slot it goes to. The payload is copied out of the network
 * buffer once, on receipt, into an immutable array; no delivery copies or changes it, and no
 * reference count has to follow it through queues and sessions.
 *
 * @param topic the topic name it was published to
 * @param qos the QoS it was published with
 * @param retain the RETAIN flag it was published with
 * @param payload the application payload; never modified
 * @param publisherId the client identifier of the publisher ("" for the broker itself)
 * @param properties the MQTT 5.0 properties forwarded unchanged to every subscriber, in the order
 *     received: Payload Format Indicator, Content Type, Response Topic, Correlation Data and User
 *     Properties; {@link Properties#EMPTY} for a 3.1 or 3.1.1 publisher
 * @param expiresAtMillis when the message expires (epoch milliseconds), from its Message Expiry
 *     Interval; 0 when it never does
 */
@SuppressWarnings("ArrayRecordComponent") // the payload is never modified, and compared by identity only
public record Message(String topic, QoS qos, boolean retain, byte[] payload, String publisherId, Properties properties,
        long expiresAtMillis) {

    /** A message without properties that never expires, as 3.1 and 3.1.1 publish them. */
    public Message(String topic, QoS qos, boolean retain, byte[] payload, String publisherId) {
        this(topic, qos, retain, payload, publisherId, Properties.EMPTY, 0);
    }

    /** Whether the message has an expiry interval that has run out by {@code nowMillis}. */
    public boolean expiredAt(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis >= expiresAtMillis;
    }

    /**
     * The Message Expiry Interval a receiver gets at {@code nowMillis}: the seconds left, rounded
     * up so that a message not yet expired never says 0 [MQTT-3.3.2-6]; -1 when it never expires.
     */
    public long remainingExpirySeconds(long nowMillis) {
        if (expiresAtMillis == 0) {
            return -1;
        }
        return Math.max(1, (expiresAtMillis - nowMillis + 999) / 1000);
    }

    @Override
    public String toString() {
        return "Message[" + topic + ", " + qos + (retain ? ", retained" : "") + ", " + payload.length + " bytes]";
    }
}
