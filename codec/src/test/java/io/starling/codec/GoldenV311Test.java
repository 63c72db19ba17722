package io.starling.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.starling.codec.decode.PacketDecodeException;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden vectors for MQTT 3.1.1, one or more for each of the 14 packet types, written by hand
 * from the specification's figures. Every vector is checked both ways: the encoder writes exactly
 * these bytes, and the decoder reads them back as exactly the expected packet.
 */
class GoldenV311Test {
    private static final PacketEncoder ENCODER = new PacketEncoder(MqttVersion.V3_1_1);
    /** Pooled buffers are tracked by the leak detector, which fails a class that leaks one. */
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** The smallest 3.1.1 CONNECT: it opens a server-side decoder before the packet under test. */
    private static final byte[] OPENING_CONNECT = {
        0x10, 0x0C,                         // CONNECT, remaining length 12
        0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
        0x04,                               // protocol level 4
        0x02,                               // connect flags: clean session
        0x00, 0x3C,                         // keep alive 60 s
        0x00, 0x00 };                       // client identifier ""

    /** A CONNACK accepting the connection: it opens a client-side decoder. */
    private static final byte[] OPENING_CONNACK = {
        0x20, 0x02,                         // CONNACK, remaining length 2
        0x00,                               // session present 0
        0x00 };                             // return code 0, accepted

    // ---------------------------------------------------------------- CONNECT

    @Test
    @DisplayName("§3.1.2.10 CONNECT with will QoS 1, user name, password and clean session (flags 0xCE, keep alive 10)")
    void connectWithWillUserPasswordAndCleanSession() {
        byte[] wire = {
            0x10, 0x1F,                         // CONNECT, remaining length 31
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
            0x04,                               // protocol level 4
            (byte) 0xCE,                        // flags: user name, password, will QoS 1, will, clean session
            0x00, 0x0A,                         // keep alive 10 s
            0x00, 0x02, 'c', '1',               // client identifier "c1"
            0x00, 0x03, 'w', '/', 't',          // will topic "w/t"
            0x00, 0x03, 'b', 'y', 'e',          // will message "bye"
            0x00, 0x01, 'u',                    // user name "u"
            0x00, 0x02, 'p', 'w' };             // password "pw"
        Connect connect = new Connect(MqttVersion.V3_1_1, "c1", true, 10, "u", bytes("pw"),
                new Will("w/t", bytes("bye"), QoS.AT_LEAST_ONCE, false), Properties.EMPTY);

        assertEncodes(connect, wire);
        assertThat(decodeAll(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire)).isEqualTo(connect);
    }

