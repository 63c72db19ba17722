package io.starling.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden vectors for MQTT 3.1 (IBM/Eurotech V3.1 protocol specification): protocol name
 * {@code MQIsdp}, level 3, no session-present flag, and DUP allowed on the packets that 3.1.1
 * gave fixed flags (PUBREL, SUBSCRIBE and UNSUBSCRIBE were "QoS 1" messages in 3.1).
 */
class GoldenV31Test {
    private static final PacketEncoder ENCODER = new PacketEncoder(MqttVersion.V3_1);
    /** Pooled buffers are tracked by the leak detector, which fails a class that leaks one. */
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** A 3.1 CONNECT that opens a server-side decoder before the packet under test. */
    private static final byte[] OPENING_CONNECT = {
        0x10, 0x11,                                 // CONNECT, remaining length 17
        0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
        0x03,                                       // protocol version 3
        0x02,                                       // connect flags: clean session
        0x00, 0x3C,                                 // keep alive 60 s
        0x00, 0x03, 'c', 'i', 'd' };                // client identifier "cid"

    private static final Connect OPENING = new Connect(MqttVersion.V3_1, "cid", true, 60);

    /** A 3.1 CONNACK that opens a client-side decoder. */
    private static final byte[] OPENING_CONNACK = {
        0x20, 0x02,                                 // CONNACK, remaining length 2
        0x00,                                       // reserved (topic name compression response)
        0x00 };                                     // return code 0, accepted

    @Test
    @DisplayName("3.1 §3.1 CONNECT: protocol name MQIsdp, version 3, user name, password, clean session")
    void connectWithCredentials() {
        byte[] wire = {
            0x10, 0x17,                                 // CONNECT, remaining length 23
            0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
            0x03,                                       // protocol version 3
            (byte) 0xC2,                                // flags: user name, password, clean session
            0x00, 0x3C,                                 // keep alive 60 s
            0x00, 0x02, 'c', '1',                       // client identifier "c1"
            0x00, 0x01, 'u',                            // user name "u"
            0x00, 0x02, 'p', 'w' };                     // password "pw"
        Connect connect = new Connect(MqttVersion.V3_1, "c1", true, 60, "u", bytes("pw"), null, Properties.EMPTY);

        assertEncodes(connect, wire);
        assertThat(decodeAll(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire)).isEqualTo(connect);
    }

