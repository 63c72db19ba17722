package io.starling.codec.decode;

import static io.starling.codec.decode.Decoding.assertRejected;
import static io.starling.codec.decode.Decoding.decodeBytes;
import static io.starling.codec.decode.Decoding.decodeOne;
import static io.starling.codec.decode.Decoding.pooled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed and protocol-violating input for MQTT 3.1.1 (and 3.1 where it differs), one test per
 * rule. Each test feeds the bytes to the decoder of the side that receives them and checks the
 * exception, the reason code to answer with and the statement (or section) that was broken.
 * Statement numbers are those of MQTT 3.1.1 (OASIS Standard, 29 October 2014).
 */
class MalformedV311Test {
    /** The smallest 3.1.1 CONNECT: it opens a server-side decoder before the packet under test. */
    private static final byte[] OPENING_CONNECT = {
        0x10, 0x0C,                         // CONNECT, remaining length 12
        0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
        0x04,                               // protocol level 4
        0x02,                               // connect flags: clean session
        0x00, 0x3C,                         // keep alive 60 s
        0x00, 0x00 };                       // client identifier ""

    /** A 3.1 CONNECT: it opens a server-side decoder for MQTT 3.1. */
    private static final byte[] OPENING_CONNECT_V31 = {
        0x10, 0x0F,                                 // CONNECT, remaining length 15
        0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
        0x03,                                       // protocol level 3
        0x02,                                       // connect flags: clean session
        0x00, 0x3C,                                 // keep alive 60 s
        0x00, 0x01, 'c' };                          // client identifier "c"

    /** A CONNACK accepting the connection: it opens a client-side decoder. */
    private static final byte[] OPENING_CONNACK = {
        0x20, 0x02,                         // CONNACK, remaining length 2
        0x00,                               // session present 0
        0x00 };                             // return code 0, accepted

    // ---------------------------------------------------------------- fixed header

    @Nested
    @DisplayName("fixed header")
    class FixedHeader {
        @ParameterizedTest(name = "packet type {0}")
        @ValueSource(ints = {0, 15})
        @DisplayName("[§2.2.1] packet types 0 and 15 are reserved (forbidden) in 3.1.1")
        void reservedPacketTypes(int type) {
            byte[] wire = {
                (byte) (type << 4), 0x00 };     // reserved type, flags 0000, remaining length 0
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§2.2.1");
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "§2.2.1");
        }

