package io.starling.client;

import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.PacketType;
import org.jspecify.annotations.Nullable;

/**
 * The server refused a publish: its PUBACK, PUBREC or PUBCOMP carried a reason code of 0x80 or
 * more (MQTT 5.0), e.g. 0x87 Not authorized or 0x97 Quota exceeded.
 */
public final class PublishRefusedException extends ReasonCodeException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String reasonString;
    private final PacketType answer;

    public PublishRefusedException(PacketType answer, ReasonCode reasonCode, @Nullable String reasonString) {
        super(reasonCode, "the server refused the publish: " + answer + " " + ReasonCodes.describe(reasonCode, reasonString));
        this.answer = answer;
        this.reasonString = reasonString;
    }

    /** The server's Reason String, or null when it sent none. */
    public @Nullable String reasonString() {
        return reasonString;
    }

    /** PUBACK, PUBREC or PUBCOMP: the packet that carried the refusal. */
    public PacketType answer() {
        return answer;
    }
}
