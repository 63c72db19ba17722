package io.starling.client;

import io.starling.codec.packet.ReasonCode;

/**
 * The server answered CONNECT with a refusing CONNACK. In 3.1.1 the CONNACK's return code is
 * {@code reasonCode().v3ConnectReturnCode()}.
 */
public final class ConnectionRefusedException extends ReasonCodeException {
    private static final long serialVersionUID = 1L;

    public ConnectionRefusedException(ReasonCode reasonCode, String message) {
        super(reasonCode, message);
    }
}
