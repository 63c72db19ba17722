package io.starling.codec.packet;

import io.starling.codec.wire.PacketType;

/** PINGREQ: a client's keep-alive probe. It has no fields, so one instance serves. */
public record PingReq() implements Packet {
    public static final PingReq INSTANCE = new PingReq();

    @Override
    public PacketType type() {
        return PacketType.PINGREQ;
    }
}
