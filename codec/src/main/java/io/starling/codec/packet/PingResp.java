package io.starling.codec.packet;

import io.starling.codec.wire.PacketType;

/** PINGRESP: the server's answer to PINGREQ. It has no fields, so one instance serves. */
public record PingResp() implements Packet {
    public static final PingResp INSTANCE = new PingResp();

    @Override
    public PacketType type() {
        return PacketType.PINGRESP;
    }
}
