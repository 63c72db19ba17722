package io.starling.broker.routing;

import io.starling.codec.packet.QoS;

/** What a subscription delivers to: a session. Called from any thread; implementations hand off to their own. */
public interface Subscriber {
    /**
     * Delivers {@code message} at {@code qos}, already the lower of the published and the
     * granted QoS, with RETAIN 0 as a live message [MQTT-3.3.1-9].
     */
    void deliver(Message message, QoS qos);
}
