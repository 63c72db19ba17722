package io.starling.client;

import io.starling.codec.packet.ReasonCode;

/**
 * A failure that carries an MQTT reason code: the server's (a refusing CONNACK, PUBACK, PUBREC or
 * PUBCOMP, its DISCONNECT) or the one the server would have answered with ({@link
 * ServerLimitException}). One {@code catch} gets the code of any of them.
 */
public abstract class ReasonCodeException extends MqttClientException {
    private static final long serialVersionUID = 1L;

    private final ReasonCode reasonCode;

    ReasonCodeException(ReasonCode reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    public final ReasonCode reasonCode() {
        return reasonCode;
    }
}
