package io.starling.codec.decode;

import static io.starling.codec.decode.Decoding.assertRejected;
import static io.starling.codec.decode.Decoding.decodeBytes;
import static io.starling.codec.decode.Decoding.decodeOne;
import static io.starling.codec.decode.Decoding.pooled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
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
 * Malformed and protocol-violating input for MQTT 5.0, one test per rule. Each test feeds the
 * bytes to the decoder of the side that receives them and checks the exception, the reason code
 * to answer with and the statement (or section) that was broken. Statement and section numbers
 * are those of MQTT 5.0 (OASIS Standard, 7 March 2019), which differ from 3.1.1's.
 */
class MalformedV5Test {
    /** The smallest 5.0 CONNECT: it opens a server-side decoder before the packet under test. */
    private static final byte[] OPENING_CONNECT = {
        0x10, 0x0D,                         // CONNECT, remaining length 13
        0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
        0x05,                               // protocol version 5
        0x02,                               // connect flags: clean start
        0x00, 0x3C,                         // keep alive 60 s
        0x00,                               // property length 0
        0x00, 0x00 };                       // client identifier ""

    /** A 5.0 CONNACK accepting the connection: it opens a client-side decoder. */
    private static final byte[] OPENING_CONNACK = {
        0x20, 0x03,                         // CONNACK, remaining length 3
        0x00,                               // session present 0
        0x00,                               // reason code 0x00, success
        0x00 };                             // property length 0

    // ---------------------------------------------------------------- fixed header

    @Nested
    @DisplayName("fixed header")
    class FixedHeader {
        @Test
        @DisplayName("[§2.1.2] packet type 0 is reserved (forbidden) in 5.0")
        void reservedPacketTypeZero() {
            byte[] wire = {
                0x00, 0x00 };                   // reserved type 0, flags 0000, remaining length 0
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§2.1.2");
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "§2.1.2");
        }

        static Stream<Arguments> wrongFlags() {
            return Arrays.stream(PacketType.values())
                    // CONNECT arrives before the version is known, so it is left to the 3.1.1 test
                    .filter(t -> t != PacketType.PUBLISH && t != PacketType.CONNECT)
                    .flatMap(t -> IntStream.range(0, 16)
                            .filter(flags -> flags != t.fixedFlags())
                            .mapToObj(flags -> Arguments.of(t, flags)));
        }

        @ParameterizedTest(name = "{0} with flags {1}")
        @MethodSource("wrongFlags")
        @DisplayName("[MQTT-2.1.3-1] a non-PUBLISH packet with flags other than those listed is malformed")
        void reservedFlags(PacketType type, int flags) {
            byte[] wire = {
                (byte) (type.value() << 4 | flags), // packet type, wrong flags
                0x00 };                              // remaining length 0: the header alone is refused
            assertRejected(receiverOf(type), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.1.3-1");
        }

        @Test
        @DisplayName("[MQTT-3.3.1-4] a PUBLISH with both QoS bits set is malformed")
        void publishQos3() {
            byte[] wire = {
                0x36, 0x04,                     // PUBLISH, QoS 3, remaining length 4
                0x00, 0x01, 't',                // topic name "t"
                0x00 };                         // property length 0
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.1-4");
        }

        @Test
        @DisplayName("[MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP 1 is malformed")
        void publishQos0WithDup() {
            byte[] wire = {
                0x38, 0x04,                     // PUBLISH, DUP 1, QoS 0, remaining length 4
                0x00, 0x01, 't',                // topic name "t"
                0x00 };                         // property length 0
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.3.1-2");
        }

        @Test
        @DisplayName("[§1.5.5] a Remaining Length of five bytes is malformed (a Variable Byte Integer has at most four)")
        void remainingLengthOfFiveBytes() {
            byte[] wire = {
                0x30,                                               // PUBLISH, QoS 0
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, // four bytes, all with the continuation bit
                0x01 };                                             // a fifth byte
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§1.5.5");
        }

        @Test
        @DisplayName("[MQTT-1.5.5-1] a Remaining Length that does not use the fewest bytes is malformed")
        void nonMinimalRemainingLength() {
            byte[] wire = {
                0x30, (byte) 0x84, 0x00,        // PUBLISH, remaining length 4 as 0x84 0x00
                0x00, 0x01, 't',                // topic name "t"
                0x00 };                         // property length 0
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-1.5.5-1");
        }

        @Test
        @DisplayName("[§2.1.4] bytes left over after the last field are malformed")
        void bytesAfterLastField() {
            byte[] wire = {
                0x40, 0x05,                     // PUBACK, remaining length 5
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // reason code 0x00, success
                0x00,                           // property length 0
                0x00 };                         // one byte after the last field
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "§2.1.4");
        }

