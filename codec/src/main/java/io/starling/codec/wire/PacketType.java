package io.starling.codec.wire;

import org.jspecify.annotations.Nullable;

/** The 15 control packet types and the value of their fixed-header type nibble. */
public enum PacketType {
    CONNECT(1, 0b0000),
    CONNACK(2, 0b0000),
    PUBLISH(3, -1),
    PUBACK(4, 0b0000),
    PUBREC(5, 0b0000),
    PUBREL(6, 0b0010),
    PUBCOMP(7, 0b0000),
    SUBSCRIBE(8, 0b0010),
    SUBACK(9, 0b0000),
    UNSUBSCRIBE(10, 0b0010),
    UNSUBACK(11, 0b0000),
    PINGREQ(12, 0b0000),
    PINGRESP(13, 0b0000),
    DISCONNECT(14, 0b0000),
    /** MQTT 5.0 only; type 15 is reserved in 3.1 and 3.1.1. */
    AUTH(15, 0b0000);

    private static final @Nullable PacketType[] BY_VALUE = new PacketType[16];

    static {
        for (PacketType type : values()) {
            BY_VALUE[type.value] = type;
        }
    }

    private final int value;
    private final int fixedFlags;

    PacketType(int value, int fixedFlags) {
        this.value = value;
        this.fixedFlags = fixedFlags;
    }

    /** The type nibble, 1 to 15. */
    public int value() {
        return value;
    }

    /**
     * The only legal low nibble of the fixed header for this type [MQTT-2.2.2-1], or -1 for
     * PUBLISH, whose flags carry DUP, QoS and RETAIN.
     */
    public int fixedFlags() {
        return fixedFlags;
    }

    /** The type for a nibble value, or null for 0 (reserved) and values out of range. */
    public static @Nullable PacketType of(int value) {
        return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : null;
    }
}
