package io.starling.client;

import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import java.util.List;
import java.util.Optional;

/**
 * The server's answer to an UNSUBSCRIBE. MQTT 3.1 and 3.1.1 carry no codes, so there every filter
 * reads {@link ReasonCode#SUCCESS}; MQTT 5.0 gives one code per filter (0x11 No subscription
 * existed, 0x87 Not authorized...) and may add a Reason String and user properties.
 */
public record UnsubscribeResult(List<ReasonCode> reasonCodes, Properties properties) {
    public UnsubscribeResult {
        reasonCodes = List.copyOf(reasonCodes);
    }

    public UnsubscribeResult(List<ReasonCode> reasonCodes) {
        this(reasonCodes, Properties.EMPTY);
    }

    public Optional<String> reasonString() {
        return properties.string(PropertyId.REASON_STRING);
    }
}
