package io.starling.cli.bench.wire;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.PublishAck;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The bench's hand-written wire in MQTT 5.0: what it writes decodes with the codec's strict
 * server-side decoder as 5.0 packets, what a 5.0 broker sends (PUBLISH with properties) is framed
 * right, and the 3.1.1 bytes are what they were.
 */
@ExtendWith(NettyLeakCheck.class)
class Mqtt5WireTest {
    private static final byte[] HEADER_OF_RUN_0A0B0C0D_PUBLISHER_7_SEQUENCE_5_SENT_AT_9 = {
        'S', 'T', 'L', 'B',                     // magic
        0x0A, 0x0B, 0x0C, 0x0D,                 // run id
        0x00, 0x00, 0x00, 0x07,                 // publisher index 7
        0, 0, 0, 0, 0, 0, 0, 5,                 // sequence 5
        0, 0, 0, 0, 0, 0, 0, 9 };               // send time 9

    private static byte[] written(MqttVersion version, QoS qos) {
        try (PublishTemplate template = new PublishTemplate(version, "b/1", qos, PayloadHeader.SIZE, 0x0A0B0C0D, 7)) {
            ByteBuf out = Unpooled.buffer();
            try {
                template.writeHead(out, 0x1234, 5, 9);
                return ByteBufUtil.getBytes(out);
            } finally {
                out.release();
            }
        }
    }

