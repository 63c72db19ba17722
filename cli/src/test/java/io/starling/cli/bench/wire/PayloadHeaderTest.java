package io.starling.cli.bench.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@ExtendWith(NettyLeakCheck.class)
class PayloadHeaderTest {
    @Test
    @DisplayName("the header is 28 bytes: magic, run, publisher, sequence, send time, big-endian")
    void layout() {
        ByteBuf buf = Unpooled.buffer();
        try {
            PayloadHeader.write(buf, 0x0A0B0C0D, 7, 0x0102030405060708L, -2L);
            byte[] expected = {
                'S', 'T', 'L', 'B',                     // magic
                0x0A, 0x0B, 0x0C, 0x0D,                 // run id
                0x00, 0x00, 0x00, 0x07,                 // publisher index 7
                0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // sequence
                -1, -1, -1, -1, -1, -1, -1, -2 };       // send time -2 (nanoTime may be negative)
            assertThat(ByteBufUtil.getBytes(buf)).containsExactly(expected);
            assertThat(PayloadHeader.SIZE).isEqualTo(expected.length);
        } finally {
            buf.release();
        }
    }

    @Test
    @DisplayName("fields read back at any index")
    void readBack() {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeZero(5);
            PayloadHeader.write(buf, -1, 123_456, 99L, 1_000_000_007L);
            buf.writeZero(36);
            assertThat(PayloadHeader.isPresent(buf, 5, 64)).isTrue();
            assertThat(PayloadHeader.run(buf, 5)).isEqualTo(-1);
            assertThat(PayloadHeader.publisher(buf, 5)).isEqualTo(123_456);
            assertThat(PayloadHeader.sequence(buf, 5)).isEqualTo(99L);
            assertThat(PayloadHeader.sendTime(buf, 5)).isEqualTo(1_000_000_007L);
        } finally {
            buf.release();
        }
    }

    @Test
    @DisplayName("a payload shorter than the header, or without the magic, is not a bench payload")
    void notBench() {
        ByteBuf buf = Unpooled.buffer();
        try {
            PayloadHeader.write(buf, 1, 2, 3, 4);
            assertThat(PayloadHeader.isPresent(buf, 0, PayloadHeader.SIZE)).isTrue();
            assertThat(PayloadHeader.isPresent(buf, 0, PayloadHeader.SIZE - 1)).isFalse();
            buf.setByte(3, 'X');
            assertThat(PayloadHeader.isPresent(buf, 0, PayloadHeader.SIZE)).isFalse();
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest
    @EnumSource(QoS.class)
    @DisplayName("a patched template is the PUBLISH the codec decodes: topic, QoS, packet id, header, padding")
    void templateDecodes(QoS qos) {
        for (int size : new int[] {PayloadHeader.SIZE, 64, PayloadHeader.SIZE + PublishTemplate.SHARED_PADDING + 100}) {
            try (PublishTemplate template = new PublishTemplate(MqttVersion.V3_1_1, "bench/abc/7", qos, size, 0xCAFE, 7)) {
                ByteBuf wire = Unpooled.buffer();
                template.writeHead(wire, 65_535, 41L, 123_456_789L);
                if (template.padding() != null) {
                    wire.writeBytes(template.padding().duplicate());
                }
                assertThat(wire.readableBytes()).isEqualTo(template.packetSize());
                PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE);
                ByteBuf connAck = new PacketEncoder(MqttVersion.V3_1_1).encode(Unpooled.buffer().alloc(),
                        new ConnAck(false, ReasonCode.SUCCESS));
                assertThat(decoder.decode(connAck)).isInstanceOf(ConnAck.class);
                connAck.release();
                Packet packet = decoder.decode(wire);
                assertThat(packet).isInstanceOf(Publish.class);
                Publish publish = (Publish) packet;
                try {
                    assertThat(publish.topic()).isEqualTo("bench/abc/7");
                    assertThat(publish.qos()).isEqualTo(qos);
                    assertThat(publish.packetId()).isEqualTo(qos == QoS.AT_MOST_ONCE ? 0 : 65_535);
                    ByteBuf payload = publish.payload();
                    assertThat(payload.readableBytes()).isEqualTo(size);
                    int at = payload.readerIndex();
                    assertThat(PayloadHeader.isPresent(payload, at, size)).isTrue();
                    assertThat(PayloadHeader.run(payload, at)).isEqualTo(0xCAFE);
                    assertThat(PayloadHeader.publisher(payload, at)).isEqualTo(7);
                    assertThat(PayloadHeader.sequence(payload, at)).isEqualTo(41L);
                    assertThat(PayloadHeader.sendTime(payload, at)).isEqualTo(123_456_789L);
                    for (int i = PayloadHeader.SIZE; i < size; i++) {
                        assertThat(payload.getByte(at + i)).isZero();
                    }
                } finally {
                    publish.release();
                    wire.release();
                }
            }
        }
    }

    @Test
    @DisplayName("acknowledgements are the bytes the codec encodes")
    void acks() {
        PacketEncoder encoder = new PacketEncoder(MqttVersion.V3_1_1);
        Object[][] cases = {
            {Acks.PUBACK, new PubAck(0x1234)},
            {Acks.PUBREC, new PubRec(0x1234)},
            {Acks.PUBREL, new PubRel(0x1234)},
            {Acks.PUBCOMP, new PubComp(0x1234)}};
        for (Object[] c : cases) {
            ByteBuf ours = Unpooled.buffer();
            ByteBuf codec = Unpooled.buffer();
            try {
                Acks.write(ours, (int) c[0], 0x1234);
                encoder.encode((Packet) c[1], codec);
                assertThat(ByteBufUtil.getBytes(ours)).as(c[1].toString()).containsExactly(ByteBufUtil.getBytes(codec));
            } finally {
                ours.release();
                codec.release();
            }
        }
    }
}