        @Test
        @DisplayName("[§2.2.1] packet type 0 is refused even as the first packet")
        void reservedTypeZeroFirst() {
            byte[] wire = {
                0x00, 0x00 };                   // reserved type 0, flags 0000, remaining length 0
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "§2.2.1");
        }

        static Stream<Arguments> wrongFlags() {
            return Arrays.stream(PacketType.values())
                    .filter(t -> t != PacketType.PUBLISH && t != PacketType.AUTH)
                    .flatMap(t -> IntStream.range(0, 16)
                            .filter(flags -> flags != t.fixedFlags())
                            .mapToObj(flags -> Arguments.of(t, flags)));
        }

        @ParameterizedTest(name = "{0} with flags {1}")
        @MethodSource("wrongFlags")
        @DisplayName("[MQTT-2.2.2-1] [MQTT-2.2.2-2] a non-PUBLISH packet with flags other than those listed is malformed")
        void reservedFlags(PacketType type, int flags) {
            byte[] wire = {
                (byte) (type.value() << 4 | flags), // packet type, wrong flags
                0x00 };                              // remaining length 0: the header alone is refused
            assertRejected(receiverOf(type), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2");
        }

        @Test
        @DisplayName("[MQTT-3.3.1-4] a PUBLISH with both QoS bits set is malformed")
        void publishQos3() {
            byte[] wire = {
                0x36, 0x03,                     // PUBLISH, QoS 3, remaining length 3
                0x00, 0x01, 't' };              // topic name "t"
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.1-4");
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.1-4");
        }

        @Test
        @DisplayName("[MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP 1 is malformed")
        void publishQos0WithDup() {
            byte[] wire = {
                0x38, 0x03,                     // PUBLISH, DUP 1, QoS 0, remaining length 3
                0x00, 0x01, 't' };              // topic name "t"
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.1-2");
        }

        @Test
        @DisplayName("[§2.2.3] a Remaining Length of five bytes is malformed, refused at the fourth continuation byte")
        void remainingLengthOfFiveBytes() {
            byte[] wire = {
                0x30,                                               // PUBLISH, QoS 0
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, // four bytes, all with the continuation bit
                0x01 };                                             // a fifth byte
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§2.2.3");
            assertRejected(server(), Arrays.copyOf(wire, 5), ReasonCode.MALFORMED_PACKET, "§2.2.3");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.starling.codec.decode.MalformedV311Test#nonMinimalRemainingLengths")
        @DisplayName("[§2.2.3] a Remaining Length that does not use the fewest bytes is malformed (5.0 numbers this MQTT-1.5.5-1)")
        void nonMinimalRemainingLength(String name, byte[] wire) {
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§2.2.3");
        }

        @Test
        @DisplayName("[MQTT-3.2.2-15] a packet larger than the maximum packet size is refused from its fixed header alone (3.1.1 has no Maximum Packet Size; 5.0's statement is cited)")
        void packetTooLargeFromHeader() {
            PacketDecoder decoder = PacketDecoder.forServer(64);
            decodeOne(decoder, OPENING_CONNECT);
            // 2 + 62 = 64 bytes fits: the decoder waits for the body
            assertThat(decodeBytes(decoder, new byte[] {
                0x30, 0x3E })).isNull();        // PUBLISH, remaining length 62
            assertRejected(decoder, new byte[] {
                0x30, 0x3F },                   // PUBLISH, remaining length 63: 65 bytes in all
                    ReasonCode.PACKET_TOO_LARGE, "MQTT-3.2.2-15");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.starling.codec.decode.MalformedV311Test#oversizedHeaders")
        @DisplayName("[MQTT-3.2.2-15] the size check needs only the 2 to 5 header bytes, nothing is buffered first")
        void packetTooLargeLongHeaders(String name, byte[] header) {
            PacketDecoder decoder = PacketDecoder.forServer(64);
            decodeOne(decoder, OPENING_CONNECT);
            assertRejected(decoder, header, ReasonCode.PACKET_TOO_LARGE, "MQTT-3.2.2-15");
        }
    }

    static Stream<Arguments> nonMinimalRemainingLengths() {
        return Stream.of(
                Arguments.of("0 in two bytes", new byte[] {
                    0x30, (byte) 0x80, 0x00 }),                     // PUBLISH, remaining length 0 as 0x80 0x00
                Arguments.of("5 in two bytes", new byte[] {
                    0x30, (byte) 0x85, 0x00 }),                     // PUBLISH, remaining length 5 as 0x85 0x00
                Arguments.of("127 in three bytes", new byte[] {
                    0x30, (byte) 0xFF, (byte) 0x80, 0x00 }),        // PUBLISH, remaining length 127 as 0xFF 0x80 0x00
                Arguments.of("128 in four bytes", new byte[] {
                    0x30, (byte) 0x80, (byte) 0x81, (byte) 0x80, 0x00 })); // 128 as 0x80 0x81 0x80 0x00
    }

    static Stream<Arguments> oversizedHeaders() {
        return Stream.of(
                Arguments.of("3-byte header, 128", new byte[] {
                    0x30, (byte) 0x80, 0x01 }),                                 // PUBLISH, remaining length 128
                Arguments.of("4-byte header, 16,384", new byte[] {
                    0x30, (byte) 0x80, (byte) 0x80, 0x01 }),                    // PUBLISH, remaining length 16,384
                Arguments.of("5-byte header, 268,435,455", new byte[] {
                    0x30, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F }));      // PUBLISH, remaining length 268,435,455
    }

    // ---------------------------------------------------------------- CONNECT

    @Nested
    @DisplayName("CONNECT")
    class ConnectRules {
        @Test
        @DisplayName("[MQTT-3.1.0-1] the first packet from a client must be CONNECT")
        void firstPacketNotConnect() {
            byte[] wire = {
                (byte) 0xC0, 0x00 };            // PINGREQ, remaining length 0
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, "MQTT-3.1.0-1");
        }

        @Test
        @DisplayName("[MQTT-3.1.0-2] a second CONNECT is a protocol violation")
        void secondConnect() {
            assertRejected(server(), OPENING_CONNECT, ReasonCode.PROTOCOL_ERROR, "MQTT-3.1.0-2");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-1] a protocol name other than MQTT (or 3.1's MQIsdp) is refused")
        void wrongProtocolName() {
            byte[] wire = {
                0x10, 0x0C,                     // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'X', // protocol name "MQTX"
                0x04,                           // protocol level 4
                0x02,                           // connect flags: clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00 };                   // client identifier ""
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            assertRejected(decoder, wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-1");
            assertThat(decoder.version()).isNull();
        }

        static Stream<Arguments> unsupportedLevels() {
            return Stream.of(
                    Arguments.of("MQTT level 6", new byte[] {
                        0x10, 0x0C,                         // CONNECT, remaining length 12
                        0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
                        0x06,                               // protocol level 6
                        0x02,                               // connect flags: clean session
                        0x00, 0x3C,                         // keep alive 60 s
                        0x00, 0x00 }),                      // client identifier ""
                    Arguments.of("MQTT level 3", new byte[] {
                        0x10, 0x0C,                         // CONNECT, remaining length 12
                        0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
                        0x03,                               // protocol level 3 (3.1's, with 3.1.1's name)
                        0x02,                               // connect flags: clean session
                        0x00, 0x3C,                         // keep alive 60 s
                        0x00, 0x00 }),                      // client identifier ""
                    Arguments.of("MQIsdp level 4", new byte[] {
                        0x10, 0x0F,                                 // CONNECT, remaining length 15
                        0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
                        0x04,                                       // protocol level 4 (3.1.1's, with 3.1's name)
                        0x02,                                       // connect flags: clean session
                        0x00, 0x3C,                                 // keep alive 60 s
                        0x00, 0x01, 'c' }));                        // client identifier "c"
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("unsupportedLevels")
        @DisplayName("[MQTT-3.1.2-2] an unsupported protocol level is answered with 'unacceptable protocol version'")
        void unsupportedProtocolLevel(String name, byte[] wire) {
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            assertRejected(decoder, wire, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "MQTT-3.1.2-2");
            assertThat(decoder.version()).isNull();
        }

        @Test
        @DisplayName("[MQTT-3.1.2-3] CONNECT reserved flag 1 is malformed")
        void reservedConnectFlag() {
            byte[] wire = {
                0x10, 0x0C,                     // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x03,                           // connect flags: clean session, reserved bit 0 set
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00 };                   // client identifier ""
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            assertRejected(decoder, wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-3");
            assertThat(decoder.version()).as("version learnt before the flags").isEqualTo(MqttVersion.V3_1_1);
        }

        @ParameterizedTest(name = "Will QoS {0}")
        @ValueSource(ints = {1, 2, 3})
        @DisplayName("[MQTT-3.1.2-13] Will QoS must be 0 when the Will Flag is 0")
        void willQosWithoutWill(int willQos) {
            byte[] wire = {
                0x10, 0x0C,                     // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                (byte) (willQos << 3 | 0x02),   // connect flags: Will QoS set, Will Flag 0, clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-13");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-15] Will Retain must be 0 when the Will Flag is 0")
        void willRetainWithoutWill() {
            byte[] wire = {
                0x10, 0x0C,                     // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x22,                           // connect flags: Will Retain, Will Flag 0, clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-15");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-14] Will QoS 3 is malformed")
        void willQos3() {
            byte[] wire = {
                0x10, 0x12,                     // CONNECT, remaining length 18
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x1E,                           // connect flags: Will QoS 3, Will Flag, clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00,                     // client identifier ""
                0x00, 0x01, 'w',                // will topic "w"
                0x00, 0x01, 'x' };              // will message "x"
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-14");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-22] a password without a user name is malformed in 3.1.1")
        void passwordWithoutUserName() {
            byte[] wire = {
                0x10, 0x10,                     // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x42,                           // connect flags: Password Flag, User Name Flag 0, clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00,                     // client identifier ""
                0x00, 0x02, 'p', 'w' };         // password "pw"
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-22");
        }

        @Test
        @DisplayName("[MQTT-4.7.1-1] a will topic with a wildcard is malformed")
        void willTopicWithWildcard() {
            byte[] wire = {
                0x10, 0x13,                     // CONNECT, remaining length 19
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x06,                           // connect flags: Will Flag, clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00,                     // client identifier ""
                0x00, 0x03, 'w', '/', '#',      // will topic "w/#"
                0x00, 0x00 };                   // will message ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-4.7.1-1");
        }

        @Test
        @DisplayName("[MQTT-4.7.3-1] an empty will topic is malformed")
        void emptyWillTopic() {
            byte[] wire = {
                0x10, 0x10,                     // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x06,                           // connect flags: Will Flag, clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00,                     // client identifier ""
                0x00, 0x00,                     // will topic ""
                0x00, 0x00 };                   // will message ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-4.7.3-1");
        }

        @Test
        @DisplayName("[§2.2] a string whose length runs past the end of the packet is malformed")
        void fieldPastTheEnd() {
            byte[] wire = {
                0x10, 0x0D,                     // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x02,                           // connect flags: clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x05, 'a',                // client identifier of length 5, only 1 byte in the packet
                0x00, 0x00, 0x00, 0x00 };       // bytes of the next packet, not of this one
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "§2.2");
        }

        @Test
        @DisplayName("[§2.2.3] bytes left over after the last field of CONNECT are malformed")
        void bytesAfterLastField() {
            byte[] wire = {
                0x10, 0x0D,                     // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                           // protocol level 4
                0x02,                           // connect flags: clean session
                0x00, 0x3C,                     // keep alive 60 s
                0x00, 0x00,                     // client identifier ""
                0x00 };                         // one byte that no flag accounts for
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "§2.2.3");
        }
    }

    // ---------------------------------------------------------------- UTF-8 strings

    static Stream<Arguments> illFormedUtf8() {
        return Stream.of(
                Arguments.of("overlong U+0000 (C0 80)", new byte[] {(byte) 0xC0, (byte) 0x80}),
                Arguments.of("overlong '/' (E0 80 AF)", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}),
                Arguments.of("encoded surrogate U+D800 (ED A0 80)", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                Arguments.of("encoded surrogate U+DFFF (ED BF BF)", new byte[] {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}),
                Arguments.of("truncated sequence (E2 82)", new byte[] {'a', (byte) 0xE2, (byte) 0x82}),
                Arguments.of("lead byte without continuation (C3 'a')", new byte[] {(byte) 0xC3, 'a'}),
                Arguments.of("lone continuation byte (80)", new byte[] {(byte) 0x80}),
                Arguments.of("byte FF", new byte[] {'a', (byte) 0xFF}),
                Arguments.of("above U+10FFFF (F4 90 80 80)", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illFormedUtf8")
    @DisplayName("[MQTT-1.5.3-1] ill-formed UTF-8 in the client identifier is malformed")
    void illFormedClientId(String name, byte[] clientId) {
        byte[] wire = concat(new byte[] {
            0x10, (byte) (12 + clientId.length),    // CONNECT, remaining length 12 + the identifier
            0x00, 0x04, 'M', 'Q', 'T', 'T',         // protocol name "MQTT"
            0x04,                                   // protocol level 4
            0x02,                                   // connect flags: clean session
            0x00, 0x3C,                             // keep alive 60 s
            0x00, (byte) clientId.length },         // client identifier length
            clientId);                              // client identifier bytes
        assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.MALFORMED_PACKET, "MQTT-1.5.3-1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("illFormedUtf8")
    @DisplayName("[MQTT-1.5.3-1] MqttStrings.validate calls ill-formed UTF-8 ILL_FORMED")
    void validateIllFormed(String name, byte[] bytes) {
        ByteBuf buf = pooled(concat(new byte[] {'x'}, bytes, new byte[] {'y'}));
        try {
            assertThat(MqttStrings.validate(buf, 1, bytes.length)).isEqualTo(MqttStrings.ILL_FORMED);
        } finally {
            buf.release();
        }
    }

    static Stream<Arguments> wellFormedUtf8() {
        return Stream.of(
                Arguments.of("ASCII", new byte[] {'a', '/', 'b'}, MqttStrings.ASCII),
                Arguments.of("empty", new byte[0], MqttStrings.ASCII),
                Arguments.of("U+00E9 (C3 A9)", new byte[] {(byte) 0xC3, (byte) 0xA9}, MqttStrings.NON_ASCII),
                Arguments.of("U+D7FF (ED 9F BF)", new byte[] {(byte) 0xED, (byte) 0x9F, (byte) 0xBF}, MqttStrings.NON_ASCII),
                Arguments.of("U+E000 (EE 80 80)", new byte[] {(byte) 0xEE, (byte) 0x80, (byte) 0x80}, MqttStrings.NON_ASCII),
                Arguments.of("U+FEFF BOM (EF BB BF)", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, MqttStrings.NON_ASCII),
                Arguments.of("U+1F600 (F0 9F 98 80)", new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80}, MqttStrings.NON_ASCII),
                Arguments.of("U+10FFFF (F4 8F BF BF)", new byte[] {(byte) 0xF4, (byte) 0x8F, (byte) 0xBF, (byte) 0xBF}, MqttStrings.NON_ASCII),
                Arguments.of("U+0000", new byte[] {'a', 0x00}, MqttStrings.NULL_CHARACTER));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wellFormedUtf8")
    @DisplayName("[MQTT-1.5.3-1] [MQTT-1.5.3-2] MqttStrings.validate classifies well-formed strings and U+0000")
    void validateWellFormed(String name, byte[] bytes, int expected) {
        ByteBuf buf = pooled(concat(new byte[] {(byte) 0xFF}, bytes, new byte[] {(byte) 0xFF}));
        try {
            assertThat(MqttStrings.validate(buf, 1, bytes.length)).isEqualTo(expected);
        } finally {
            buf.release();
        }
    }

    @Test
    @DisplayName("[MQTT-1.5.3-2] U+0000 in the client identifier is malformed")
    void nullCharacterInClientId() {
        byte[] wire = {
            0x10, 0x0F,                         // CONNECT, remaining length 15
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
            0x04,                               // protocol level 4
            0x02,                               // connect flags: clean session
            0x00, 0x3C,                         // keep alive 60 s
            0x00, 0x03, 'a', 0x00, 'b' };       // client identifier "a\u0000b"
        assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.MALFORMED_PACKET, "MQTT-1.5.3-2");
    }

    @Test
    @DisplayName("[MQTT-1.5.3-2] U+0000 in a topic name is malformed")
    void nullCharacterInTopic() {
        byte[] wire = {
            0x30, 0x05,                         // PUBLISH, QoS 0, remaining length 5
            0x00, 0x03, 'a', 0x00, 'b' };       // topic name "a\u0000b"
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-1.5.3-2");
    }

    @Test
    @DisplayName("[MQTT-1.5.3-3] a BOM (EF BB BF) in a topic name is kept as U+FEFF, not stripped")
    void bomKept() {
        byte[] wire = {
            0x30, 0x07,                                     // PUBLISH, QoS 0, remaining length 7
            0x00, 0x04, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', // topic name "\uFEFFa"
            'x' };                                          // payload "x"
        Packet packet = decodeOne(server(), wire);
        try {
            assertThat(packet).isInstanceOf(Publish.class);
            Publish publish = (Publish) packet;
            assertThat(publish.topic()).isEqualTo("\uFEFFa").hasSize(2);
            assertThat(publish.topic().getBytes(StandardCharsets.UTF_8))
                    .containsExactly((byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a');
            assertThat(publish.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("x");
        } finally {
            ReferenceCountUtil.release(packet);
        }
    }

    // ---------------------------------------------------------------- PUBLISH

    @Test
    @DisplayName("[MQTT-3.3.2-2] a PUBLISH topic name with '+' is malformed")
    void publishTopicWithPlus() {
        byte[] wire = {
            0x30, 0x05,                         // PUBLISH, QoS 0, remaining length 5
            0x00, 0x03, 'a', '/', '+' };        // topic name "a/+"
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.2-2");
        assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.2-2");
    }

    @Test
    @DisplayName("[MQTT-3.3.2-2] a PUBLISH topic name with '#' is malformed")
    void publishTopicWithHash() {
        byte[] wire = {
            0x30, 0x03,                         // PUBLISH, QoS 0, remaining length 3
            0x00, 0x01, '#' };                  // topic name "#"
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.2-2");
    }

    @Test
    @DisplayName("[MQTT-4.7.3-1] an empty PUBLISH topic name is malformed in 3.1.1")
    void publishEmptyTopic() {
        byte[] wire = {
            0x30, 0x03,                         // PUBLISH, QoS 0, remaining length 3
            0x00, 0x00,                         // topic name ""
            'x' };                              // payload "x"
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-4.7.3-1");
    }

    @ParameterizedTest(name = "QoS {0}")
    @ValueSource(ints = {1, 2})
    @DisplayName("[MQTT-2.3.1-1] a QoS 1 or 2 PUBLISH with packet identifier 0 is malformed")
    void publishPacketIdZero(int qos) {
        byte[] wire = {
            (byte) (0x30 | qos << 1), 0x05,     // PUBLISH, QoS 1 or 2, remaining length 5
            0x00, 0x01, 't',                    // topic name "t"
            0x00, 0x00 };                       // packet identifier 0
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.3.1-1");
    }

    // ---------------------------------------------------------------- SUBSCRIBE, UNSUBSCRIBE

    @Test
    @DisplayName("[MQTT-2.3.1-1] a SUBSCRIBE with packet identifier 0 is malformed")
    void subscribePacketIdZero() {
        byte[] wire = {
            (byte) 0x82, 0x06,                  // SUBSCRIBE, flags 0010, remaining length 6
            0x00, 0x00,                         // packet identifier 0
            0x00, 0x01, 'a',                    // topic filter "a"
            0x00 };                             // requested QoS 0
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.3.1-1");
    }

    @Test
    @DisplayName("[MQTT-2.3.1-1] an UNSUBSCRIBE with packet identifier 0 is malformed")
    void unsubscribePacketIdZero() {
        byte[] wire = {
            (byte) 0xA2, 0x05,                  // UNSUBSCRIBE, flags 0010, remaining length 5
            0x00, 0x00,                         // packet identifier 0
            0x00, 0x01, 'a' };                  // topic filter "a"
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.3.1-1");
    }

    @Test
    @DisplayName("[MQTT-3.8.3-3] a SUBSCRIBE without a topic filter is a protocol violation")
    void subscribeWithoutFilters() {
        byte[] wire = {
            (byte) 0x82, 0x02,                  // SUBSCRIBE, flags 0010, remaining length 2
            0x00, 0x01 };                       // packet identifier 1, no payload
        assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "MQTT-3.8.3-3");
    }

    @ParameterizedTest(name = "requested QoS byte 0x{0}")
    @ValueSource(ints = {0x03, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFE})
    @DisplayName("[MQTT-3-8.3-4] a requested QoS byte with reserved bits set or QoS 3 is malformed")
    void subscribeReservedQosBits(int qosByte) {
        byte[] wire = {
            (byte) 0x82, 0x06,                  // SUBSCRIBE, flags 0010, remaining length 6
            0x00, 0x01,                         // packet identifier 1
            0x00, 0x01, 'a',                    // topic filter "a"
            (byte) qosByte };                   // requested QoS byte with reserved bits or QoS 3
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3-8.3-4");
    }

    @Test
    @DisplayName("[§3.9.3] a SUBSCRIBE's filters are decoded as they are: the server judges wildcard placement per filter")
    void subscribeKeepsInvalidFilterForSubAck() {
        byte[] wire = {
            (byte) 0x82, 0x0B,                  // SUBSCRIBE, flags 0010, remaining length 11
            0x00, 0x01,                         // packet identifier 1
            0x00, 0x02, 'a', '#',               // topic filter "a#" (invalid, answered in SUBACK)
            0x01,                               // requested QoS 1
            0x00, 0x01, '#',                    // topic filter "#"
            0x02 };                             // requested QoS 2
        assertThat(decodeOne(server(), wire)).isEqualTo(new Subscribe(1, List.of(
                new Subscription("a#", QoS.AT_LEAST_ONCE), new Subscription("#", QoS.EXACTLY_ONCE)),
                io.starling.codec.property.Properties.EMPTY));
    }

    @Test
    @DisplayName("[MQTT-3.10.3-2] an UNSUBSCRIBE without a topic filter is a protocol violation")
    void unsubscribeWithoutFilters() {
        byte[] wire = {
            (byte) 0xA2, 0x02,                  // UNSUBSCRIBE, flags 0010, remaining length 2
            0x00, 0x01 };                       // packet identifier 1, no payload
        assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "MQTT-3.10.3-2");
    }

    // ---------------------------------------------------------------- short packets

    @ParameterizedTest(name = "flags {0}")
    @ValueSource(ints = {0x1, 0x2, 0x4, 0x8})
    @DisplayName("[MQTT-3.14.1-1] [MQTT-2.2.2-2] a DISCONNECT with non-zero reserved flags is malformed")
    void disconnectWithFlags(int flags) {
        byte[] wire = {
            (byte) (0xE0 | flags), 0x00 };      // DISCONNECT with a reserved bit set, remaining length 0
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2");
    }

    @Test
    @DisplayName("[§3.14] a 3.1.1 DISCONNECT with remaining length 1 is malformed")
    void disconnectWithBody() {
        byte[] wire = {
            (byte) 0xE0, 0x01,                  // DISCONNECT, remaining length 1
            0x00 };                             // a 5.0 reason code, which 3.1.1 does not have
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§3.14");
    }

    @Test
    @DisplayName("[§3.12] a PINGREQ with a body is malformed")
    void pingReqWithBody() {
        byte[] wire = {
            (byte) 0xC0, 0x01,                  // PINGREQ, remaining length 1
            0x00 };                             // a byte PINGREQ does not have
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§3.12");
    }

    @Test
    @DisplayName("[§3.13] a PINGRESP with a body is malformed")
    void pingRespWithBody() {
        byte[] wire = {
            (byte) 0xD0, 0x01,                  // PINGRESP, remaining length 1
            0x00 };                             // a byte PINGRESP does not have
        assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "§3.13");
    }

    @Test
    @DisplayName("[§3.4.1] a 3.1.1 PUBACK with remaining length 3 is malformed")
    void pubAckOfThreeBytes() {
        byte[] wire = {
            0x40, 0x03,                         // PUBACK, remaining length 3
            0x00, 0x01,                         // packet identifier 1
            0x00 };                             // a 5.0 reason code, which 3.1.1 does not have
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§3.4.1");
        assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "§3.4.1");
    }

    // ---------------------------------------------------------------- direction

    static Stream<Arguments> serverOnlyPackets() {
        return Stream.of(
                Arguments.of("CONNACK", new byte[] {
                    0x20, 0x02, 0x00, 0x00 }),                  // CONNACK, remaining length 2, flags 0, return code 0
                Arguments.of("SUBACK", new byte[] {
                    (byte) 0x90, 0x03, 0x00, 0x01, 0x00 }),     // SUBACK, remaining length 3, packet id 1, QoS 0
                Arguments.of("UNSUBACK", new byte[] {
                    (byte) 0xB0, 0x02, 0x00, 0x01 }),           // UNSUBACK, remaining length 2, packet id 1
                Arguments.of("PINGRESP", new byte[] {
                    (byte) 0xD0, 0x00 }));                      // PINGRESP, remaining length 0
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("serverOnlyPackets")
    @DisplayName("[§2.2.1] a client never sends CONNACK, SUBACK, UNSUBACK or PINGRESP")
    void clientSendsServerPacket(String name, byte[] wire) {
        assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§2.2.1");
    }

    static Stream<Arguments> clientOnlyPackets() {
        return Stream.of(
                Arguments.of("CONNECT", OPENING_CONNECT),
                Arguments.of("SUBSCRIBE", new byte[] {
                    (byte) 0x82, 0x06, 0x00, 0x01,              // SUBSCRIBE, remaining length 6, packet id 1
                    0x00, 0x01, 'a', 0x00 }),                   // topic filter "a", QoS 0
                Arguments.of("UNSUBSCRIBE", new byte[] {
                    (byte) 0xA2, 0x05, 0x00, 0x01,              // UNSUBSCRIBE, remaining length 5, packet id 1
                    0x00, 0x01, 'a' }),                         // topic filter "a"
                Arguments.of("PINGREQ", new byte[] {
                    (byte) 0xC0, 0x00 }));                      // PINGREQ, remaining length 0
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clientOnlyPackets")
    @DisplayName("[§2.2.1] a server never sends CONNECT, SUBSCRIBE, UNSUBSCRIBE or PINGREQ")
    void serverSendsClientPacket(String name, byte[] wire) {
        assertRejected(client(), wire, ReasonCode.PROTOCOL_ERROR, "§2.2.1");
    }

    // ---------------------------------------------------------------- CONNACK, SUBACK (client side)

    @Test
    @DisplayName("[MQTT-3.2.0-1] the first packet from a server must be CONNACK")
    void firstPacketFromServerNotConnAck() {
        byte[] wire = {
            (byte) 0xD0, 0x00 };                // PINGRESP, remaining length 0
        assertRejected(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.PROTOCOL_ERROR, "MQTT-3.2.0-1");
    }

    @ParameterizedTest(name = "flags 0x{0}")
    @ValueSource(ints = {0x02, 0x80, 0xFE, 0xFF})
    @DisplayName("[§3.2.2.1] CONNACK acknowledge flags with reserved bits 7-1 set are malformed")
    void connAckReservedFlags(int flags) {
        byte[] wire = {
            0x20, 0x02,                         // CONNACK, remaining length 2
            (byte) flags,                       // connect acknowledge flags with reserved bits set
            0x00 };                             // return code 0, accepted
        assertRejected(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.MALFORMED_PACKET, "§3.2.2.1");
    }

    @ParameterizedTest(name = "return code {0}")
    @ValueSource(ints = {6, 0x80, 0xFF})
    @DisplayName("[§3.2.2.3] CONNACK return codes 6 to 255 are reserved")
    void connAckReservedReturnCode(int code) {
        byte[] wire = {
            0x20, 0x02,                         // CONNACK, remaining length 2
            0x00,                               // session present 0
            (byte) code };                      // a reserved return code
        assertRejected(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.MALFORMED_PACKET, "§3.2.2.3");
    }

    @ParameterizedTest(name = "return code {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    @DisplayName("[MQTT-3.2.2-4] a CONNACK refusing the connection must have Session Present 0")
    void connAckSessionPresentWithRefusal(int code) {
        byte[] wire = {
            0x20, 0x02,                         // CONNACK, remaining length 2
            0x01,                               // session present 1
            (byte) code };                      // return code: connection refused
        assertRejected(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.PROTOCOL_ERROR, "MQTT-3.2.2-4");
    }

    @Test
    @DisplayName("[MQTT-3.2.2-2] Session Present 1 with return code 0 is valid")
    void connAckSessionPresentAccepted() {
        byte[] wire = {
            0x20, 0x02,                         // CONNACK, remaining length 2
            0x01,                               // session present 1
            0x00 };                             // return code 0, accepted
        assertThat(decodeOne(PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE), wire))
                .isEqualTo(new ConnAck(true, ReasonCode.SUCCESS));
    }

    @ParameterizedTest(name = "return code 0x{0}")
    @ValueSource(ints = {0x03, 0x04, 0x7F, 0x81, 0xFF})
    @DisplayName("[MQTT-3.9.3-2] SUBACK return codes other than 0x00, 0x01, 0x02 and 0x80 are malformed")
    void subAckReservedReturnCode(int code) {
        byte[] wire = {
            (byte) 0x90, 0x03,                  // SUBACK, remaining length 3
            0x00, 0x01,                         // packet identifier 1
            (byte) code };                      // a reserved return code
        assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.9.3-2");
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] SUBACK return codes 0x00 to 0x02 and 0x80 are decoded")
    void subAckValidReturnCodes() {
        byte[] wire = {
            (byte) 0x90, 0x06,                  // SUBACK, remaining length 6
            0x00, 0x01,                         // packet identifier 1
            0x00, 0x01, 0x02,                   // granted QoS 0, 1, 2
            (byte) 0x80 };                      // failure
        assertThat(decodeOne(client(), wire)).isEqualTo(new SubAck(1, List.of(ReasonCode.GRANTED_QOS_0,
                ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_2, ReasonCode.UNSPECIFIED_ERROR),
                io.starling.codec.property.Properties.EMPTY));
    }

    // ---------------------------------------------------------------- MQTT 3.1

    @Nested
    @DisplayName("MQTT 3.1")
    class V31 {
        @Test
        @DisplayName("[§2.2.1] packet type 15 is reserved in 3.1")
        void authTypeReserved() {
            byte[] wire = {
                (byte) 0xF0, 0x00 };            // type 15 (5.0's AUTH), remaining length 0
            assertRejected(serverV31(), wire, ReasonCode.MALFORMED_PACKET, "§2.2.1");
        }

        @Test
        @DisplayName("3.1 allows DUP on a resent SUBSCRIBE (flags 1010), which 3.1.1 refuses [MQTT-2.2.2-2]")
        void subscribeWithDup() {
            byte[] wire = {
                (byte) 0x8A, 0x06,              // SUBSCRIBE, flags 1010 (DUP, QoS 1), remaining length 6
                0x00, 0x01,                     // packet identifier 1
                0x00, 0x01, 'a',                // topic filter "a"
                0x01 };                         // requested QoS 1
            assertThat(decodeOne(serverV31(), wire)).isEqualTo(new Subscribe(1,
                    List.of(new Subscription("a", QoS.AT_LEAST_ONCE)), io.starling.codec.property.Properties.EMPTY));
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2");
        }

        @Test
        @DisplayName("[MQTT-2.2.2-2] 3.1 still refuses SUBSCRIBE flags other than 0010 and 1010")
        void subscribeOtherFlags() {
            byte[] wire = {
                (byte) 0x80, 0x06,              // SUBSCRIBE, flags 0000, remaining length 6
                0x00, 0x01,                     // packet identifier 1
                0x00, 0x01, 'a',                // topic filter "a"
                0x01 };                         // requested QoS 1
            assertRejected(serverV31(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.2.2-2");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-22] 3.1 also needs a user name for a password")
        void passwordWithoutUserName() {
            byte[] wire = {
                0x10, 0x13,                                 // CONNECT, remaining length 19
                0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p',   // protocol name "MQIsdp"
                0x03,                                       // protocol level 3
                0x42,                                       // connect flags: Password Flag, User Name Flag 0, clean session
                0x00, 0x3C,                                 // keep alive 60 s
                0x00, 0x01, 'c',                            // client identifier "c"
                0x00, 0x02, 'p', 'w' };                     // password "pw"
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            assertRejected(decoder, wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-22");
            assertThat(decoder.version()).isEqualTo(MqttVersion.V3_1);
        }
    }

    // ---------------------------------------------------------------- topic filters

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a/#/b", "a#", "#a", "a/b#", "#/a", "##", "a/##"})
    @DisplayName("[MQTT-4.7.1-2] '#' must be a whole level and the last character of a topic filter")
    void invalidMultiLevelWildcard(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V3_1_1)).startsWith("[MQTT-4.7.1-2]");
        assertThat(Topics.filterViolation(filter, MqttVersion.V3_1)).startsWith("[MQTT-4.7.1-2]");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"a+", "+a/b", "a/+b", "a/b+", "++", "+a"})
    @DisplayName("[MQTT-4.7.1-3] '+' must occupy an entire level of a topic filter")
    void invalidSingleLevelWildcard(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V3_1_1)).startsWith("[MQTT-4.7.1-3]");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"#", "+", "+/+", "a/+/b", "a/#", "/+", "+/#", "sport/tennis/#", "/", "a", "a//b",
            "sport/+/player1", "$SYS/#", "\uFEFFa/+"})
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] valid topic filters")
    void validFilters(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V3_1_1)).isNull();
    }

    @Test
    @DisplayName("[MQTT-4.7.3-1] an empty topic filter is invalid")
    void emptyFilter() {
        assertThat(Topics.filterViolation("", MqttVersion.V3_1_1)).startsWith("[MQTT-4.7.3-1]");
        assertThat(Topics.filterViolation("", MqttVersion.V5)).startsWith("[MQTT-4.7.3-1]");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"+", "#", "a/+", "a/#", "a+b", "#a"})
    @DisplayName("[MQTT-4.7.1-1] Topics.hasWildcard finds any wildcard character")
    void hasWildcard(String topic) {
        assertThat(Topics.hasWildcard(topic)).isTrue();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "a", "a/b", "/", "$SYS/x", "a b"})
    @DisplayName("[MQTT-4.7.1-1] Topics.hasWildcard is false for a plain topic name")
    void hasNoWildcard(String topic) {
        assertThat(Topics.hasWildcard(topic)).isFalse();
    }

    // ---------------------------------------------------------------- helpers




    /** A 3.1.1 server-side decoder past the CONNECT: it reads what a client sends. */
    private static PacketDecoder server() {
        PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeOne(decoder, OPENING_CONNECT)).isEqualTo(new Connect(MqttVersion.V3_1_1, "", true, 60));
        return decoder;
    }

    /** A 3.1 server-side decoder past the CONNECT. */
    private static PacketDecoder serverV31() {
        PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeOne(decoder, OPENING_CONNECT_V31)).isEqualTo(new Connect(MqttVersion.V3_1, "c", true, 60));
        return decoder;
    }

    /** A 3.1.1 client-side decoder past the CONNACK: it reads what a server sends. */
    private static PacketDecoder client() {
        PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeOne(decoder, OPENING_CONNACK)).isEqualTo(new ConnAck(false, ReasonCode.SUCCESS));
        return decoder;
    }

    /** The decoder of the side that receives {@code type}, in the state where it may arrive. */
    private static PacketDecoder receiverOf(PacketType type) {
        return switch (type) {
            case CONNECT -> PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            case CONNACK -> PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE);
            case SUBACK, UNSUBACK, PINGRESP -> client();
            default -> server();
        };
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

}
