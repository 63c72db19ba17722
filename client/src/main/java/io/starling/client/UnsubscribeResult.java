package io.starling.client;

import io.starling.codec.packet.ReasonCode;
import java.util.List;

/**
 * The server's answer to an UNSUBSCRIBE. MQTT 3.1 and 3.1.1 carry no codes, so there every filter
 * reads {@link ReasonCode#SUCCESS}; MQTT 5.0 gives one code per filter.
 */
public record UnsubscribeResult(List<ReasonCode> reasonCodes) {
    public UnsubscribeResult {
        reasonCodes = List.copyOf(reasonCodes);
    }
}
