package io.starling.client;

import io.starling.codec.packet.ReasonCode;

/** The server answered CONNECT with a refusing CONNACK. */
public final class ConnectionRefusedException extends MqttClientException {
    private static final long serialVersionUID = 1L;

    private final ReasonCode reasonCode;

    public ConnectionRefusedException(ReasonCode reasonCode, String message) {
        super(message);
        this.reasonCode = reasonCode;
    }

    /** The CONNACK's reason code; in 3.1.1 its return code is {@code reasonCode().v3ConnectReturnCode()}. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }
}
