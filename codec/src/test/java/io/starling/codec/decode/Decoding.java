package io.starling.codec.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.ReasonCode;

/** Feeding bytes to a decoder in tests, from pooled buffers so that an unreleased one shows up as a leak. */
final class Decoding {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private Decoding() {}

    /** Feeds all of {@code wire} and expects the decoder to refuse it with {@code code} citing {@code rule}. */
    static void assertRejected(PacketDecoder decoder, byte[] wire, ReasonCode code, String rule) {
        ByteBuf in = pooled(wire);
        try {
            assertThatThrownBy(() -> decoder.decode(in))
                    .isInstanceOfSatisfying(PacketDecodeException.class, e -> {
                        assertThat(e.reasonCode()).as("reason code of: %s", e.getMessage()).isEqualTo(code);
                        assertThat(e.rule()).as("rule of: %s", e.getMessage()).isEqualTo(rule);
                        assertThat(e.getMessage()).startsWith("[" + e.rule() + "] ");
                    });
        } finally {
            in.release();
        }
        // after a failure the connection is to be closed: the decoder takes nothing more
        ByteBuf more = pooled(new byte[] {(byte) 0xC0, 0x00});
        try {
            assertThatThrownBy(() -> decoder.decode(more)).isInstanceOf(IllegalStateException.class);
        } finally {
            more.release();
        }
    }

    /** Decodes exactly one whole packet from {@code wire}; a PUBLISH is the caller's to release. */
    static Packet decodeOne(PacketDecoder decoder, byte[] wire) {
        ByteBuf in = pooled(wire);
        try {
            Packet packet = decoder.decode(in);
            assertThat(packet).isNotNull();
            assertThat(in.readableBytes()).as("bytes left after the packet").isZero();
            return packet;
        } finally {
            in.release();
        }
    }

    /** Decodes from {@code wire}, which may hold less than a packet; a PUBLISH is the caller's to release. */
    static Packet decodeBytes(PacketDecoder decoder, byte[] wire) {
        ByteBuf in = pooled(wire);
        try {
            Packet packet = decoder.decode(in);
            if (packet == null) {
                assertThat(in.readerIndex()).as("nothing consumed while waiting").isZero();
            }
            return packet;
        } finally {
            in.release();
        }
    }

    /** A pooled copy of {@code bytes}. */
    static ByteBuf pooled(byte[] bytes) {
        return ALLOC.directBuffer(Math.max(bytes.length, 1)).writeBytes(bytes);
    }
}
