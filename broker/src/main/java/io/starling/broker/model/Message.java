package io.starling.broker.model;

import io.starling.codec.packet.QoS;

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
 */
@SuppressWarnings("ArrayRecordComponent") // the payload is never modified, and compared by identity only
public record Message(String topic, QoS qos, boolean retain, byte[] payload, String publisherId) {
    @Override
    public String toString() {
        return "Message[" + topic + ", " + qos + (retain ? ", retained" : "") + ", " + payload.length + " bytes]";
    }
}