    @Test
    @DisplayName("3.1 §3.1 CONNECT with a retained QoS 1 will")
    void connectWithWill() {
        byte[] wire = {
            0x10, 0x1A,                                 // CONNECT, remaining length 26
            0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
            0x03,                                       // protocol version 3
            0x2E,                                       // flags: will retain, will QoS 1, will, clean session
            0x00, 0x0A,                                 // keep alive 10 s
            0x00, 0x02, 'c', '1',                       // client identifier "c1"
            0x00, 0x03, 'w', '/', 't',                  // will topic "w/t"
            0x00, 0x03, 'b', 'y', 'e' };                // will message "bye"
        Connect connect = new Connect(MqttVersion.V3_1, "c1", true, 10, null, null,
                new Will("w/t", bytes("bye"), QoS.AT_LEAST_ONCE, true), Properties.EMPTY);

        assertEncodes(connect, wire);
        PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeAll(decoder, wire)).isEqualTo(connect);
        assertThat(decoder.version()).isEqualTo(MqttVersion.V3_1);
    }

    @Test
    @DisplayName("3.1 §3.2 CONNACK accepted: the first byte is reserved and 0")
    void connAckAccepted() {
        assertBothWays(new ConnAck(false, ReasonCode.SUCCESS), OPENING_CONNACK, Side.SERVER_SENDS_FIRST);
    }

    @Test
    @DisplayName("3.1 §3.2 CONNACK has no session present flag: the encoder writes the reserved byte as 0")
    void connAckDropsSessionPresent() {
        assertEncodes(new ConnAck(true, ReasonCode.SUCCESS), OPENING_CONNACK);
    }

    @Test
    @DisplayName("3.1 §3.2 CONNACK return code 2, identifier rejected")
    void connAckIdentifierRejected() {
        byte[] wire = {
            0x20, 0x02,                                 // CONNACK, remaining length 2
            0x00,                                       // reserved
            0x02 };                                     // return code 2, identifier rejected
        assertBothWays(new ConnAck(false, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID), wire, Side.SERVER_SENDS_FIRST);
    }

    @Test
    @DisplayName("3.1 §3.3 PUBLISH QoS 1 with message ID 10")
    void publishQos1() {
        byte[] wire = {
            0x32, 0x09,                                 // PUBLISH, QoS 1, remaining length 9
            0x00, 0x03, 'a', '/', 'b',                  // topic name "a/b"
            0x00, 0x0A,                                 // message ID 10
            'h', 'i' };                                 // payload "hi"
        Publish publish = new Publish("a/b", QoS.AT_LEAST_ONCE, false, false, 10,
                pooled("hi".getBytes(StandardCharsets.US_ASCII)));
        try {
            assertBothWays(publish, wire, Side.CLIENT_SENDS);
            assertBothWays(publish, wire, Side.SERVER_SENDS);
        } finally {
            publish.release();
        }
    }

    @Test
    @DisplayName("3.1 §3.4-3.7 PUBACK, PUBREC, PUBREL (QoS 1 header 0x62) and PUBCOMP")
    void publishAcknowledgements() {
        assertBothWays(new PubAck(10), new byte[] {
            0x40, 0x02,                                 // PUBACK, remaining length 2
            0x00, 0x0A }, Side.CLIENT_SENDS);           // message ID 10
        assertBothWays(new PubRec(10), new byte[] {
            0x50, 0x02,                                 // PUBREC, remaining length 2
            0x00, 0x0A }, Side.SERVER_SENDS);           // message ID 10
        assertBothWays(new PubRel(10), new byte[] {
            0x62, 0x02,                                 // PUBREL, QoS 1, remaining length 2
            0x00, 0x0A }, Side.CLIENT_SENDS);           // message ID 10
        assertBothWays(new PubComp(10), new byte[] {
            0x70, 0x02,                                 // PUBCOMP, remaining length 2
            0x00, 0x0A }, Side.SERVER_SENDS);           // message ID 10
    }

    @Test
    @DisplayName("3.1 §3.8 SUBSCRIBE (QoS 1 header 0x82) and §3.9 SUBACK with granted QoS")
    void subscribeAndSubAck() {
        assertBothWays(new Subscribe(10, List.of(
                new Subscription("a/b", QoS.AT_LEAST_ONCE),
                new Subscription("c/d", QoS.EXACTLY_ONCE))), new byte[] {
            (byte) 0x82, 0x0E,                          // SUBSCRIBE, QoS 1, remaining length 14
            0x00, 0x0A,                                 // message ID 10
            0x00, 0x03, 'a', '/', 'b',                  // topic name "a/b"
            0x01,                                       // requested QoS 1
            0x00, 0x03, 'c', '/', 'd',                  // topic name "c/d"
            0x02 }, Side.CLIENT_SENDS);                 // requested QoS 2
        assertBothWays(new SubAck(10, List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_2)), new byte[] {
            (byte) 0x90, 0x04,                          // SUBACK, remaining length 4
            0x00, 0x0A,                                 // message ID 10
            0x01,                                       // granted QoS 1
            0x02 }, Side.SERVER_SENDS);                 // granted QoS 2
    }

    @Test
    @DisplayName("3.1 §3.10 UNSUBSCRIBE (QoS 1 header 0xA2) and §3.11 UNSUBACK")
    void unsubscribeAndUnsubAck() {
        assertBothWays(new Unsubscribe(10, List.of("a/b", "c/d")), new byte[] {
            (byte) 0xA2, 0x0C,                          // UNSUBSCRIBE, QoS 1, remaining length 12
            0x00, 0x0A,                                 // message ID 10
            0x00, 0x03, 'a', '/', 'b',                  // topic name "a/b"
            0x00, 0x03, 'c', '/', 'd' }, Side.CLIENT_SENDS); // topic name "c/d"
        assertBothWays(new UnsubAck(10), new byte[] {
            (byte) 0xB0, 0x02,                          // UNSUBACK, remaining length 2
            0x00, 0x0A }, Side.SERVER_SENDS);           // message ID 10
    }

    @Test
    @DisplayName("3.1 §3.12-3.14 PINGREQ, PINGRESP and DISCONNECT are two bytes each")
    void pingAndDisconnect() {
        assertBothWays(PingReq.INSTANCE, new byte[] {
            (byte) 0xC0, 0x00 }, Side.CLIENT_SENDS);    // PINGREQ, remaining length 0
        assertBothWays(PingResp.INSTANCE, new byte[] {
            (byte) 0xD0, 0x00 }, Side.SERVER_SENDS);    // PINGRESP, remaining length 0
        assertBothWays(Disconnect.NORMAL, new byte[] {
            (byte) 0xE0, 0x00 }, Side.CLIENT_SENDS);    // DISCONNECT, remaining length 0
    }

    // ------------------------------------------------- DUP on PUBREL, SUBSCRIBE, UNSUBSCRIBE

    static Stream<Arguments> resentWithDup() {
        return Stream.of(
                Arguments.of("PUBREL", new byte[] {
                    0x6A, 0x02,                         // PUBREL, DUP 1, QoS 1, remaining length 2
                    0x00, 0x0A },                       // message ID 10
                    new PubRel(10)),
                Arguments.of("SUBSCRIBE", new byte[] {
                    (byte) 0x8A, 0x08,                  // SUBSCRIBE, DUP 1, QoS 1, remaining length 8
                    0x00, 0x0A,                         // message ID 10
                    0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
                    0x01 },                             // requested QoS 1
                    new Subscribe(10, List.of(new Subscription("a/b", QoS.AT_LEAST_ONCE)))),
                Arguments.of("UNSUBSCRIBE", new byte[] {
                    (byte) 0xAA, 0x07,                  // UNSUBSCRIBE, DUP 1, QoS 1, remaining length 7
                    0x00, 0x0A,                         // message ID 10
                    0x00, 0x03, 'a', '/', 'b' },        // topic name "a/b"
                    new Unsubscribe(10, List.of("a/b"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resentWithDup")
    @DisplayName("3.1 §2.1 a resent PUBREL, SUBSCRIBE or UNSUBSCRIBE may carry DUP (flags 1010)")
    void v31AcceptsDup(String name, byte[] wire, Packet expected) {
        assertThat(decodeAll(opened(MqttVersion.V3_1, Side.CLIENT_SENDS), wire)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resentWithDup")
    @DisplayName("[MQTT-2.2.2-2] 3.1.1 rejects a PUBREL, SUBSCRIBE or UNSUBSCRIBE with flags 1010")
    void v311RejectsDup(String name, byte[] wire, Packet expected) {
        assertRejected(opened(MqttVersion.V3_1_1, Side.CLIENT_SENDS), wire);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("resentWithDup")
    @DisplayName("[MQTT-2.1.3-1] 5.0 rejects a PUBREL, SUBSCRIBE or UNSUBSCRIBE with flags 1010")
    void v5RejectsDup(String name, byte[] wire, Packet expected) {
        assertRejected(opened(MqttVersion.V5, Side.CLIENT_SENDS), wire);
    }

    @Test
    @DisplayName("3.1 §3.6 a server's resent PUBREL with DUP decodes on the client side too")
    void v31ClientAcceptsPubRelWithDup() {
        byte[] wire = {
            0x6A, 0x02,                                 // PUBREL, DUP 1, QoS 1, remaining length 2
            0x00, 0x0A };                               // message ID 10
        assertThat(decodeAll(opened(MqttVersion.V3_1, Side.SERVER_SENDS), wire)).isEqualTo(new PubRel(10));
    }

    // ---------------------------------------------------------------- helpers

    /** Which end sends the packet under test, so which decoder must read it. */
    private enum Side { CLIENT_SENDS, SERVER_SENDS, SERVER_SENDS_FIRST }

    private static void assertRejected(PacketDecoder decoder, byte[] wire) {
        ByteBuf in = pooled(wire);
        try {
            assertThatThrownBy(() -> decoder.decode(in))
                    .isInstanceOfSatisfying(PacketDecodeException.class,
                            e -> assertThat(e.reasonCode()).isEqualTo(ReasonCode.MALFORMED_PACKET));
        } finally {
            in.release();
        }
    }

    private static void assertBothWays(Packet packet, byte[] wire, Side side) {
        assertEncodes(packet, wire);
        PacketDecoder decoder = side == Side.SERVER_SENDS_FIRST
                ? PacketDecoder.forClient(MqttVersion.V3_1, PacketDecoder.MAX_PACKET_SIZE)
                : opened(MqttVersion.V3_1, side);
        Packet decoded = decodeAll(decoder, wire);
        try {
            assertThat(decoded).isEqualTo(packet);
        } finally {
            ReferenceCountUtil.release(decoded);
        }
    }

    private static void assertEncodes(Packet packet, byte[] wire) {
        assertThat(ENCODER.encodedSize(packet)).as("encodedSize").isEqualTo(wire.length);
        ByteBuf out = ALLOC.buffer();
        try {
            ENCODER.encode(packet, out);
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

    /** A decoder of {@code version} past the handshake, reading what {@code side} sends. */
    private static PacketDecoder opened(MqttVersion version, Side side) {
        if (side == Side.CLIENT_SENDS) {
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            byte[] connect = switch (version) {
                case V3_1 -> OPENING_CONNECT;
                case V3_1_1 -> new byte[] {
                    0x10, 0x0C,                         // CONNECT, remaining length 12
                    0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
                    0x04,                               // protocol level 4
                    0x02,                               // connect flags: clean session
                    0x00, 0x3C,                         // keep alive 60 s
                    0x00, 0x00 };                       // client identifier ""
                case V5 -> new byte[] {
                    0x10, 0x0D,                         // CONNECT, remaining length 13
                    0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
                    0x05,                               // protocol version 5
                    0x02,                               // connect flags: clean start
                    0x00, 0x3C,                         // keep alive 60 s
                    0x00,                               // property length 0
                    0x00, 0x00 };                       // client identifier ""
            };
            assertThat(decodeAll(decoder, connect)).isInstanceOf(Connect.class);
            assertThat(decoder.version()).isEqualTo(version);
            return decoder;
        }
        PacketDecoder decoder = PacketDecoder.forClient(version, PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeAll(decoder, OPENING_CONNACK)).isEqualTo(new ConnAck(false, ReasonCode.SUCCESS));
        return decoder;
    }

    /** Decodes {@code wire} as one packet: every shorter prefix yields null, the whole consumes all. */
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

    /** A pooled copy of {@code bytes}, so that an unreleased buffer shows up as a leak. */
    private static ByteBuf pooled(byte[] bytes) {
        return ALLOC.directBuffer(bytes.length).writeBytes(bytes);
    }
}