        @Test
        @DisplayName("[MQTT-3.2.2-15] a server refuses a packet above its Maximum Packet Size from the fixed header alone")
        void packetTooLargeForServer() {
            PacketDecoder decoder = PacketDecoder.forServer(64);
            assertThat(decodeOne(decoder, OPENING_CONNECT)).isEqualTo(new Connect(MqttVersion.V5, "", true, 60));
            assertThat(decodeBytes(decoder, new byte[] {
                0x30, 0x3E })).isNull();        // PUBLISH, remaining length 62: 64 bytes fit, wait for them
            assertRejected(decoder, new byte[] {
                0x30, 0x3F },                   // PUBLISH, remaining length 63: 65 bytes in all
                    ReasonCode.PACKET_TOO_LARGE, "MQTT-3.2.2-15");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-24] a client refuses a packet above its Maximum Packet Size from the fixed header alone")
        void packetTooLargeForClient() {
            PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V5, 64);
            decodeOne(decoder, OPENING_CONNACK);
            assertRejected(decoder, new byte[] {
                0x30, (byte) 0x80, (byte) 0x80, 0x01 },    // PUBLISH, remaining length 16,384
                    ReasonCode.PACKET_TOO_LARGE, "MQTT-3.1.2-24");
        }
    }

    // ---------------------------------------------------------------- properties: identifiers

    @Nested
    @DisplayName("property identifiers")
    class Identifiers {
        @ParameterizedTest(name = "identifier 0x{0}")
        @ValueSource(ints = {0x00, 0x04, 0x05, 0x07, 0x0A, 0x0C, 0x10, 0x14, 0x1B, 0x1D, 0x1E, 0x20, 0x2B, 0x7F})
        @DisplayName("[§2.2.2.2] an unknown property identifier is malformed")
        void unknownIdentifier(int id) {
            byte[] wire = {
                0x10, 0x0F,                     // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x02,                           // property length 2
                (byte) id, 0x00,                // an identifier no property has, and a byte
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "§2.2.2.2");
        }

        @Test
        @DisplayName("[§2.2.2.2] Topic Alias is not a CONNECT property: malformed")
        void topicAliasInConnect() {
            byte[] wire = {
                0x10, 0x10,                     // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x03,                           // property length 3
                0x23, 0x00, 0x01,               // Topic Alias 1
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "§2.2.2.2");
        }

        @Test
        @DisplayName("[§2.2.2.2] Session Expiry Interval is not a PUBLISH property: malformed")
        void sessionExpiryInPublish() {
            byte[] wire = {
                0x30, 0x09,                     // PUBLISH, QoS 0, remaining length 9
                0x00, 0x01, 't',                // topic name "t"
                0x05,                           // property length 5
                0x11, 0x00, 0x00, 0x00, 0x0A }; // Session Expiry Interval 10
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§2.2.2.2");
        }

        @Test
        @DisplayName("[§2.2.2.2] Will Delay Interval belongs to the will properties, not CONNECT's: malformed")
        void willDelayInConnectProperties() {
            byte[] wire = {
                0x10, 0x12,                     // CONNECT, remaining length 18
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x05,                           // property length 5
                0x18, 0x00, 0x00, 0x00, 0x05,   // Will Delay Interval 5
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "§2.2.2.2");
        }

        @Test
        @DisplayName("[§3.1.3.2.2] Will Delay Interval among the will properties is decoded")
        void willDelayInWillProperties() {
            byte[] wire = {
                0x10, 0x18,                     // CONNECT, remaining length 24
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x06,                           // connect flags: will flag, clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x00,                     // client identifier ""
                0x05,                           // will property length 5
                0x18, 0x00, 0x00, 0x00, 0x05,   // Will Delay Interval 5
                0x00, 0x01, 'w',                // will topic "w"
                0x00, 0x00 };                   // will payload, empty
            Connect connect = (Connect) decodeOne(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire);
            assertThat(connect.properties()).isEqualTo(Properties.EMPTY);
            assertThat(connect.will()).isNotNull();
            assertThat(connect.will().topic()).isEqualTo("w");
            assertThat(connect.will().properties().integer(PropertyId.WILL_DELAY_INTERVAL)).isEqualTo(OptionalLong.of(5));
        }

        @Test
        @DisplayName("[§2.2.2.2] Session Expiry Interval is not a will property: malformed")
        void sessionExpiryInWillProperties() {
            byte[] wire = {
                0x10, 0x18,                     // CONNECT, remaining length 24
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x06,                           // connect flags: will flag, clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x00,                     // client identifier ""
                0x05,                           // will property length 5
                0x11, 0x00, 0x00, 0x00, 0x05,   // Session Expiry Interval 5
                0x00, 0x01, 'w',                // will topic "w"
                0x00, 0x00 };                   // will payload, empty
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "§2.2.2.2");
        }

        @Test
        @DisplayName("[MQTT-1.5.5-1] a property identifier encoded in more bytes than needed is malformed")
        void nonMinimalIdentifier() {
            byte[] wire = {
                0x30, 0x07,                     // PUBLISH, QoS 0, remaining length 7
                0x00, 0x01, 't',                // topic name "t"
                0x03,                           // property length 3
                (byte) 0x81, 0x00,              // identifier 1 (Payload Format Indicator) as 0x81 0x00
                0x00 };                         // value 0
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-1.5.5-1");
        }

        @Test
        @DisplayName("[MQTT-1.5.5-1] a property length encoded in more bytes than needed is malformed")
        void nonMinimalPropertyLength() {
            byte[] wire = {
                0x30, 0x05,                     // PUBLISH, QoS 0, remaining length 5
                0x00, 0x01, 't',                // topic name "t"
                (byte) 0x80, 0x00 };            // property length 0 as 0x80 0x00
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-1.5.5-1");
        }

        @Test
        @DisplayName("[§2.2] a property length running past the end of the packet is malformed")
        void propertyLengthPastTheEnd() {
            byte[] wire = {
                0x30, 0x05,                     // PUBLISH, QoS 0, remaining length 5
                0x00, 0x01, 't',                // topic name "t"
                0x05,                           // property length 5, but 1 byte left in the packet
                0x01 };                         // Payload Format Indicator identifier
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§2.2");
        }

        @Test
        @DisplayName("[§2.2] a property value running past the property length is malformed")
        void propertyValuePastPropertyLength() {
            byte[] wire = {
                0x30, 0x07,                     // PUBLISH, QoS 0, remaining length 7
                0x00, 0x01, 't',                // topic name "t"
                0x02,                           // property length 2
                0x02, 0x00,                     // Message Expiry Interval: 1 of its 4 bytes
                'x' };                          // payload "x": not part of the property
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "§2.2");
        }
    }

    // ---------------------------------------------------------------- properties: repetition

    @Nested
    @DisplayName("repeated properties")
    class Repetition {
        @Test
        @DisplayName("[§2.2.2.2] Receive Maximum twice is a protocol error")
        void receiveMaximumTwice() {
            byte[] wire = {
                0x10, 0x13,                     // CONNECT, remaining length 19
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x06,                           // property length 6
                0x21, 0x00, 0x0A,               // Receive Maximum 10
                0x21, 0x00, 0x0A,               // Receive Maximum 10, again
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, "§2.2.2.2");
        }

        @Test
        @DisplayName("[§2.2.2.2] Subscription Identifier twice in SUBSCRIBE is a protocol error")
        void subscriptionIdentifierTwiceInSubscribe() {
            byte[] wire = {
                (byte) 0x82, 0x0B,              // SUBSCRIBE, flags 0010, remaining length 11
                0x00, 0x01,                     // packet identifier 1
                0x04,                           // property length 4
                0x0B, 0x01,                     // Subscription Identifier 1
                0x0B, 0x02,                     // Subscription Identifier 2
                0x00, 0x01, 'a',                // topic filter "a"
                0x00 };                         // subscription options: QoS 0
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§2.2.2.2");
        }

        @Test
        @DisplayName("[§3.1.2.11.8] User Property may appear more than once, in order")
        void userPropertyRepeats() {
            byte[] wire = {
                0x10, 0x1B,                     // CONNECT, remaining length 27
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x0E,                           // property length 14
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, '2', // User Property k=2
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, '1', // User Property k=1
                0x00, 0x00 };                   // client identifier ""
            Connect connect = (Connect) decodeOne(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire);
            assertThat(connect.properties().userProperties())
                    .containsExactly(new UserProperty("k", "2"), new UserProperty("k", "1"));
        }

        @Test
        @DisplayName("[§3.3.2.3.8] a server's PUBLISH may carry several Subscription Identifiers")
        void subscriptionIdentifiersRepeatInServerPublish() {
            byte[] wire = {
                0x30, 0x09,                     // PUBLISH, QoS 0, remaining length 9
                0x00, 0x01, 't',                // topic name "t"
                0x05,                           // property length 5
                0x0B, 0x01,                     // Subscription Identifier 1
                0x0B, (byte) 0x80, 0x01 };      // Subscription Identifier 128
            Packet packet = decodeOne(client(), wire);
            try {
                assertThat(((Publish) packet).properties().subscriptionIdentifiers()).containsExactly(1L, 128L);
            } finally {
                ReferenceCountUtil.release(packet);
            }
        }
    }

    // ---------------------------------------------------------------- properties: values

    @Nested
    @DisplayName("property values")
    class Values {
        @ParameterizedTest(name = "identifier 0x{0} = 2")
        @ValueSource(ints = {0x17, 0x19})
        @DisplayName("[§3.1.2.11.6] [§3.1.2.11.7] Request Response Information or Request Problem Information of 2 is a protocol error")
        void requestInformationTwo(int id) {
            byte[] wire = {
                0x10, 0x0F,                     // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x02,                           // property length 2
                (byte) id, 0x02,                // Request Response (0x19) or Problem (0x17) Information 2
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, id == 0x17 ? "§3.1.2.11.7" : "§3.1.2.11.6");
        }

        static Stream<Arguments> connAckByteProperties() {
            return Stream.of(
                    Arguments.of(0x24, "§3.2.2.3.4"),   // Maximum QoS
                    Arguments.of(0x25, "§3.2.2.3.5"),   // Retain Available
                    Arguments.of(0x28, "§3.2.2.3.11"),  // Wildcard Subscription Available
                    Arguments.of(0x29, "§3.2.2.3.12"),  // Subscription Identifiers Available
                    Arguments.of(0x2A, "§3.2.2.3.13")); // Shared Subscription Available
        }

        @ParameterizedTest(name = "identifier 0x{0} = 2")
        @MethodSource("connAckByteProperties")
        @DisplayName("[§3.2.2.3] Maximum QoS and the CONNACK availability flags must be 0 or 1")
        void connAckFlagPropertyTwo(int id, String section) {
            byte[] wire = {
                0x20, 0x05,                     // CONNACK, remaining length 5
                0x00,                           // session present 0
                0x00,                           // reason code 0x00, success
                0x02,                           // property length 2
                (byte) id, 0x02 };              // a 0-or-1 property with value 2
            assertRejected(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, section);
        }

        @Test
        @DisplayName("[§3.3.2.3.2] Payload Format Indicator 2 is a protocol error")
        void payloadFormatIndicatorTwo() {
            byte[] wire = {
                0x30, 0x06,                     // PUBLISH, QoS 0, remaining length 6
                0x00, 0x01, 't',                // topic name "t"
                0x02,                           // property length 2
                0x01, 0x02 };                   // Payload Format Indicator 2
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§3.3.2.3.2");
        }

        @Test
        @DisplayName("[§3.1.2.11.3] Receive Maximum 0 in CONNECT is a protocol error")
        void receiveMaximumZeroInConnect() {
            byte[] wire = {
                0x10, 0x10,                     // CONNECT, remaining length 16
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x03,                           // property length 3
                0x21, 0x00, 0x00,               // Receive Maximum 0
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, "§3.1.2.11.3");
        }

        @Test
        @DisplayName("[§3.2.2.3.3] Receive Maximum 0 in CONNACK is a protocol error")
        void receiveMaximumZeroInConnAck() {
            byte[] wire = {
                0x20, 0x06,                     // CONNACK, remaining length 6
                0x00,                           // session present 0
                0x00,                           // reason code 0x00, success
                0x03,                           // property length 3
                0x21, 0x00, 0x00 };             // Receive Maximum 0
            assertRejected(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, "§3.2.2.3.3");
        }

        @Test
        @DisplayName("[§3.1.2.11.4] Maximum Packet Size 0 is a protocol error")
        void maximumPacketSizeZero() {
            byte[] wire = {
                0x10, 0x12,                     // CONNECT, remaining length 18
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x05,                           // property length 5
                0x27, 0x00, 0x00, 0x00, 0x00,   // Maximum Packet Size 0
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, "§3.1.2.11.4");
        }

        @Test
        @DisplayName("[§3.8.2.1.2] Subscription Identifier 0 in SUBSCRIBE is a protocol error")
        void subscriptionIdentifierZeroInSubscribe() {
            byte[] wire = {
                (byte) 0x82, 0x09,              // SUBSCRIBE, flags 0010, remaining length 9
                0x00, 0x01,                     // packet identifier 1
                0x02,                           // property length 2
                0x0B, 0x00,                     // Subscription Identifier 0
                0x00, 0x01, 'a',                // topic filter "a"
                0x00 };                         // subscription options: QoS 0
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§3.8.2.1.2");
        }

        @Test
        @DisplayName("[§3.3.2.3.8] Subscription Identifier 0 in a server's PUBLISH is a protocol error")
        void subscriptionIdentifierZeroInPublish() {
            byte[] wire = {
                0x30, 0x06,                     // PUBLISH, QoS 0, remaining length 6
                0x00, 0x01, 't',                // topic name "t"
                0x02,                           // property length 2
                0x0B, 0x00 };                   // Subscription Identifier 0
            assertRejected(client(), wire, ReasonCode.PROTOCOL_ERROR, "§3.3.2.3.8");
        }

        @Test
        @DisplayName("[MQTT-3.3.2-8] Topic Alias 0 is 'Topic Alias invalid'")
        void topicAliasZero() {
            byte[] wire = {
                0x30, 0x07,                     // PUBLISH, QoS 0, remaining length 7
                0x00, 0x01, 't',                // topic name "t"
                0x03,                           // property length 3
                0x23, 0x00, 0x00 };             // Topic Alias 0
            assertRejected(server(), wire, ReasonCode.TOPIC_ALIAS_INVALID, "MQTT-3.3.2-8");
            assertRejected(client(), wire, ReasonCode.TOPIC_ALIAS_INVALID, "MQTT-3.3.2-8");
        }

        @Test
        @DisplayName("[MQTT-3.3.2-14] a Response Topic with a wildcard is a protocol error")
        void responseTopicWithWildcard() {
            byte[] wire = {
                0x30, 0x0A,                     // PUBLISH, QoS 0, remaining length 10
                0x00, 0x01, 't',                // topic name "t"
                0x06,                           // property length 6
                0x08, 0x00, 0x03, 'r', '/', '#' }; // Response Topic "r/#"
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "MQTT-3.3.2-14");
        }

        @Test
        @DisplayName("[§3.1.2.11.10] Authentication Data without an Authentication Method is a protocol error")
        void authenticationDataWithoutMethod() {
            byte[] wire = {
                0x10, 0x11,                     // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x04,                           // property length 4
                0x16, 0x00, 0x01, (byte) 0xAA,  // Authentication Data 0xAA
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, "§3.1.2.11.10");
        }
    }

    // ---------------------------------------------------------------- CONNECT, CONNACK

    @Nested
    @DisplayName("CONNECT and CONNACK")
    class Handshake {
        @Test
        @DisplayName("[MQTT-3.1.2-11] Will QoS must be 0 when the Will Flag is 0")
        void willQosWithoutWill() {
            byte[] wire = {
                0x10, 0x0D,                     // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x0A,                           // connect flags: Will QoS 1, Will Flag 0, clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-11");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-13] Will Retain must be 0 when the Will Flag is 0")
        void willRetainWithoutWill() {
            byte[] wire = {
                0x10, 0x0D,                     // CONNECT, remaining length 13
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x22,                           // connect flags: Will Retain, Will Flag 0, clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x00 };                   // client identifier ""
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-13");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-12] Will QoS 3 is malformed")
        void willQos3() {
            byte[] wire = {
                0x10, 0x13,                     // CONNECT, remaining length 19
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x1E,                           // connect flags: Will QoS 3, Will Flag, clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x00,                     // client identifier ""
                0x00,                           // will property length 0
                0x00, 0x01, 'w',                // will topic "w"
                0x00, 0x00 };                   // will payload, empty
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.1.2-12");
        }

        @Test
        @DisplayName("[MQTT-4.7.0-1] a will topic with a wildcard is 'Topic Name invalid'")
        void willTopicWithWildcard() {
            byte[] wire = {
                0x10, 0x15,                     // CONNECT, remaining length 21
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x06,                           // connect flags: Will Flag, clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x00,                     // client identifier ""
                0x00,                           // will property length 0
                0x00, 0x03, 'w', '/', '+',      // will topic "w/+"
                0x00, 0x00 };                   // will payload, empty
            assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.TOPIC_NAME_INVALID, "MQTT-4.7.0-1");
        }

        @Test
        @DisplayName("[MQTT-3.1.2-18] [MQTT-3.1.2-19] a password without a user name is valid in 5.0")
        void passwordWithoutUserName() {
            byte[] wire = {
                0x10, 0x11,                     // CONNECT, remaining length 17
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol version 5
                0x42,                           // connect flags: Password Flag, User Name Flag 0, clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // property length 0
                0x00, 0x00,                     // client identifier ""
                0x00, 0x02, 'p', 'w' };         // password "pw"
            assertThat(decodeOne(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire))
                    .isEqualTo(new Connect(MqttVersion.V5, "", true, 60, null,
                            Bytes.of((byte) 'p', (byte) 'w'), null, Properties.EMPTY));
        }

        @ParameterizedTest(name = "flags 0x{0}")
        @ValueSource(ints = {0x02, 0x80, 0xFE})
        @DisplayName("[MQTT-3.2.2-1] CONNACK acknowledge flags with reserved bits 7-1 set are malformed")
        void connAckReservedFlags(int flags) {
            byte[] wire = {
                0x20, 0x03,                     // CONNACK, remaining length 3
                (byte) flags,                   // connect acknowledge flags with reserved bits set
                0x00,                           // reason code 0x00, success
                0x00 };                         // property length 0
            assertRejected(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.2.2-1");
        }

        @ParameterizedTest(name = "reason code 0x{0}")
        @ValueSource(ints = {0x01, 0x04, 0x10, 0x8E, 0x91, 0xA2, 0xFF})
        @DisplayName("[MQTT-3.2.2-8] a CONNACK must use a Connect Reason Code")
        void connAckNotAConnectReasonCode(int code) {
            byte[] wire = {
                0x20, 0x03,                     // CONNACK, remaining length 3
                0x00,                           // session present 0
                (byte) code,                    // not a Connect Reason Code
                0x00 };                         // property length 0
            assertRejected(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.MALFORMED_PACKET, "MQTT-3.2.2-8");
        }

        @ParameterizedTest(name = "return code {0}")
        @ValueSource(ints = {1, 2, 3, 4, 5})
        @DisplayName("a 3.1.1 server's refusal of a 5.0 CONNECT (return code 1 to 5, no properties) reads as its 5.0 reason code")
        void connAckFromA311Server(int returnCode) {
            byte[] wire = {
                0x20, 0x02,                     // CONNACK, remaining length 2: no property length, as in 3.1.1
                0x00,                           // session present 0
                (byte) returnCode };            // a 3.1.1 connect return code
            Object decoded = decodeOne(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), wire);
            assertThat(decoded).isEqualTo(new ConnAck(false, ReasonCode.ofV3ConnectReturnCode(returnCode), Properties.EMPTY));
            assertThat(ReasonCode.ofV3ConnectReturnCode(1)).isEqualTo(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION);
        }

        @Test
        @DisplayName("a 3.1.1-form CONNACK accepting a 5.0 CONNECT (0x00 without a property length) stays malformed")
        void connAckSuccessWithoutProperties() {
            byte[] wire = {
                0x20, 0x02,                     // CONNACK, remaining length 2
                0x00,                           // session present 0
                0x00 };                         // success, but no property length
            assertThatThrownBy(() -> decodeOne(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), wire))
                    .isInstanceOf(PacketDecodeException.class);
        }

        @Test
        @DisplayName("[MQTT-3.2.2-6] a CONNACK with an error reason code must have Session Present 0")
        void connAckSessionPresentWithError() {
            byte[] wire = {
                0x20, 0x03,                     // CONNACK, remaining length 3
                0x01,                           // session present 1
                (byte) 0x87,                    // reason code 0x87, not authorized
                0x00 };                         // property length 0
            assertRejected(PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE), wire,
                    ReasonCode.PROTOCOL_ERROR, "MQTT-3.2.2-6");
        }
    }

    // ---------------------------------------------------------------- PUBLISH

    @Nested
    @DisplayName("PUBLISH")
    class PublishRules {
        @Test
        @DisplayName("[§3.3.2.1] a PUBLISH with an empty topic name and no Topic Alias is a protocol error")
        void emptyTopicWithoutAlias() {
            byte[] wire = {
                0x30, 0x03,                     // PUBLISH, QoS 0, remaining length 3
                0x00, 0x00,                     // topic name ""
                0x00 };                         // property length 0
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§3.3.2.1");
        }

        @Test
        @DisplayName("[§3.3.2.1] a PUBLISH with an empty topic name and a Topic Alias is decoded")
        void emptyTopicWithAlias() {
            byte[] wire = {
                0x30, 0x07,                     // PUBLISH, QoS 0, remaining length 7
                0x00, 0x00,                     // topic name ""
                0x03,                           // property length 3
                0x23, 0x00, 0x01,               // Topic Alias 1
                'x' };                          // payload "x"
            Packet packet = decodeOne(server(), wire);
            try {
                Publish publish = (Publish) packet;
                assertThat(publish.topic()).isEmpty();
                assertThat(publish.properties().integer(PropertyId.TOPIC_ALIAS)).isEqualTo(OptionalLong.of(1));
                assertThat(publish.payload().toString(StandardCharsets.US_ASCII)).isEqualTo("x");
            } finally {
                ReferenceCountUtil.release(packet);
            }
        }

        @Test
        @DisplayName("[MQTT-3.3.4-6] a client's PUBLISH must not contain a Subscription Identifier")
        void subscriptionIdentifierFromClient() {
            byte[] wire = {
                0x30, 0x06,                     // PUBLISH, QoS 0, remaining length 6
                0x00, 0x01, 't',                // topic name "t"
                0x02,                           // property length 2
                0x0B, 0x01 };                   // Subscription Identifier 1
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "MQTT-3.3.4-6");
        }

        @ParameterizedTest(name = "wildcard {0}")
        @ValueSource(chars = {'+', '#'})
        @DisplayName("[MQTT-3.3.2-2] a topic name with a wildcard is 'Topic Name invalid'")
        void wildcardInTopicName(char wildcard) {
            byte[] wire = {
                0x30, 0x06,                     // PUBLISH, QoS 0, remaining length 6
                0x00, 0x03, 'a', '/', (byte) wildcard, // topic name "a/+" or "a/#"
                0x00 };                         // property length 0
            assertRejected(server(), wire, ReasonCode.TOPIC_NAME_INVALID, "MQTT-3.3.2-2");
            assertRejected(client(), wire, ReasonCode.TOPIC_NAME_INVALID, "MQTT-3.3.2-2");
        }

        @Test
        @DisplayName("[MQTT-2.2.1-3] a QoS 1 PUBLISH with packet identifier 0 is malformed")
        void packetIdZero() {
            byte[] wire = {
                0x32, 0x06,                     // PUBLISH, QoS 1, remaining length 6
                0x00, 0x01, 't',                // topic name "t"
                0x00, 0x00,                     // packet identifier 0
                0x00 };                         // property length 0
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-2.2.1-3");
        }
    }

    // ---------------------------------------------------------------- SUBSCRIBE

    @Nested
    @DisplayName("SUBSCRIBE")
    class SubscribeRules {
        @ParameterizedTest(name = "options 0x{0}")
        @ValueSource(ints = {0x40, 0x80, 0xC0, 0x41})
        @DisplayName("[MQTT-3.8.3-5] subscription options with reserved bits 6 or 7 set are malformed")
        void reservedOptionBits(int options) {
            byte[] wire = {
                (byte) 0x82, 0x07,              // SUBSCRIBE, flags 0010, remaining length 7
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x00, 0x01, 'a',                // topic filter "a"
                (byte) options };               // subscription options with a reserved bit set
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.8.3-5");
        }

        @Test
        @DisplayName("[§3.8.3.1] Maximum QoS 3 in the subscription options is a protocol error")
        void maximumQos3() {
            byte[] wire = {
                (byte) 0x82, 0x07,              // SUBSCRIBE, flags 0010, remaining length 7
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x00, 0x01, 'a',                // topic filter "a"
                0x03 };                         // subscription options: Maximum QoS 3
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§3.8.3.1");
        }

        @Test
        @DisplayName("[§3.8.3.1] Retain Handling 3 is a protocol error")
        void retainHandling3() {
            byte[] wire = {
                (byte) 0x82, 0x07,              // SUBSCRIBE, flags 0010, remaining length 7
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x00, 0x01, 'a',                // topic filter "a"
                0x30 };                         // subscription options: Retain Handling 3, QoS 0
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§3.8.3.1");
        }

        @Test
        @DisplayName("[MQTT-3.8.3-4] No Local on a shared subscription is a protocol error")
        void noLocalOnSharedSubscription() {
            byte[] wire = {
                (byte) 0x82, 0x10,              // SUBSCRIBE, flags 0010, remaining length 16
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x00, 0x0A, '$', 's', 'h', 'a', 'r', 'e', '/', 'g', '/', 't', // topic filter "$share/g/t"
                0x04 };                         // subscription options: No Local, QoS 0
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "MQTT-3.8.3-4");
        }

        @Test
        @DisplayName("[§3.8.3.1] every defined option bit is decoded")
        void allOptions() {
            byte[] wire = {
                (byte) 0x82, 0x07,              // SUBSCRIBE, flags 0010, remaining length 7
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x00, 0x01, 'a',                // topic filter "a"
                0x2E };                         // options: Retain Handling 2, Retain As Published, No Local, QoS 2
            assertThat(decodeOne(server(), wire)).isEqualTo(new Subscribe(1, List.of(new Subscription("a",
                    QoS.EXACTLY_ONCE, true, true, RetainHandling.DO_NOT_SEND)), Properties.EMPTY));
        }

        @Test
        @DisplayName("[MQTT-3.8.3-2] a SUBSCRIBE without a topic filter is a protocol error")
        void noFilters() {
            byte[] wire = {
                (byte) 0x82, 0x03,              // SUBSCRIBE, flags 0010, remaining length 3
                0x00, 0x01,                     // packet identifier 1
                0x00 };                         // property length 0, no payload
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "MQTT-3.8.3-2");
        }
    }

    // ---------------------------------------------------------------- reason codes

    @Nested
    @DisplayName("reason codes")
    class ReasonCodes {
        static Stream<Arguments> wrongAckCodes() {
            return Stream.of(
                    Arguments.of(0x40, 0x05, "MQTT-3.4.2-1"),   // PUBACK 0x05
                    Arguments.of(0x40, 0x92, "MQTT-3.4.2-1"),   // PUBACK 0x92 (a PUBREL/PUBCOMP code)
                    Arguments.of(0x50, 0x05, "MQTT-3.5.2-1"),   // PUBREC 0x05
                    Arguments.of(0x62, 0x10, "MQTT-3.6.2-1"),   // PUBREL 0x10 (a PUBACK/PUBREC code)
                    Arguments.of(0x70, 0x80, "MQTT-3.7.2-1"));  // PUBCOMP 0x80
        }

        @ParameterizedTest(name = "first byte 0x{0}, reason code 0x{1}")
        @MethodSource("wrongAckCodes")
        @DisplayName("[MQTT-3.4.2-1] [MQTT-3.5.2-1] [MQTT-3.6.2-1] [MQTT-3.7.2-1] a publish acknowledgement must use one of its own reason codes")
        void publishAckWithForeignCode(int first, int code, String rule) {
            byte[] wire = {
                (byte) first, 0x03,             // PUBACK, PUBREC, PUBREL or PUBCOMP, remaining length 3
                0x00, 0x01,                     // packet identifier 1
                (byte) code };                  // a reason code this packet may not carry
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, rule);
        }

        @Test
        @DisplayName("[MQTT-3.14.2-1] DISCONNECT must use a Disconnect Reason Code")
        void disconnectWithForeignCode() {
            byte[] wire = {
                (byte) 0xE0, 0x01,              // DISCONNECT, remaining length 1
                0x01 };                         // reason code 0x01, not a DISCONNECT code
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.14.2-1");
        }

        @Test
        @DisplayName("[MQTT-3.15.2-1] AUTH with reason code 0x00 and properties is decoded")
        void authSuccessWithProperties() {
            byte[] wire = {
                (byte) 0xF0, 0x0A,              // AUTH, remaining length 10
                0x00,                           // reason code 0x00, success
                0x08,                           // property length 8
                0x15, 0x00, 0x01, 'm',          // Authentication Method "m"
                0x16, 0x00, 0x01, 0x2A };       // Authentication Data 0x2A
            assertThat(decodeOne(server(), wire)).isEqualTo(new Auth(ReasonCode.SUCCESS, Properties.of(
                    Property.of(PropertyId.AUTHENTICATION_METHOD, "m"),
                    Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of((byte) 0x2A)))));
        }

        @Test
        @DisplayName("[MQTT-3.15.2-1] AUTH with reason code 0x80 is malformed")
        void authWithForeignCode() {
            byte[] wire = {
                (byte) 0xF0, 0x02,              // AUTH, remaining length 2
                (byte) 0x80,                    // reason code 0x80, not an Authenticate Reason Code
                0x00 };                         // property length 0
            assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.15.2-1");
        }

        @Test
        @DisplayName("[§3.15.2.2.2] AUTH with properties but no Authentication Method is a protocol error")
        void authWithoutMethod() {
            byte[] wire = {
                (byte) 0xF0, 0x07,              // AUTH, remaining length 7
                0x18,                           // reason code 0x18, continue authentication
                0x05,                           // property length 5
                0x1F, 0x00, 0x02, 'h', 'i' };   // Reason String "hi"
            assertRejected(server(), wire, ReasonCode.PROTOCOL_ERROR, "§3.15.2.2.2");
        }

        @Test
        @DisplayName("[MQTT-3.9.3-2] a SUBACK must use Subscribe Reason Codes")
        void subAckWithForeignCode() {
            byte[] wire = {
                (byte) 0x90, 0x04,              // SUBACK, remaining length 4
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x03 };                         // reason code 0x03, not a SUBACK code
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.9.3-2");
        }

        @Test
        @DisplayName("[MQTT-3.11.3-2] an UNSUBACK must use Unsubscribe Reason Codes")
        void unsubAckWithForeignCode() {
            byte[] wire = {
                (byte) 0xB0, 0x04,              // UNSUBACK, remaining length 4
                0x00, 0x01,                     // packet identifier 1
                0x00,                           // property length 0
                0x01 };                         // reason code 0x01, not an UNSUBACK code
            assertRejected(client(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-3.11.3-2");
        }

        @Test
        @DisplayName("[§3.11.3] an UNSUBACK without reason codes is a protocol error")
        void unsubAckWithoutCodes() {
            byte[] wire = {
                (byte) 0xB0, 0x03,              // UNSUBACK, remaining length 3
                0x00, 0x01,                     // packet identifier 1
                0x00 };                         // property length 0, no reason codes
            assertRejected(client(), wire, ReasonCode.PROTOCOL_ERROR, "§3.11.3");
        }
    }

    // ---------------------------------------------------------------- UTF-8

    @Test
    @DisplayName("[MQTT-1.5.4-1] an encoded surrogate in a user property name is malformed")
    void surrogateInUserProperty() {
        byte[] wire = {
            0x10, 0x16,                         // CONNECT, remaining length 22
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
            0x05,                               // protocol version 5
            0x02,                               // connect flags: clean start
            0x00, 0x3C,                         // keep alive 60 s
            0x09,                               // property length 9
            0x26,                               // User Property
            0x00, 0x03, (byte) 0xED, (byte) 0xA0, (byte) 0x80, // name: encoded surrogate U+D800
            0x00, 0x01, 'v',                    // value "v"
            0x00, 0x00 };                       // client identifier ""
        assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.MALFORMED_PACKET, "MQTT-1.5.4-1");
    }

    @Test
    @DisplayName("[MQTT-1.5.4-2] U+0000 in a user property value is malformed")
    void nullCharacterInUserProperty() {
        byte[] wire = {
            0x10, 0x14,                         // CONNECT, remaining length 20
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
            0x05,                               // protocol version 5
            0x02,                               // connect flags: clean start
            0x00, 0x3C,                         // keep alive 60 s
            0x07,                               // property length 7
            0x26,                               // User Property
            0x00, 0x01, 'k',                    // name "k"
            0x00, 0x01, 0x00,                   // value "\u0000"
            0x00, 0x00 };                       // client identifier ""
        assertRejected(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire,
                ReasonCode.MALFORMED_PACKET, "MQTT-1.5.4-2");
    }

    @Test
    @DisplayName("[MQTT-1.5.4-1] ill-formed UTF-8 in a topic name is malformed, not 'Topic Name invalid'")
    void illFormedTopicName() {
        byte[] wire = {
            0x30, 0x05,                         // PUBLISH, QoS 0, remaining length 5
            0x00, 0x02, (byte) 0xC0, (byte) 0x80, // topic name: overlong U+0000
            0x00 };                             // property length 0
        assertRejected(server(), wire, ReasonCode.MALFORMED_PACKET, "MQTT-1.5.4-1");
    }

    @Test
    @DisplayName("[MQTT-1.5.4-3] a BOM in a user property is kept as U+FEFF")
    void bomInUserPropertyKept() {
        byte[] wire = {
            0x10, 0x16,                         // CONNECT, remaining length 22
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
            0x05,                               // protocol version 5
            0x02,                               // connect flags: clean start
            0x00, 0x3C,                         // keep alive 60 s
            0x09,                               // property length 9
            0x26,                               // User Property
            0x00, 0x01, 'k',                    // name "k"
            0x00, 0x03, (byte) 0xEF, (byte) 0xBB, (byte) 0xBF, // value "\uFEFF"
            0x00, 0x00 };                       // client identifier ""
        Connect connect = (Connect) decodeOne(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire);
        assertThat(connect.properties().userProperties()).containsExactly(new UserProperty("k", "\uFEFF"));
    }

    // ---------------------------------------------------------------- topic filters

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share//t", "$share//"})
    @DisplayName("[MQTT-4.8.2-1] a shared subscription needs a ShareName of at least one character")
    void emptyShareName(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V5)).startsWith("[MQTT-4.8.2-1]");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share/g", "$share/g/", "$share/g+/t", "$share/g#/t", "$share/+/t", "$share/#"})
    @DisplayName("[MQTT-4.8.2-2] a ShareName has no '+' or '#' and is followed by '/' and a topic filter")
    void invalidShareName(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V5)).startsWith("[MQTT-4.8.2-2]");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share/g/a/#", "$share/g/t", "$share/g/+", "$share/g/#", "$share/group-1/a/+/b", "$share/g//"})
    @DisplayName("[MQTT-4.8.2-1] [MQTT-4.8.2-2] valid shared subscriptions")
    void validSharedSubscriptions(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V5)).isNull();
    }

    @Test
    @DisplayName("[MQTT-4.8.2-1] before 5.0, $share/ is an ordinary first level")
    void shareBeforeV5() {
        assertThat(Topics.filterViolation("$share/g+/t", MqttVersion.V3_1_1)).startsWith("[MQTT-4.7.1-3]");
        assertThat(Topics.filterViolation("$share//t", MqttVersion.V3_1_1)).isNull();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share/g/a#", "$share/g/a/#/b", "a/#/b", "a#"})
    @DisplayName("[MQTT-4.7.1-1] in 5.0 a misplaced '#' breaks MQTT-4.7.1-1 (3.1.1's MQTT-4.7.1-2)")
    void sharedFilterMultiLevelWildcardNumberedFor5(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V5)).startsWith("[MQTT-4.7.1-1]");
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"$share/g/a+", "$share/g/+a/b", "a+", "a/+b"})
    @DisplayName("[MQTT-4.7.1-2] in 5.0 a misplaced '+' breaks MQTT-4.7.1-2 (3.1.1's MQTT-4.7.1-3)")
    void sharedFilterSingleLevelWildcardNumberedFor5(String filter) {
        assertThat(Topics.filterViolation(filter, MqttVersion.V5)).startsWith("[MQTT-4.7.1-2]");
    }

    // ---------------------------------------------------------------- helpers




    /** A 5.0 server-side decoder past the CONNECT: it reads what a client sends. */
    private static PacketDecoder server() {
        PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeOne(decoder, OPENING_CONNECT)).isEqualTo(new Connect(MqttVersion.V5, "", true, 60));
        assertThat(decoder.version()).isEqualTo(MqttVersion.V5);
        return decoder;
    }

    /** A 5.0 client-side decoder past the CONNACK: it reads what a server sends. */
    private static PacketDecoder client() {
        PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeOne(decoder, OPENING_CONNACK)).isEqualTo(new ConnAck(false, ReasonCode.SUCCESS));
        return decoder;
    }

    /** The decoder of the side that receives {@code type}, in the state where it may arrive. */
    private static PacketDecoder receiverOf(PacketType type) {
        return switch (type) {
            case CONNACK -> PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE);
            case SUBACK, UNSUBACK, PINGRESP -> client();
            default -> server();
        };
    }

}
