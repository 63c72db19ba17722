package io.starling.client;

import io.starling.codec.packet.ReasonCode;

/**
 * The client refused an operation itself because the server said, in its CONNACK, that it does
 * not take it (MQTT 5.0): a packet over its Maximum Packet Size, a QoS above its Maximum QoS, a
 * retained message when Retain Available is 0, a wildcard, shared or identified subscription it
 * does not support. {@link #reasonCode()} is the code the server would have answered with. Nothing
 * was sent.
 */
public final class ServerLimitException extends ReasonCodeException {
    private static final long serialVersionUID = 1L;

    public ServerLimitException(ReasonCode reasonCode, String message) {
        super(reasonCode, message);
    }
}
