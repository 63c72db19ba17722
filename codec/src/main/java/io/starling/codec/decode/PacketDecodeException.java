package io.starling.codec.decode;

import io.starling.codec.packet.ReasonCode;

/**
 * The one way decoding fails: the bytes broke a rule of the specification. It names the rule
 * (a normative statement such as {@code MQTT-3.1.2-3}, or a section such as {@code §2.2.3} where
 * the rule has no number) and carries the MQTT 5.0 reason code to answer with: 0x81 Malformed
 * Packet, 0x82 Protocol Error, 0x84 Unsupported Protocol Version, 0x90 Topic Name invalid,
 * 0x94 Topic Alias invalid or 0x95 Packet too large. The connection that sent the bytes is
 * closed; nothing else is affected.
 */
public final class PacketDecodeException extends RuntimeException {
    private final ReasonCode reasonCode;
    private final String rule;

    public PacketDecodeException(ReasonCode reasonCode, String rule, String message) {
        super("[" + rule + "] " + message, null, false, false);
        this.reasonCode = reasonCode;
        this.rule = rule;
    }

    /** The reason code to send in a 5.0 CONNACK or DISCONNECT before closing. */
    public ReasonCode reasonCode() {
        return reasonCode;
    }

    /** The statement number or section that was broken, without brackets. */
    public String rule() {
        return rule;
    }
}
