package io.starling.codec.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.wire.MqttVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The zero-copy path of {@link PacketEncoder#encode(ByteBufAllocator, io.starling.codec.packet.Packet)}:
 * a PUBLISH payload of at least {@link PacketEncoder#ZERO_COPY_THRESHOLD} bytes is shared with the
 * output, which writes the same bytes as the copying path.
 */
class PacketEncoderTest {
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    @Test
    @DisplayName("a payload of exactly ZERO_COPY_THRESHOLD bytes is shared: same bytes, one more reference until released")
    void payloadAtThresholdIsShared() {
        assertThat(PacketEncoder.ZERO_COPY_THRESHOLD).isEqualTo(512);
        byte[] header = {
            0x32, (byte) 0x87, 0x04,            // PUBLISH, QoS 1, remaining length 519 (0x87 0x04)
            0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
            0x00, 0x0A };                       // packet identifier 10, then 512 payload bytes
        ByteBuf payload = filled(0, PacketEncoder.ZERO_COPY_THRESHOLD);
        Publish publish = new Publish("a/b", QoS.AT_LEAST_ONCE, false, false, 10, payload);
        try {
            assertShared(new PacketEncoder(MqttVersion.V3_1_1), publish, header);
        } finally {
            publish.release();
        }
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    @DisplayName("a large 5.0 payload that is a part of its buffer is shared from its reader index")
    void payloadWithReaderIndexIsShared() {
        byte[] header = {
            0x30, (byte) 0xDE, 0x04,            // PUBLISH, QoS 0, remaining length 606 (0xDE 0x04)
            0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
            0x00 };                             // property length 0, then 600 payload bytes
        ByteBuf payload = filled(3, 600);       // 3 bytes before the reader index are not payload
        Publish publish = new Publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, payload);
        try {
            assertShared(new PacketEncoder(MqttVersion.V5), publish, header);
        } finally {
            publish.release();
        }
        assertThat(payload.refCnt()).isZero();
    }

    @Test
    @DisplayName("a payload one byte under ZERO_COPY_THRESHOLD is copied into one buffer of the packet's size")
    void payloadUnderThresholdIsCopied() {
        byte[] header = {
            0x30, (byte) 0x84, 0x04,            // PUBLISH, QoS 0, remaining length 516 (0x84 0x04)
            0x00, 0x03, 'a', '/', 'b' };        // topic name "a/b", then 511 payload bytes
        ByteBuf payload = filled(0, PacketEncoder.ZERO_COPY_THRESHOLD - 1);
        Publish publish = new Publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, payload);
        PacketEncoder encoder = new PacketEncoder(MqttVersion.V3_1_1);
        try {
            byte[] wire = concat(header, ByteBufUtil.getBytes(payload));
            ByteBuf encoded = encoder.encode(ALLOC, publish);
            try {
                assertThat(payload.refCnt()).isEqualTo(1);
                assertThat(encoded.capacity()).isEqualTo(wire.length);
                assertThat(ByteBufUtil.getBytes(encoded)).inHexadecimal().containsExactly(wire);
                payload.setByte(payload.readerIndex(), 0x7E);
                assertThat(encoded.getByte(encoded.readerIndex() + header.length)).isEqualTo(wire[header.length]);
            } finally {
                encoded.release();
            }
        } finally {
            publish.release();
        }
    }

    /**
     * The copying and the sharing encode write the same bytes; the shared output holds one
     * reference to the payload and sees later writes to the payload's memory.
     */
    private static void assertShared(PacketEncoder encoder, Publish publish, byte[] header) {
        ByteBuf payload = publish.payload();
        int payloadReaderIndex = payload.readerIndex();
        byte[] wire = concat(header, ByteBufUtil.getBytes(payload));
        assertThat(encoder.encodedSize(publish)).isEqualTo(wire.length);

        ByteBuf copied = Unpooled.buffer();
        ByteBuf shared = null;
        try {
            encoder.encode(publish, copied);
            assertThat(ByteBufUtil.getBytes(copied)).as("encode(packet, out)").inHexadecimal().containsExactly(wire);
            assertThat(payload.refCnt()).as("the copying encode keeps no reference").isEqualTo(1);

            shared = encoder.encode(ALLOC, publish);
            assertThat(ByteBufUtil.getBytes(shared)).as("encode(alloc, packet)").inHexadecimal().containsExactly(wire);
            assertThat(ByteBufUtil.equals(shared, copied)).isTrue();
            assertThat(payload.refCnt()).as("the shared output holds one reference").isEqualTo(2);
            assertThat(payload.readerIndex()).as("the payload's indexes do not move").isEqualTo(payloadReaderIndex);

            payload.setByte(payloadReaderIndex, 0x7E);
            payload.setByte(payload.writerIndex() - 1, 0x7F);
            assertThat(shared.getByte(shared.readerIndex() + header.length)).as("first payload byte").isEqualTo((byte) 0x7E);
            assertThat(shared.getByte(shared.writerIndex() - 1)).as("last payload byte").isEqualTo((byte) 0x7F);
            assertThat(copied.getByte(copied.readerIndex() + header.length)).isEqualTo(wire[header.length]);
        } finally {
            copied.release();
            if (shared != null) {
                assertThat(shared.release()).isTrue();
            }
        }
        assertThat(payload.refCnt()).as("releasing the output gives the reference back").isEqualTo(1);
    }

    /** A pooled buffer of {@code skipped} junk bytes, then {@code length} payload bytes 0, 1, 2, ... */
    private static ByteBuf filled(int skipped, int length) {
        ByteBuf buf = ALLOC.buffer(skipped + length);
        for (int i = 0; i < skipped; i++) {
            buf.writeByte(0xEE);
        }
        for (int i = 0; i < length; i++) {
            buf.writeByte(i);
        }
        buf.readerIndex(skipped);
        return buf;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    @DisplayName("[§3.11.3] a 5.0 UNSUBACK needs a reason code per topic filter: one without any is refused")
    void v5UnsubAckWithoutReasonCodesIsRefused() {
        UnsubAck empty = new UnsubAck(10);
        assertThatThrownBy(() -> new PacketEncoder(MqttVersion.V5).encodedSize(empty))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one reason code per topic filter");
        assertThat(new PacketEncoder(MqttVersion.V3_1_1).encodedSize(empty)).isEqualTo(4); // B0 02 00 0A
    }

}
