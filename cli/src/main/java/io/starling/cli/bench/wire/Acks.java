package io.starling.cli.bench.wire;

import io.netty.buffer.ByteBuf;

/**
 * The four-byte acknowledgements (type and flags, remaining length 2, packet identifier), written
 * straight into a connection's batch of outgoing acknowledgements rather than through packet
 * records, since they are as frequent as the messages. They are those of MQTT 3.1 and 3.1.1, and
 * also of 5.0, where an acknowledgement with reason code Success and no properties leaves both
 * out (5.0 §3.4.2.1, §3.5.2.1, §3.6.2.1, §3.7.2.1): the only kind the bench sends.
 */
public final class Acks {
    public static final int PUBACK = 0x40;
    public static final int PUBREC = 0x50;
    /** PUBREL's fixed header flags are 0010 [MQTT-3.6.1-1]. */
    public static final int PUBREL = 0x62;
    public static final int PUBCOMP = 0x70;
    static final int SIZE = 4;

    private Acks() {
    }

    /** Appends the acknowledgement {@code type} (one of the constants) for {@code packetId}. */
    public static void write(ByteBuf out, int type, int packetId) {
        out.writeByte(type);
        out.writeByte(2);
        out.writeShort(packetId);
    }
}