    @Test
    @DisplayName("§3.1.2 CONNECT with a retained QoS 2 will, no credentials, clean session 0")
    void connectWithRetainedWill() {
        byte[] wire = {
            0x10, 0x18,                         // CONNECT, remaining length 24
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
            0x04,                               // protocol level 4
            0x34,                               // flags: will retain, will QoS 2, will
            (byte) 0xFF, (byte) 0xFF,           // keep alive 65535 s
            0x00, 0x03, 'd', 'e', 'v',          // client identifier "dev"
            0x00, 0x03, 'd', '/', 'x',          // will topic "d/x"
            0x00, 0x02, 0x00, (byte) 0xFF };    // will message 0x00FF (binary)
        Connect connect = new Connect(MqttVersion.V3_1_1, "dev", false, 65535, null, null,
                new Will("d/x", Bytes.of((byte) 0x00, (byte) 0xFF), QoS.EXACTLY_ONCE, true), Properties.EMPTY);

        assertEncodes(connect, wire);
        assertThat(decodeAll(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire)).isEqualTo(connect);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-7] CONNECT with a zero-byte client identifier has clean session 1")
    void connectWithEmptyClientId() {
        Connect connect = new Connect(MqttVersion.V3_1_1, "", true, 60);

        assertEncodes(connect, OPENING_CONNECT);
        assertThat(decodeAll(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), OPENING_CONNECT)).isEqualTo(connect);
    }

    // ---------------------------------------------------------------- CONNACK

    @Test
    @DisplayName("§3.2.2.2 CONNACK with session present 1 and return code 0")
    void connAckSessionPresent() {
        byte[] wire = {
            0x20, 0x02,                         // CONNACK, remaining length 2
            0x01,                               // connect acknowledge flags: session present
            0x00 };                             // return code 0, connection accepted
        ConnAck connAck = new ConnAck(true, ReasonCode.SUCCESS);

        assertEncodes(connAck, wire);
        assertThat(decodeAll(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire))
                .isEqualTo(connAck);
    }

    @ParameterizedTest(name = "return code {0} is {1}")
    @CsvSource({
        "0, SUCCESS",
        "1, UNSUPPORTED_PROTOCOL_VERSION",
        "2, CLIENT_IDENTIFIER_NOT_VALID",
        "3, SERVER_UNAVAILABLE",
        "4, BAD_USER_NAME_OR_PASSWORD",
        "5, NOT_AUTHORIZED" })
    @DisplayName("§3.2.2.3 table 3.1 CONNACK return codes 0 to 5 with session present 0")
    void connAckReturnCodes(int returnCode, ReasonCode code) {
        byte[] wire = {
            0x20, 0x02,                         // CONNACK, remaining length 2
            0x00,                               // session present 0
            (byte) returnCode };                // return code
        ConnAck connAck = new ConnAck(false, code);

        assertEncodes(connAck, wire);
        assertThat(decodeAll(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire))
                .isEqualTo(connAck);
    }

    @Test
    @DisplayName("§3.2.2.3 CONNACK return code 5, connection refused, not authorized")
    void connAckNotAuthorized() {
        byte[] wire = {
            0x20, 0x02,                         // CONNACK, remaining length 2
            0x00,                               // session present 0
            0x05 };                             // return code 5, not authorized
        ConnAck connAck = new ConnAck(false, ReasonCode.NOT_AUTHORIZED);

        assertEncodes(connAck, wire);
        assertThat(decodeAll(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire))
                .isEqualTo(connAck);
    }

    // ---------------------------------------------------------------- PUBLISH

    @Test
    @DisplayName("[MQTT-2.3.1-5] PUBLISH QoS 0 has no packet identifier")
    void publishQos0() {
        byte[] wire = {
            0x30, 0x07,                         // PUBLISH, DUP 0, QoS 0, RETAIN 0, remaining length 7
            0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
            'h', 'i' };                         // payload "hi"
        assertPublish(new Publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, payload("hi")), wire);
    }

    @Test
    @DisplayName("§3.3.2.3 PUBLISH variable header example: topic a/b, packet identifier 10, QoS 1")
    void publishQos1SpecExample() {
        byte[] wire = {
            0x32, 0x09,                         // PUBLISH, DUP 0, QoS 1, RETAIN 0, remaining length 9
            0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
            0x00, 0x0A,                         // packet identifier 10
            'h', 'i' };                         // payload "hi"
        assertPublish(new Publish("a/b", QoS.AT_LEAST_ONCE, false, false, 10, payload("hi")), wire);
    }

    @Test
    @DisplayName("§3.3.1 PUBLISH QoS 2 with DUP and RETAIN set (flags 1101)")
    void publishQos2DupRetain() {
        byte[] wire = {
            0x3D, 0x0C,                         // PUBLISH, DUP 1, QoS 2, RETAIN 1, remaining length 12
            0x00, 0x05, 'a', '/', 'b', '/', 'c',// topic name "a/b/c"
            (byte) 0xFF, (byte) 0xFE,           // packet identifier 65534
            0x00, 0x01, 0x02 };                 // payload 00 01 02
        assertPublish(new Publish("a/b/c", QoS.EXACTLY_ONCE, true, true, 65534,
                pooled(new byte[] {0x00, 0x01, 0x02})), wire);
    }

    @Test
    @DisplayName("§3.3.3 PUBLISH with a zero-length payload and RETAIN (clears a retained message)")
    void publishEmptyRetained() {
        byte[] wire = {
            0x31, 0x05,                         // PUBLISH, DUP 0, QoS 0, RETAIN 1, remaining length 5
            0x00, 0x03, 'a', '/', 'b' };        // topic name "a/b", no payload
        assertPublish(new Publish("a/b", QoS.AT_MOST_ONCE, false, true, 0, Unpooled.EMPTY_BUFFER), wire);
    }

    @Test
    @DisplayName("§2.2.3 table 2.4 remaining length 128 is the two bytes 0x80 0x01")
    void publishWithTwoByteRemainingLength() {
        byte[] header = {
            0x30, (byte) 0x80, 0x01,            // PUBLISH QoS 0, remaining length 128
            0x00, 0x03, 'a', '/', 'b' };        // topic name "a/b", then 123 payload bytes
        byte[] body = new byte[123];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) i;
        }
        byte[] wire = concat(header, body);
        assertPublish(new Publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, pooled(body)), wire);
    }

    @ParameterizedTest(name = "remaining length {0}")
    @CsvSource({
        "127,   '7F'",
        "16383, 'FF 7F'",
        "16384, '80 80 01'" })
    @DisplayName("§2.2.3 table 2.4 remaining length at the one-, two- and three-byte boundaries")
    void publishAtRemainingLengthBoundaries(int remainingLength, String encodedLength) {
        byte[] header = concat(
                new byte[] {0x30},                                      // PUBLISH QoS 0
                ByteBufUtil.decodeHexDump(encodedLength.replace(" ", "")), // remaining length
                new byte[] {0x00, 0x03, 'a', '/', 'b'});                // topic name "a/b", then the payload
        byte[] body = new byte[remainingLength - 5];
        Arrays.fill(body, (byte) 0x55);
        assertPublish(new Publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, pooled(body)),
                concat(header, body));
    }

    @Test
    @DisplayName("§1.5.3.1 UTF-8 string example: \"A\" then U+2A6D4 is 0x41 0xF0 0xAA 0x9B 0x94")
    void publishTopicWithSupplementaryCharacter() {
        byte[] wire = {
            0x30, 0x09,                         // PUBLISH QoS 0, remaining length 9
            0x00, 0x05,                         // topic name length 5
            0x41,                               // 'A'
            (byte) 0xF0, (byte) 0xAA, (byte) 0x9B, (byte) 0x94, // U+2A6D4
            'h', 'i' };                         // payload "hi"
        assertPublish(new Publish("A\uD869\uDED4", QoS.AT_MOST_ONCE, false, false, 0, payload("hi")), wire);
    }

    @Test
    @DisplayName("[MQTT-1.5.3-3] a leading 0xEF 0xBB 0xBF is U+FEFF and is not stripped")
    void publishTopicWithByteOrderMark() {
        byte[] wire = {
            0x30, 0x06,                         // PUBLISH QoS 0, remaining length 6
            0x00, 0x04,                         // topic name length 4
            (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, // U+FEFF zero width no-break space
            'a' };                              // 'a', no payload
        assertPublish(new Publish("\uFEFFa", QoS.AT_MOST_ONCE, false, false, 0, Unpooled.EMPTY_BUFFER), wire);
    }

    // ---------------------------------------------------- QoS 1 and 2 acknowledgements

    @Test
    @DisplayName("§3.4 PUBACK: fixed header 0x40, remaining length 2, packet identifier")
    void pubAck() {
        byte[] wire = {
            0x40, 0x02,                         // PUBACK, remaining length 2
            0x00, 0x0A };                       // packet identifier 10
        assertBothWays(new PubAck(10), wire, Side.CLIENT_SENDS);
        assertBothWays(new PubAck(10), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.5 PUBREC: fixed header 0x50, remaining length 2, packet identifier")
    void pubRec() {
        byte[] wire = {
            0x50, 0x02,                         // PUBREC, remaining length 2
            0x01, 0x02 };                       // packet identifier 258
        assertBothWays(new PubRec(258), wire, Side.CLIENT_SENDS);
        assertBothWays(new PubRec(258), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("[MQTT-3.6.1-1] PUBREL: fixed header flags 0010 (0x62), packet identifier")
    void pubRel() {
        byte[] wire = {
            0x62, 0x02,                         // PUBREL, reserved flags 0010, remaining length 2
            0x00, 0x0A };                       // packet identifier 10
        assertBothWays(new PubRel(10), wire, Side.CLIENT_SENDS);
        assertBothWays(new PubRel(10), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.7 PUBCOMP: fixed header 0x70, remaining length 2, packet identifier")
    void pubComp() {
        byte[] wire = {
            0x70, 0x02,                         // PUBCOMP, remaining length 2
            (byte) 0xFF, (byte) 0xFF };         // packet identifier 65535
        assertBothWays(new PubComp(65535), wire, Side.CLIENT_SENDS);
        assertBothWays(new PubComp(65535), wire, Side.SERVER_SENDS);
    }

    // ---------------------------------------------------------------- SUBSCRIBE

    @Test
    @DisplayName("§3.8.3 figure 3.23 SUBSCRIBE example: packet identifier 10, a/b QoS 1, c/d QoS 2")
    void subscribeSpecExample() {
        byte[] wire = {
            (byte) 0x82, 0x0E,                  // SUBSCRIBE, reserved flags 0010, remaining length 14
            0x00, 0x0A,                         // packet identifier 10
            0x00, 0x03, 'a', '/', 'b',          // topic filter "a/b"
            0x01,                               // requested QoS 1
            0x00, 0x03, 'c', '/', 'd',          // topic filter "c/d"
            0x02 };                             // requested QoS 2
        Subscribe subscribe = new Subscribe(10, List.of(
                new Subscription("a/b", QoS.AT_LEAST_ONCE),
                new Subscription("c/d", QoS.EXACTLY_ONCE)));
        assertBothWays(subscribe, wire, Side.CLIENT_SENDS);
    }

    @Test
    @DisplayName("[MQTT-3.8.1-1] SUBSCRIBE with four filters, wildcards and every QoS")
    void subscribeFourFilters() {
        byte[] wire = {
            (byte) 0x82, 0x17,                  // SUBSCRIBE, reserved flags 0010, remaining length 23
            0x12, 0x34,                         // packet identifier 0x1234
            0x00, 0x03, '+', '/', 'b',          // topic filter "+/b"
            0x00,                               // requested QoS 0
            0x00, 0x03, 'a', '/', '#',          // topic filter "a/#"
            0x01,                               // requested QoS 1
            0x00, 0x01, '#',                    // topic filter "#"
            0x02,                               // requested QoS 2
            0x00, 0x02, 'x', 'y',               // topic filter "xy"
            0x00 };                             // requested QoS 0
        Subscribe subscribe = new Subscribe(0x1234, List.of(
                new Subscription("+/b", QoS.AT_MOST_ONCE),
                new Subscription("a/#", QoS.AT_LEAST_ONCE),
                new Subscription("#", QoS.EXACTLY_ONCE),
                new Subscription("xy", QoS.AT_MOST_ONCE)));
        assertBothWays(subscribe, wire, Side.CLIENT_SENDS);
    }

    // ---------------------------------------------------------------- SUBACK

    @Test
    @DisplayName("§3.9.3 SUBACK payload example: return codes 0x00 0x01 0x02 0x80")
    void subAckSpecExample() {
        byte[] wire = {
            (byte) 0x90, 0x06,                  // SUBACK, remaining length 6
            0x00, 0x0A,                         // packet identifier 10
            0x00,                               // success, maximum QoS 0
            0x01,                               // success, maximum QoS 1
            0x02,                               // success, maximum QoS 2
            (byte) 0x80 };                      // failure
        SubAck subAck = new SubAck(10, List.of(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1,
                ReasonCode.GRANTED_QOS_2, ReasonCode.UNSPECIFIED_ERROR));
        assertBothWays(subAck, wire, Side.SERVER_SENDS);
    }

    // ---------------------------------------------------------------- UNSUBSCRIBE

    @Test
    @DisplayName("§3.10.3.1 UNSUBSCRIBE example: packet identifier 10, topic filters a/b and c/d")
    void unsubscribeSpecExample() {
        byte[] wire = {
            (byte) 0xA2, 0x0C,                  // UNSUBSCRIBE, reserved flags 0010, remaining length 12
            0x00, 0x0A,                         // packet identifier 10
            0x00, 0x03, 'a', '/', 'b',          // topic filter "a/b"
            0x00, 0x03, 'c', '/', 'd' };        // topic filter "c/d"
        assertBothWays(new Unsubscribe(10, List.of("a/b", "c/d")), wire, Side.CLIENT_SENDS);
    }

    // ---------------------------------------------------------------- UNSUBACK

    @Test
    @DisplayName("§3.11 UNSUBACK: remaining length 2, packet identifier, no payload")
    void unsubAck() {
        byte[] wire = {
            (byte) 0xB0, 0x02,                  // UNSUBACK, remaining length 2
            0x00, 0x0A };                       // packet identifier 10
        assertBothWays(new UnsubAck(10), wire, Side.SERVER_SENDS);
    }

    // ---------------------------------------------------------------- PING, DISCONNECT

    @Test
    @DisplayName("§3.12 PINGREQ is the two bytes 0xC0 0x00")
    void pingReq() {
        byte[] wire = {
            (byte) 0xC0, 0x00 };                // PINGREQ, remaining length 0
        assertBothWays(PingReq.INSTANCE, wire, Side.CLIENT_SENDS);
    }

    @Test
    @DisplayName("§3.13 PINGRESP is the two bytes 0xD0 0x00")
    void pingResp() {
        byte[] wire = {
            (byte) 0xD0, 0x00 };                // PINGRESP, remaining length 0
        assertBothWays(PingResp.INSTANCE, wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.14 DISCONNECT is the two bytes 0xE0 0x00")
    void disconnect() {
        byte[] wire = {
            (byte) 0xE0, 0x00 };                // DISCONNECT, remaining length 0
        assertBothWays(Disconnect.NORMAL, wire, Side.CLIENT_SENDS);
    }

    // ---------------------------------------------------------------- one stream

    @Test
    @DisplayName("§2.2.3 a decoder reads back-to-back packets one frame at a time")
    void decodesBackToBackPackets() {
        byte[] stream = concat(
                OPENING_CONNECT,
                new byte[] {
                    0x32, 0x09,                 // PUBLISH QoS 1, remaining length 9
                    0x00, 0x03, 'a', '/', 'b',  // topic name "a/b"
                    0x00, 0x0A,                 // packet identifier 10
                    'h', 'i' },                 // payload "hi"
                new byte[] {
                    (byte) 0xC0, 0x00 },        // PINGREQ
                new byte[] {
                    (byte) 0xE0, 0x00 });       // DISCONNECT
        PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        ByteBuf in = pooled(stream);
        Publish expected = new Publish("a/b", QoS.AT_LEAST_ONCE, false, false, 10, payload("hi"));
        Packet publish = null;
        try {
            assertThat(decoder.decode(in)).isEqualTo(new Connect(MqttVersion.V3_1_1, "", true, 60));
            publish = decoder.decode(in);
            assertThat(publish).isEqualTo(expected);
            assertThat(decoder.decode(in)).isEqualTo(PingReq.INSTANCE);
            assertThat(decoder.decode(in)).isEqualTo(Disconnect.NORMAL);
            assertThat(in.readableBytes()).isZero();
            assertThat(decoder.decode(in)).isNull();
        } finally {
            ReferenceCountUtil.release(publish);
            expected.release();
            in.release();
        }
    }

    @Test
    @DisplayName("[MQTT-2.2.2-2] 3.1.1 rejects PUBREL with flags 0000 instead of 0010")
    void rejectsPubRelWithWrongFlags() {
        byte[] wire = {
            0x60, 0x02,                         // PUBREL with flags 0000, remaining length 2
            0x00, 0x0A };                       // packet identifier 10
        PacketDecoder decoder = opened(Side.CLIENT_SENDS);
        ByteBuf in = pooled(wire);
        try {
            assertThatThrownBy(() -> decoder.decode(in))
                    .isInstanceOfSatisfying(PacketDecodeException.class,
                            e -> assertThat(e.reasonCode()).isEqualTo(ReasonCode.MALFORMED_PACKET));
        } finally {
            in.release();
        }
    }

    @Test
    @DisplayName("[§2.2.1] in 3.1.1 only a client sends DISCONNECT: a client refuses one from its server")
    void disconnectFromServerIsAProtocolError() {
        PacketDecoder decoder = opened(Side.SERVER_SENDS);
        ByteBuf in = pooled(new byte[] {
            (byte) 0xE0, 0x00 });               // DISCONNECT, remaining length 0
        try {
            assertThatThrownBy(() -> decoder.decode(in))
                    .isInstanceOfSatisfying(PacketDecodeException.class, e -> {
                        assertThat(e.reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
                        assertThat(e.rule()).isEqualTo("§2.2.1");
                    });
        } finally {
            in.release();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Which end sends the packet under test, so which decoder must read it. */
    private enum Side { CLIENT_SENDS, SERVER_SENDS }

    private static void assertBothWays(Packet packet, byte[] wire, Side side) {
        assertEncodes(packet, wire);
        Packet decoded = decodeAll(opened(side), wire);
        try {
            assertThat(decoded).isEqualTo(packet);
        } finally {
            ReferenceCountUtil.release(decoded);
        }
        if (decoded instanceof Publish p) {
            assertThat(p.refCnt()).as("input memory freed once the decoded PUBLISH is released").isZero();
        }
    }

    /** A PUBLISH goes both ways; it is read on both sides, and every buffer is released. */
    private static void assertPublish(Publish publish, byte[] wire) {
        try {
            assertEncodes(publish, wire);
            assertBothWays(publish, wire, Side.CLIENT_SENDS);
            assertBothWays(publish, wire, Side.SERVER_SENDS);
        } finally {
            publish.release();
        }
    }

    /** Both encode methods write exactly {@code wire}, and encodedSize is its length. */
    private static void assertEncodes(Packet packet, byte[] wire) {
        assertThat(ENCODER.encodedSize(packet)).as("encodedSize").isEqualTo(wire.length);
        ByteBuf out = ALLOC.buffer();
        try {
            out.writeByte(0x5A); // encode(packet, out) writes at the writer index, after what is there
            ENCODER.encode(packet, out);
            assertThat(out.readByte()).isEqualTo((byte) 0x5A);
            assertThat(ByteBufUtil.getBytes(out)).as("encode(packet, out)").inHexadecimal().containsExactly(wire);
        } finally {
            out.release();
        }
        ByteBuf allocated = ENCODER.encode(ALLOC, packet);
        try {
            assertThat(ByteBufUtil.getBytes(allocated)).as("encode(alloc, packet)").inHexadecimal().containsExactly(wire);
        } finally {
            allocated.release();
        }
    }

    /** A decoder past the handshake, reading what {@code side} sends. */
    private static PacketDecoder opened(Side side) {
        if (side == Side.CLIENT_SENDS) {
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            assertThat(decodeAll(decoder, OPENING_CONNECT)).isEqualTo(new Connect(MqttVersion.V3_1_1, "", true, 60));
            return decoder;
        }
        PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeAll(decoder, OPENING_CONNACK)).isEqualTo(new ConnAck(false, ReasonCode.SUCCESS));
        return decoder;
    }

    /**
     * Decodes {@code wire} as one packet: every shorter prefix yields null and consumes nothing,
     * the whole consumes exactly all bytes. A decoded PUBLISH is the caller's to release.
     */
    private static Packet decodeAll(PacketDecoder decoder, byte[] wire) {
        ByteBuf in = pooled(wire);
        try {
            for (int n = 0; n < wire.length; n++) {
                ByteBuf prefix = in.slice(0, n);
                assertThat(decoder.decode(prefix)).as("decoded from %d of %d bytes", n, wire.length).isNull();
                assertThat(prefix.readerIndex()).isZero();
            }
            Packet packet = decoder.decode(in);
            assertThat(in.readableBytes()).as("bytes left after the packet").isZero();
            assertThat(packet).isNotNull();
            return packet;
        } finally {
            in.release();
        }
    }

    private static Bytes bytes(String ascii) {
        return Bytes.of(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuf payload(String ascii) {
        return pooled(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    /** A pooled copy of {@code bytes}, so that an unreleased buffer shows up as a leak. */
    private static ByteBuf pooled(byte[] bytes) {
        return ALLOC.directBuffer(bytes.length).writeBytes(bytes);
    }
}
