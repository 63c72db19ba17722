package io.starling.client;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import java.util.List;
import java.util.Optional;

/**
 * The server's answer to a SUBSCRIBE: one reason code per topic filter, in the order they were
 * requested. In 3.1.1 a code is the granted QoS (0, 1, 2) or the failure 0x80; in 5.0 the
 * failures say why (0x87 Not authorized, 0x8F Topic filter invalid, 0x9E Shared subscriptions not
 * supported...), and the SUBACK may carry a Reason String and user properties.
 */
public record SubscribeResult(List<ReasonCode> reasonCodes, Properties properties) {
    public SubscribeResult {
        reasonCodes = List.copyOf(reasonCodes);
    }

    public SubscribeResult(List<ReasonCode> reasonCodes) {
        this(reasonCodes, Properties.EMPTY);
    }

    /** The QoS granted for the {@code index}-th filter, or empty if that filter was refused. */
    public Optional<QoS> grantedQos(int index) {
        ReasonCode code = reasonCodes.get(index);
        return switch (code) {
            case GRANTED_QOS_0 -> Optional.of(QoS.AT_MOST_ONCE);
            case GRANTED_QOS_1 -> Optional.of(QoS.AT_LEAST_ONCE);
            case GRANTED_QOS_2 -> Optional.of(QoS.EXACTLY_ONCE);
            default -> Optional.empty();
        };
    }

    /** Whether every filter was granted. */
    public boolean allGranted() {
        return reasonCodes.stream().noneMatch(ReasonCode::isError);
    }

    public Optional<String> reasonString() {
        return properties.string(PropertyId.REASON_STRING);
    }

    public List<UserProperty> userProperties() {
        return properties.userProperties();
    }
}
