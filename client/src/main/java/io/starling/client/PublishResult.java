package io.starling.client;

import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import java.util.List;
import java.util.Optional;

/**
 * How the server took a publish. QoS 0 has no answer: {@link ReasonCode#SUCCESS} once written. At
 * QoS 1 it is the PUBACK's reason code, at QoS 2 the PUBREC's (the PUBCOMP's when that one says
 * more), e.g. {@link ReasonCode#NO_MATCHING_SUBSCRIBERS} 0x10 in MQTT 5.0. 3.1 and 3.1.1 carry no
 * codes: always {@code SUCCESS}. A code of 0x80 or more fails the future with {@link
 * PublishRefusedException} instead.
 *
 * @param reasonCode the acknowledgement's reason code, below 0x80
 * @param properties the acknowledgement's properties (reason string, user properties)
 */
public record PublishResult(ReasonCode reasonCode, Properties properties) {
    static final PublishResult SUCCESS = new PublishResult(ReasonCode.SUCCESS, Properties.EMPTY);

    /** The server's Reason String, for a human reader. */
    public Optional<String> reasonString() {
        return properties.string(PropertyId.REASON_STRING);
    }

    public List<UserProperty> userProperties() {
        return properties.userProperties();
    }
}