    private static byte[] concat(byte[] head, byte[] tail) {
        byte[] all = new byte[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Test
    @DisplayName("a 5.0 PUBLISH of the bench is 3.1.1's with a property length of 0 after the packet identifier [MQTT-2.2.2-1]")
    void goldenBytes() {
        assertThat(written(MqttVersion.V5, QoS.AT_LEAST_ONCE)).containsExactly(concat(new byte[] {
            0x32, 0x24,                         // PUBLISH, QoS 1, remaining length 36
            0x00, 0x03, 'b', '/', '1',          // topic "b/1"
            0x12, 0x34,                         // packet identifier 0x1234
            0x00 },                             // property length 0
                HEADER_OF_RUN_0A0B0C0D_PUBLISHER_7_SEQUENCE_5_SENT_AT_9));
        assertThat(written(MqttVersion.V5, QoS.AT_MOST_ONCE)).containsExactly(concat(new byte[] {
            0x30, 0x22,                         // PUBLISH, QoS 0, remaining length 34
            0x00, 0x03, 'b', '/', '1',          // topic "b/1", no packet identifier at QoS 0
            0x00 },                             // property length 0
                HEADER_OF_RUN_0A0B0C0D_PUBLISHER_7_SEQUENCE_5_SENT_AT_9));
        // 3.1.1, unchanged: no property length
        assertThat(written(MqttVersion.V3_1_1, QoS.AT_LEAST_ONCE)).containsExactly(concat(new byte[] {
            0x32, 0x23,                         // PUBLISH, QoS 1, remaining length 35
            0x00, 0x03, 'b', '/', '1',          // topic "b/1"
            0x12, 0x34 },                       // packet identifier 0x1234
                HEADER_OF_RUN_0A0B0C0D_PUBLISHER_7_SEQUENCE_5_SENT_AT_9));
    }

    @ParameterizedTest
    @EnumSource(QoS.class)
    @DisplayName("the codec's strict server-side decoder reads the bench's 5.0 PUBLISHes and acknowledgements as 5.0 packets")
    void serverSideDecoderReadsWhatTheBenchWrites(QoS qos) {
        PacketDecoder server = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        ByteBuf connect = new PacketEncoder(MqttVersion.V5).encode(Unpooled.buffer().alloc(),
                new Connect(MqttVersion.V5, "bench-1-p0", true, 60));
        try {
            assertThat(server.decode(connect)).isInstanceOf(Connect.class);
        } finally {
            connect.release();
        }
        assertThat(server.version()).isEqualTo(MqttVersion.V5);
        for (int size : new int[] {PayloadHeader.SIZE, 64, 200, PayloadHeader.SIZE + PublishTemplate.SHARED_PADDING + 100}) {
            try (PublishTemplate template = new PublishTemplate(MqttVersion.V5, "bench/abc/7", qos, size, 0xCAFE, 7)) {
                ByteBuf wire = Unpooled.buffer();
                Publish publish = null;
                try {
                    template.writeHead(wire, 65_535, 41L, 123_456_789L);
                    if (template.padding() != null) {
                        wire.writeBytes(template.padding().duplicate());
                    }
                    assertThat(wire.readableBytes()).isEqualTo(template.packetSize());
                    publish = (Publish) server.decode(wire);
                    assertThat(wire.isReadable()).as("one whole packet").isFalse();
                    assertThat(publish.topic()).isEqualTo("bench/abc/7");
                    assertThat(publish.qos()).isEqualTo(qos);
                    assertThat(publish.packetId()).isEqualTo(qos == QoS.AT_MOST_ONCE ? 0 : 65_535);
                    assertThat(publish.properties()).isEqualTo(Properties.EMPTY);
                    ByteBuf payload = publish.payload();
                    assertThat(payload.readableBytes()).as("size " + size).isEqualTo(size);
                    assertThat(PayloadHeader.sequence(payload, payload.readerIndex())).isEqualTo(41L);
                    assertThat(PayloadHeader.sendTime(payload, payload.readerIndex())).isEqualTo(123_456_789L);
                } finally {
                    if (publish != null) {
                        publish.release();
                    }
                    wire.release();
                }
            }
        }
        int[] types = {Acks.PUBACK, Acks.PUBREC, Acks.PUBREL, Acks.PUBCOMP};
        Class<?>[] decoded = {PubAck.class, PubRec.class, PubRel.class, PubComp.class};
        for (int i = 0; i < types.length; i++) {
            ByteBuf ack = Unpooled.buffer();
            try {
                Acks.write(ack, types[i], 0x0102);
                Packet packet = server.decode(ack);
                assertThat(packet).isInstanceOf(decoded[i]);
                PublishAck publishAck = (PublishAck) packet;
                assertThat(publishAck.packetId()).isEqualTo(0x0102);
                assertThat(publishAck.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
                assertThat(publishAck.properties()).isEqualTo(Properties.EMPTY);
            } finally {
                ack.release();
            }
        }
    }

    @Test
    @DisplayName("the bench's 4-byte acknowledgements are what the codec writes for a 5.0 Success without properties")
    void acksAreTheCodecs5Encoding() {
        PacketEncoder encoder = new PacketEncoder(MqttVersion.V5);
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

    /** PUBLISH packets a 5.0 broker may send, with and without properties, back to back in one buffer. */
    @ParameterizedTest
    @EnumSource(QoS.class)
    @DisplayName("PublishFrame finds the payload of a 5.0 PUBLISH past its properties, for short and long packets")
    void framesV5Publish(QoS qos) {
        Properties some = Properties.of(
                Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60),
                Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 300),
                Property.user("origin", "bench"));
        Properties large = Properties.of(Property.user("k", "v".repeat(200)));
        PacketEncoder encoder = new PacketEncoder(MqttVersion.V5);
        ByteBuf in = Unpooled.buffer();
        int[] sizes = {PayloadHeader.SIZE, 64, 300};
        Properties[] properties = {Properties.EMPTY, some, large};
        try {
            for (int size : sizes) {
                for (Properties p : properties) {
                    ByteBuf payload = Unpooled.buffer(size);
                    PayloadHeader.write(payload, 1, 2, size, p.all().size());
                    payload.writeZero(size - PayloadHeader.SIZE);
                    Publish publish = new Publish("t/x", qos, false, false, qos == QoS.AT_MOST_ONCE ? 0 : 77, p, payload);
                    try {
                        encoder.encode(publish, in);
                    } finally {
                        publish.release();
                    }
                }
            }
            PublishFrame frame = new PublishFrame(MqttVersion.V5);
            for (int size : sizes) {
                for (Properties p : properties) {
                    assertThat(PublishFrame.isPublish(in)).isTrue();
                    // a part of the packet is not a packet yet
                    ByteBuf part = in.slice(in.readerIndex(), 5);
                    assertThat(frame.read(part)).isFalse();
                    assertThat(frame.read(in)).isTrue();
                    assertThat(frame.malformed()).isNull();
                    assertThat(frame.qos()).isEqualTo(qos.value());
                    assertThat(frame.packetId()).isEqualTo(qos == QoS.AT_MOST_ONCE ? 0 : 77);
                    assertThat(frame.payloadLength()).as(size + " bytes, " + p).isEqualTo(size);
                    assertThat(frame.end() - frame.payloadIndex()).isEqualTo(size);
                    assertThat(PayloadHeader.isPresent(in, frame.payloadIndex(), frame.payloadLength())).isTrue();
                    assertThat(PayloadHeader.sequence(in, frame.payloadIndex())).isEqualTo(size);
                    assertThat(PayloadHeader.sendTime(in, frame.payloadIndex())).isEqualTo(p.all().size());
                    in.readerIndex(frame.end());
                }
            }
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    @DisplayName("PublishFrame for 3.1.1 reads no property length: the byte after the packet identifier is payload")
    void frames311PublishAsBefore() {
        byte[] publish = {
            0x32, 0x0A,                         // PUBLISH, QoS 1, remaining length 10
            0x00, 0x03, 't', '/', 'x',          // topic "t/x"
            0x00, 0x07,                         // packet identifier 7
            0x00, 0x01, 0x02 };                 // payload: 3 bytes, the first of them 0
        ByteBuf in = Unpooled.wrappedBuffer(publish);
        PublishFrame frame = new PublishFrame(MqttVersion.V3_1_1);
        assertThat(frame.read(in)).isTrue();
        assertThat(frame.malformed()).isNull();
        assertThat(frame.packetId()).isEqualTo(7);
        assertThat(frame.payloadIndex()).isEqualTo(9);
        assertThat(frame.payloadLength()).isEqualTo(3);
        assertThat(frame.end()).isEqualTo(12);
    }

    @Test
    @DisplayName("a remaining length of two bytes frames a long PUBLISH; one that is cut short waits, one not minimal is malformed")
    void longRemainingLength() {
        byte[] header = {
            0x30, (byte) 0x83, 0x01,            // PUBLISH, QoS 0, remaining length 131 in two bytes
            0x00, 0x01, 't',                    // topic "t"
            0x00 };                             // property length 0, then 127 bytes of payload
        ByteBuf in = Unpooled.buffer();
        try {
            in.writeBytes(header);
            PublishFrame frame = new PublishFrame(MqttVersion.V5);
            assertThat(frame.read(in.slice(0, 2))).as("the length's second byte has not come").isFalse();
            in.writeZero(126);
            assertThat(frame.read(in)).as("one payload byte short").isFalse();
            in.writeZero(1);
            assertThat(frame.read(in)).isTrue();
            assertThat(frame.malformed()).isNull();
            assertThat(frame.payloadIndex()).isEqualTo(7);
            assertThat(frame.payloadLength()).isEqualTo(127);
            assertThat(frame.end()).isEqualTo(134);
        } finally {
            in.release();
        }
        byte[] notMinimal = {
            0x30, (byte) 0x84, 0x00,            // PUBLISH, QoS 0, remaining length 4 in two bytes [MQTT-1.5.5-1]
            0x00, 0x01, 't', 0x00 };            // topic "t", property length 0
        PublishFrame frame = new PublishFrame(MqttVersion.V3_1_1);
        assertThat(frame.read(Unpooled.wrappedBuffer(notMinimal))).isTrue();
        assertThat(frame.malformed()).isEqualTo("PUBLISH: the remaining length is not a minimal variable byte integer of at most 4 bytes");
    }

    @Test
    @DisplayName("a 5.0 PUBLISH whose properties do not fit, or whose property length is not minimal, is malformed")
    void malformedProperties() {
        byte[] tooLong = {
            0x30, 0x07,                         // PUBLISH, QoS 0, remaining length 7
            0x00, 0x01, 't',                    // topic "t"
            0x05,                               // property length 5: past the end
            0x01, 0x01,                         // payload format indicator 1
            'x' };                              // one byte of payload
        byte[] notMinimal = {
            0x30, 0x06,                         // PUBLISH, QoS 0, remaining length 6
            0x00, 0x01, 't',                    // topic "t"
            (byte) 0x80, 0x00,                  // property length 0 in two bytes [MQTT-1.5.5-1]
            'x' };                              // one byte of payload
        byte[] noRoom = {
            0x32, 0x05,                         // PUBLISH, QoS 1, remaining length 5
            0x00, 0x01, 't',                    // topic "t"
            0x00, 0x01 };                       // packet identifier 1, then no property length
        PublishFrame frame = new PublishFrame(MqttVersion.V5);
        assertThat(frame.read(Unpooled.wrappedBuffer(tooLong))).isTrue();
        assertThat(frame.malformed()).isEqualTo("PUBLISH: the properties run past the end of the packet");
        for (byte[] broken : new byte[][] {notMinimal, noRoom}) {
            assertThat(frame.read(Unpooled.wrappedBuffer(broken))).isTrue();
            assertThat(frame.malformed()).isEqualTo("PUBLISH: the property length is not a minimal variable byte integer"
                    + " of at most 4 bytes within the packet");
        }
    }
}
