package io.starling.client;

import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import java.util.Optional;

/**
 * The server ended the connection with a DISCONNECT (MQTT 5.0): the cause a {@link
 * ConnectionListener} is told of, with the server's reason code, Reason String and Server
 * Reference (where to connect instead, with 0x9C Use another server or 0x9D Server moved).
 */
public final class DisconnectedByServerException extends ReasonCodeException {
    private static final long serialVersionUID = 1L;

    private final transient Properties properties;

    public DisconnectedByServerException(ReasonCode reasonCode, Properties properties) {
        super(reasonCode, "the server disconnected: "
                + ReasonCodes.describe(reasonCode, properties.string(PropertyId.REASON_STRING).orElse(null)));
        this.properties = properties;
    }

    public Optional<String> reasonString() {
        return properties.string(PropertyId.REASON_STRING);
    }

    public Optional<String> serverReference() {
        return properties.string(PropertyId.SERVER_REFERENCE);
    }

    /** Every property of the DISCONNECT, user properties included. */
    public Properties properties() {
        return properties;
    }
}
