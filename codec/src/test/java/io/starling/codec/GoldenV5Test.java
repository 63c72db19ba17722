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
import io.starling.codec.packet.Auth;
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
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Golden vectors for MQTT 5.0, for each of the 15 packet types, written by hand from the
 * specification's field layouts. Every vector is checked both ways: the encoder writes exactly
 * these bytes, and the decoder reads them back as exactly the expected packet.
 */
class GoldenV5Test {
    private static final PacketEncoder ENCODER = new PacketEncoder(MqttVersion.V5);
    /** Pooled buffers are tracked by the leak detector, which fails a class that leaks one. */
    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** The smallest 5.0 CONNECT: it opens a server-side decoder before the packet under test. */
    private static final byte[] OPENING_CONNECT = {
        0x10, 0x0D,                         // CONNECT, remaining length 13
        0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
        0x05,                               // protocol version 5
        0x02,                               // connect flags: clean start
        0x00, 0x3C,                         // keep alive 60 s
        0x00,                               // property length 0
        0x00, 0x00 };                       // client identifier ""

    /** The smallest 5.0 CONNACK: it opens a client-side decoder. */
    private static final byte[] OPENING_CONNACK = {
        0x20, 0x03,                         // CONNACK, remaining length 3
        0x00,                               // session present 0
        0x00,                               // reason code 0x00 success
        0x00 };                             // property length 0

    // ---------------------------------------------------------------- CONNECT

    @Test
    @DisplayName("§3.1 CONNECT with every connect property and a will with every will property")
    void connectWithPropertiesAndWill() {
        byte[] wire = {
            0x10, 0x75,                                 // CONNECT, remaining length 117
            0x00, 0x04, 'M', 'Q', 'T', 'T',             // protocol name "MQTT"
            0x05,                                       // protocol version 5
            (byte) 0xF6,                                // flags: user name, password, will retain, will QoS 2, will, clean start
            0x00, 0x3C,                                 // keep alive 60 s
            0x29,                                       // property length 41
            0x11, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, // session expiry interval 0xFFFFFFFF (never)
            0x21, 0x01, 0x14,                           // receive maximum 276
            0x27, 0x00, 0x01, 0x00, 0x00,               // maximum packet size 65536
            0x22, 0x02, 0x0A,                           // topic alias maximum 522
            0x19, 0x01,                                 // request response information 1
            0x17, 0x00,                                 // request problem information 0
            0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',     // user property k=v
            0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M',  // authentication method "SCRAM"
            0x16, 0x00, 0x03, 0x01, 0x02, 0x03,         // authentication data 01 02 03
            0x00, 0x02, 'c', '1',                       // client identifier "c1"
            0x2B,                                       // will property length 43
            0x18, 0x00, 0x00, 0x00, 0x05,               // will delay interval 5 s
            0x01, 0x01,                                 // payload format indicator 1 (UTF-8)
            0x02, 0x00, 0x00, 0x00, 0x3C,               // message expiry interval 60 s
            0x03, 0x00, 0x0A, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n', // content type "text/plain"
            0x08, 0x00, 0x03, 'r', '/', 't',            // response topic "r/t"
            0x09, 0x00, 0x02, (byte) 0xAB, (byte) 0xCD, // correlation data AB CD
            0x26, 0x00, 0x01, 'w', 0x00, 0x01, '1',     // user property w=1
            0x00, 0x03, 'w', '/', 't',                  // will topic "w/t"
            0x00, 0x03, 'b', 'y', 'e',                  // will payload "bye"
            0x00, 0x01, 'u',                            // user name "u"
            0x00, 0x02, 'p', 'w' };                     // password "pw"
        Properties connectProperties = Properties.of(
                Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL),
                Property.of(PropertyId.RECEIVE_MAXIMUM, 276),
                Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 65536),
                Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, 522),
                Property.of(PropertyId.REQUEST_RESPONSE_INFORMATION, 1),
                Property.of(PropertyId.REQUEST_PROBLEM_INFORMATION, 0),
                Property.user("k", "v"),
                Property.of(PropertyId.AUTHENTICATION_METHOD, "SCRAM"),
                Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of((byte) 1, (byte) 2, (byte) 3)));
        Properties willProperties = Properties.of(
                Property.of(PropertyId.WILL_DELAY_INTERVAL, 5),
                Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
                Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60),
                Property.of(PropertyId.CONTENT_TYPE, "text/plain"),
                Property.of(PropertyId.RESPONSE_TOPIC, "r/t"),
                Property.of(PropertyId.CORRELATION_DATA, Bytes.of((byte) 0xAB, (byte) 0xCD)),
                Property.user("w", "1"));
        Connect connect = new Connect(MqttVersion.V5, "c1", true, 60, "u", bytes("pw"),
                new Will("w/t", bytes("bye"), QoS.EXACTLY_ONCE, true, willProperties), connectProperties);

        assertEncodesAs(ENCODER, connect, wire);
        PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeAll(decoder, wire)).isEqualTo(connect);
        assertThat(decoder.version()).isEqualTo(MqttVersion.V5);
    }

    @Test
    @DisplayName("§3.1.2.9 a 5.0 CONNECT may carry a password without a user name")
    void connectWithPasswordOnly() {
        byte[] wire = {
            0x10, 0x11,                         // CONNECT, remaining length 17
            0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
            0x05,                               // protocol version 5
            0x42,                               // flags: password, clean start
            0x00, 0x00,                         // keep alive 0 (off)
            0x00,                               // property length 0
            0x00, 0x00,                         // client identifier ""
            0x00, 0x02, 'p', 'w' };             // password "pw"
        Connect connect = new Connect(MqttVersion.V5, "", true, 0, null, bytes("pw"), null, Properties.EMPTY);

        assertEncodesAs(ENCODER, connect, wire);
        assertThat(decodeAll(PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE), wire)).isEqualTo(connect);
    }

    // ---------------------------------------------------------------- CONNACK

    @Test
    @DisplayName("§3.2 CONNACK session present 1, success, with the server's capability properties")
    void connAckWithProperties() {
        byte[] wire = {
            0x20, 0x3E,                                 // CONNACK, remaining length 62
            0x01,                                       // connect acknowledge flags: session present
            0x00,                                       // reason code 0x00 success
            0x3B,                                       // property length 59
            0x11, 0x00, 0x00, 0x0E, 0x10,               // session expiry interval 3600 s
            0x21, 0x00, 0x0A,                           // receive maximum 10
            0x24, 0x01,                                 // maximum QoS 1
            0x25, 0x00,                                 // retain available 0
            0x27, 0x00, 0x00, 0x10, 0x00,               // maximum packet size 4096
            0x12, 0x00, 0x06, 'a', 'u', 't', 'o', '-', '1', // assigned client identifier "auto-1"
            0x22, 0x00, 0x05,                           // topic alias maximum 5
            0x1F, 0x00, 0x02, 'o', 'k',                 // reason string "ok"
            0x26, 0x00, 0x01, 'a', 0x00, 0x02, (byte) 0xC3, (byte) 0xA9, // user property a=é (UTF-8 C3 A9)
            0x28, 0x00,                                 // wildcard subscription available 0
            0x29, 0x01,                                 // subscription identifiers available 1
            0x2A, 0x00,                                 // shared subscription available 0
            0x13, 0x01, 0x2C,                           // server keep alive 300 s
            0x1A, 0x00, 0x05, 'r', 'e', 's', 'p', '/' };// response information "resp/"
        ConnAck connAck = new ConnAck(true, ReasonCode.SUCCESS, Properties.of(
                Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 3600),
                Property.of(PropertyId.RECEIVE_MAXIMUM, 10),
                Property.of(PropertyId.MAXIMUM_QOS, 1),
                Property.of(PropertyId.RETAIN_AVAILABLE, 0),
                Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 4096),
                Property.of(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, "auto-1"),
                Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, 5),
                Property.of(PropertyId.REASON_STRING, "ok"),
                Property.user("a", "\u00e9"),
                Property.of(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, 0),
                Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1),
                Property.of(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, 0),
                Property.of(PropertyId.SERVER_KEEP_ALIVE, 300),
                Property.of(PropertyId.RESPONSE_INFORMATION, "resp/")));
        assertBothWays(connAck, wire, Side.SERVER_SENDS_FIRST);
    }

    @Test
    @DisplayName("§3.2.2.3.1 CONNACK without properties still carries property length 0")
    void connAckMinimal() {
        assertBothWays(new ConnAck(false, ReasonCode.SUCCESS), OPENING_CONNACK, Side.SERVER_SENDS_FIRST);
    }

    @Test
    @DisplayName("§3.2.2.3.16 CONNACK 0x9D server moved with a Server Reference")
    void connAckServerMoved() {
        byte[] wire = {
            0x20, 0x10,                                 // CONNACK, remaining length 16
            0x00,                                       // session present 0
            (byte) 0x9D,                                // reason code 0x9D server moved
            0x0D,                                       // property length 13
            0x1C, 0x00, 0x0A, 'o', 't', 'h', 'e', 'r', ':', '1', '8', '8', '3' }; // server reference "other:1883"
        ConnAck connAck = new ConnAck(false, ReasonCode.SERVER_MOVED,
                Properties.of(Property.of(PropertyId.SERVER_REFERENCE, "other:1883")));
        assertBothWays(connAck, wire, Side.SERVER_SENDS_FIRST);
    }

    // ---------------------------------------------------------------- PUBLISH

    @Test
    @DisplayName("§3.3.2.3.8 PUBLISH to a client with a Topic Alias and two Subscription Identifiers")
    void publishWithTopicAliasAndSubscriptionIdentifiers() {
        byte[] wire = {
            0x32, 0x12,                         // PUBLISH, QoS 1, remaining length 18
            0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
            0x00, 0x0A,                         // packet identifier 10
            0x08,                               // property length 8
            0x23, 0x00, 0x01,                   // topic alias 1
            0x0B, 0x01,                         // subscription identifier 1
            0x0B, (byte) 0x80, 0x01,            // subscription identifier 128 (two-byte variable byte integer)
            'h', 'i' };                         // payload "hi"
        Publish publish = new Publish("a/b", QoS.AT_LEAST_ONCE, false, false, 10, Properties.of(
                Property.of(PropertyId.TOPIC_ALIAS, 1),
                Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 1),
                Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 128)), payload("hi"));
        try {
            assertBothWays(publish, wire, Side.SERVER_SENDS);
            assertThat(publish.properties().subscriptionIdentifiers()).containsExactly(1L, 128L);
        } finally {
            publish.release();
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-6] a server refuses a client's PUBLISH that carries a Subscription Identifier")
    void serverRefusesSubscriptionIdentifierFromClient() {
        byte[] wire = {
            0x30, 0x0A,                         // PUBLISH, QoS 0, remaining length 10
            0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
            0x02,                               // property length 2
            0x0B, 0x01,                         // subscription identifier 1
            'h', 'i' };                         // payload "hi"
        assertRejected(opened(Side.CLIENT_SENDS), wire, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("§3.3.2.3.4 PUBLISH with an empty topic name and a Topic Alias")
    void publishWithEmptyTopicAndAlias() {
        byte[] wire = {
            0x30, 0x08,                         // PUBLISH, QoS 0, remaining length 8
            0x00, 0x00,                         // topic name "" (the alias stands for it)
            0x03,                               // property length 3
            0x23, 0x01, 0x02,                   // topic alias 258
            'h', 'i' };                         // payload "hi"
        Publish publish = new Publish("", QoS.AT_MOST_ONCE, false, false, 0,
                Properties.of(Property.of(PropertyId.TOPIC_ALIAS, 258)), payload("hi"));
        try {
            assertBothWays(publish, wire, Side.CLIENT_SENDS);
            assertBothWays(publish, wire, Side.SERVER_SENDS);
        } finally {
            publish.release();
        }
    }

    @Test
    @DisplayName("§3.3.2.1 a PUBLISH with an empty topic name and no Topic Alias is a protocol error")
    void publishWithEmptyTopicWithoutAlias() {
        byte[] wire = {
            0x30, 0x05,                         // PUBLISH, QoS 0, remaining length 5
            0x00, 0x00,                         // topic name ""
            0x00,                               // property length 0
            'h', 'i' };                         // payload "hi"
        assertRejected(opened(Side.CLIENT_SENDS), wire, ReasonCode.PROTOCOL_ERROR);
    }

    @Test
    @DisplayName("§3.3.2.3 PUBLISH QoS 2 with DUP and RETAIN and the message properties")
    void publishWithMessageProperties() {
        byte[] wire = {
            0x3D, 0x30,                                 // PUBLISH, DUP 1, QoS 2, RETAIN 1, remaining length 48
            0x00, 0x03, 'a', '/', 'b',                  // topic name "a/b"
            0x00, 0x0B,                                 // packet identifier 11
            0x26,                                       // property length 38
            0x01, 0x01,                                 // payload format indicator 1 (UTF-8)
            0x02, 0x00, 0x00, 0x00, 0x3C,               // message expiry interval 60 s
            0x03, 0x00, 0x0A, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n', // content type "text/plain"
            0x08, 0x00, 0x03, 'r', '/', 't',            // response topic "r/t"
            0x09, 0x00, 0x02, (byte) 0xAB, (byte) 0xCD, // correlation data AB CD
            0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v',     // user property k=v
            'h', 'i' };                                 // payload "hi"
        Publish publish = new Publish("a/b", QoS.EXACTLY_ONCE, true, true, 11, Properties.of(
                Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
                Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60),
                Property.of(PropertyId.CONTENT_TYPE, "text/plain"),
                Property.of(PropertyId.RESPONSE_TOPIC, "r/t"),
                Property.of(PropertyId.CORRELATION_DATA, Bytes.of((byte) 0xAB, (byte) 0xCD)),
                Property.user("k", "v")), payload("hi"));
        try {
            assertBothWays(publish, wire, Side.CLIENT_SENDS);
            assertBothWays(publish, wire, Side.SERVER_SENDS);
        } finally {
            publish.release();
        }
    }

    @Test
    @DisplayName("§3.3.2.3 a PUBLISH without properties still carries property length 0")
    void publishQos0WithoutProperties() {
        byte[] wire = {
            0x30, 0x08,                         // PUBLISH, QoS 0, remaining length 8
            0x00, 0x03, 'a', '/', 'b',          // topic name "a/b"
            0x00,                               // property length 0
            'h', 'i' };                         // payload "hi"
        Publish publish = new Publish("a/b", QoS.AT_MOST_ONCE, false, false, 0, payload("hi"));
        try {
            assertBothWays(publish, wire, Side.CLIENT_SENDS);
        } finally {
            publish.release();
        }
    }

    // ---------------------------------------------------------------- PUBACK

    @Test
    @DisplayName("§3.4.2.1 PUBACK success without properties is remaining length 2")
    void pubAckShortest() {
        byte[] wire = {
            0x40, 0x02,                         // PUBACK, remaining length 2
            0x00, 0x0A };                       // packet identifier 10 (reason 0x00 and properties left out)
        assertBothWays(new PubAck(10), wire, Side.CLIENT_SENDS);
        assertBothWays(new PubAck(10), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.4.2.1 PUBACK with a reason code and no properties is remaining length 3")
    void pubAckReasonOnly() {
        byte[] wire = {
            0x40, 0x03,                         // PUBACK, remaining length 3
            0x00, 0x0A,                         // packet identifier 10
            0x10 };                             // reason code 0x10 no matching subscribers (property length left out)
        assertBothWays(new PubAck(10, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.4.2.2 PUBACK with a reason code and a Reason String")
    void pubAckWithProperties() {
        byte[] wire = {
            0x40, 0x09,                         // PUBACK, remaining length 9
            0x00, 0x0A,                         // packet identifier 10
            (byte) 0x87,                        // reason code 0x87 not authorized
            0x05,                               // property length 5
            0x1F, 0x00, 0x02, 'n', 'o' };       // reason string "no"
        PubAck pubAck = new PubAck(10, ReasonCode.NOT_AUTHORIZED,
                Properties.of(Property.of(PropertyId.REASON_STRING, "no")));
        assertBothWays(pubAck, wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.4.2.1 PUBACK success with properties keeps its 0x00 reason code")
    void pubAckSuccessWithProperties() {
        byte[] wire = {
            0x40, 0x0B,                         // PUBACK, remaining length 11
            0x00, 0x0A,                         // packet identifier 10
            0x00,                               // reason code 0x00 success
            0x07,                               // property length 7
            0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v' }; // user property k=v
        PubAck pubAck = new PubAck(10, ReasonCode.SUCCESS, Properties.of(Property.user("k", "v")));
        assertBothWays(pubAck, wire, Side.CLIENT_SENDS);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "'40 03 00 0A 00',    10, SUCCESS",
        "'40 04 00 0A 00 00', 10, SUCCESS",
        "'40 04 00 0A 10 00', 10, NO_MATCHING_SUBSCRIBERS" })
    @DisplayName("§3.4.2.1 longer PUBACK forms decode to the same packet: explicit 0x00 reason, empty property list")
    void pubAckLongerForms(String hex, int packetId, ReasonCode code) {
        // PUBACK, remaining length 3 or 4, packet identifier 10, reason code, [property length 0]
        byte[] wire = ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
        assertThat(decodeAll(opened(Side.SERVER_SENDS), wire))
                .isEqualTo(new PubAck(packetId, code, Properties.EMPTY));
    }

    // ---------------------------------------------------------- PUBREC, PUBREL, PUBCOMP

    @Test
    @DisplayName("§3.5 PUBREC success (2 bytes) and 0x10 no matching subscribers (3 bytes)")
    void pubRec() {
        assertBothWays(new PubRec(10), new byte[] {
            0x50, 0x02,                         // PUBREC, remaining length 2
            0x00, 0x0A }, Side.SERVER_SENDS);   // packet identifier 10
        assertBothWays(new PubRec(10, ReasonCode.NO_MATCHING_SUBSCRIBERS, Properties.EMPTY), new byte[] {
            0x50, 0x03,                         // PUBREC, remaining length 3
            0x00, 0x0A,                         // packet identifier 10
            0x10 }, Side.SERVER_SENDS);         // reason code 0x10 no matching subscribers
    }

    @Test
    @DisplayName("§3.5.2.1 PUBREC 0x80 unspecified error with a user property")
    void pubRecErrorWithProperties() {
        byte[] wire = {
            0x50, 0x0B,                         // PUBREC, remaining length 11
            0x00, 0x0A,                         // packet identifier 10
            (byte) 0x80,                        // reason code 0x80 unspecified error
            0x07,                               // property length 7
            0x26, 0x00, 0x01, 'e', 0x00, 0x01, '1' }; // user property e=1
        assertBothWays(new PubRec(10, ReasonCode.UNSPECIFIED_ERROR, Properties.of(Property.user("e", "1"))),
                wire, Side.CLIENT_SENDS);
    }

    @Test
    @DisplayName("[MQTT-3.6.1-1] PUBREL (0x62) success and 0x92 packet identifier not found")
    void pubRel() {
        assertBothWays(new PubRel(10), new byte[] {
            0x62, 0x02,                         // PUBREL, reserved flags 0010, remaining length 2
            0x00, 0x0A }, Side.CLIENT_SENDS);   // packet identifier 10
        assertBothWays(new PubRel(10, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, Properties.EMPTY), new byte[] {
            0x62, 0x03,                         // PUBREL, reserved flags 0010, remaining length 3
            0x00, 0x0A,                         // packet identifier 10
            (byte) 0x92 }, Side.SERVER_SENDS);  // reason code 0x92 packet identifier not found
    }

    @Test
    @DisplayName("§3.7 PUBCOMP success and 0x92 packet identifier not found with a Reason String")
    void pubComp() {
        assertBothWays(new PubComp(10), new byte[] {
            0x70, 0x02,                         // PUBCOMP, remaining length 2
            0x00, 0x0A }, Side.SERVER_SENDS);   // packet identifier 10
        assertBothWays(new PubComp(10, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND,
                Properties.of(Property.of(PropertyId.REASON_STRING, "gone"))), new byte[] {
            0x70, 0x0B,                         // PUBCOMP, remaining length 11
            0x00, 0x0A,                         // packet identifier 10
            (byte) 0x92,                        // reason code 0x92 packet identifier not found
            0x07,                               // property length 7
            0x1F, 0x00, 0x04, 'g', 'o', 'n', 'e' }, Side.CLIENT_SENDS); // reason string "gone"
    }

    // ---------------------------------------------------------------- SUBSCRIBE

    @Test
    @DisplayName("§3.8.3.1 SUBSCRIBE options (No Local, Retain As Published, Retain Handling) and a Subscription Identifier")
    void subscribeWithOptions() {
        byte[] wire = {
            (byte) 0x82, 0x20,                  // SUBSCRIBE, reserved flags 0010, remaining length 32
            0x00, 0x0A,                         // packet identifier 10
            0x05,                               // property length 5
            0x0B, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x7F, // subscription identifier 268,435,455 (largest)
            0x00, 0x03, 'a', '/', 'b',          // topic filter "a/b"
            0x25,                               // options: retain handling 2 (0x20), no local (0x04), QoS 1
            0x00, 0x03, 'c', '/', 'd',          // topic filter "c/d"
            0x1A,                               // options: retain handling 1 (0x10), retain as published (0x08), QoS 2
            0x00, 0x03, 'e', '/', '#',          // topic filter "e/#"
            0x00,                               // options: retain handling 0, QoS 0
            0x00, 0x03, 'x', '/', 'y',          // topic filter "x/y"
            0x2D };                             // options: retain handling 2, retain as published, no local, QoS 1
        Subscribe subscribe = new Subscribe(10, List.of(
                new Subscription("a/b", QoS.AT_LEAST_ONCE, true, false, RetainHandling.DO_NOT_SEND),
                new Subscription("c/d", QoS.EXACTLY_ONCE, false, true, RetainHandling.SEND_IF_NEW_SUBSCRIPTION),
                new Subscription("e/#", QoS.AT_MOST_ONCE),
                new Subscription("x/y", QoS.AT_LEAST_ONCE, true, true, RetainHandling.DO_NOT_SEND)),
                Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 268_435_455)));
        assertBothWays(subscribe, wire, Side.CLIENT_SENDS);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-5] SUBSCRIBE options with reserved bits 6 and 7 set are malformed")
    void subscribeReservedOptionBits() {
        byte[] wire = {
            (byte) 0x82, 0x09,                  // SUBSCRIBE, reserved flags 0010, remaining length 9
            0x00, 0x0A,                         // packet identifier 10
            0x00,                               // property length 0
            0x00, 0x03, 'a', '/', 'b',          // topic filter "a/b"
            0x41 };                             // options: reserved bit 6 set, QoS 1
        assertRejected(opened(Side.CLIENT_SENDS), wire, ReasonCode.MALFORMED_PACKET);
    }

    // ---------------------------------------------------------------- SUBACK

    @Test
    @DisplayName("§3.9.3 SUBACK with every 5.0 SUBACK reason code")
    void subAckEveryReasonCode() {
        byte[] wire = {
            (byte) 0x90, 0x0F,                  // SUBACK, remaining length 15
            0x00, 0x0A,                         // packet identifier 10
            0x00,                               // property length 0
            0x00,                               // granted QoS 0
            0x01,                               // granted QoS 1
            0x02,                               // granted QoS 2
            (byte) 0x80,                        // unspecified error
            (byte) 0x83,                        // implementation specific error
            (byte) 0x87,                        // not authorized
            (byte) 0x8F,                        // topic filter invalid
            (byte) 0x91,                        // packet identifier in use
            (byte) 0x97,                        // quota exceeded
            (byte) 0x9E,                        // shared subscriptions not supported
            (byte) 0xA1,                        // subscription identifiers not supported
            (byte) 0xA2 };                      // wildcard subscriptions not supported
        SubAck subAck = new SubAck(10, List.of(
                ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_2,
                ReasonCode.UNSPECIFIED_ERROR, ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, ReasonCode.NOT_AUTHORIZED,
                ReasonCode.TOPIC_FILTER_INVALID, ReasonCode.PACKET_IDENTIFIER_IN_USE, ReasonCode.QUOTA_EXCEEDED,
                ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED, ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
                ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED));
        assertBothWays(subAck, wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.9.2.1 SUBACK with a Reason String")
    void subAckWithReasonString() {
        byte[] wire = {
            (byte) 0x90, 0x08,                  // SUBACK, remaining length 8
            0x00, 0x0B,                         // packet identifier 11
            0x04,                               // property length 4
            0x1F, 0x00, 0x01, 'x',              // reason string "x"
            (byte) 0x9E };                      // shared subscriptions not supported
        SubAck subAck = new SubAck(11, List.of(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED),
                Properties.of(Property.of(PropertyId.REASON_STRING, "x")));
        assertBothWays(subAck, wire, Side.SERVER_SENDS);
    }

    // ---------------------------------------------------------------- UNSUBSCRIBE, UNSUBACK

    @Test
    @DisplayName("[MQTT-3.10.1-1] UNSUBSCRIBE (0xA2) with a user property and topic filters a/b and c/d")
    void unsubscribe() {
        byte[] wire = {
            (byte) 0xA2, 0x14,                  // UNSUBSCRIBE, reserved flags 0010, remaining length 20
            0x00, 0x0A,                         // packet identifier 10
            0x07,                               // property length 7
            0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
            0x00, 0x03, 'a', '/', 'b',          // topic filter "a/b"
            0x00, 0x03, 'c', '/', 'd' };        // topic filter "c/d"
        assertBothWays(new Unsubscribe(10, List.of("a/b", "c/d"), Properties.of(Property.user("k", "v"))),
                wire, Side.CLIENT_SENDS);
    }

    @Test
    @DisplayName("§3.11.3 UNSUBACK with reason codes 0x00 success and 0x11 no subscription existed")
    void unsubAck() {
        byte[] wire = {
            (byte) 0xB0, 0x05,                  // UNSUBACK, remaining length 5
            0x00, 0x0A,                         // packet identifier 10
            0x00,                               // property length 0
            0x00,                               // success
            0x11 };                             // no subscription existed
        assertBothWays(new UnsubAck(10, List.of(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED),
                Properties.EMPTY), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.11.3 UNSUBACK with the error reason codes")
    void unsubAckErrors() {
        byte[] wire = {
            (byte) 0xB0, 0x08,                  // UNSUBACK, remaining length 8
            0x00, 0x0B,                         // packet identifier 11
            0x00,                               // property length 0
            (byte) 0x80,                        // unspecified error
            (byte) 0x83,                        // implementation specific error
            (byte) 0x87,                        // not authorized
            (byte) 0x8F,                        // topic filter invalid
            (byte) 0x91 };                      // packet identifier in use
        assertBothWays(new UnsubAck(11, List.of(ReasonCode.UNSPECIFIED_ERROR,
                ReasonCode.IMPLEMENTATION_SPECIFIC_ERROR, ReasonCode.NOT_AUTHORIZED, ReasonCode.TOPIC_FILTER_INVALID,
                ReasonCode.PACKET_IDENTIFIER_IN_USE), Properties.EMPTY), wire, Side.SERVER_SENDS);
    }

    // ---------------------------------------------------------------- PING

    @Test
    @DisplayName("§3.12 PINGREQ is the two bytes 0xC0 0x00")
    void pingReq() {
        assertBothWays(PingReq.INSTANCE, new byte[] {
            (byte) 0xC0, 0x00 }, Side.CLIENT_SENDS);    // PINGREQ, remaining length 0
    }

    @Test
    @DisplayName("§3.13 PINGRESP is the two bytes 0xD0 0x00")
    void pingResp() {
        assertBothWays(PingResp.INSTANCE, new byte[] {
            (byte) 0xD0, 0x00 }, Side.SERVER_SENDS);    // PINGRESP, remaining length 0
    }

    // ---------------------------------------------------------------- DISCONNECT

    @Test
    @DisplayName("§3.14.2.1 DISCONNECT normal disconnection without properties is 0xE0 0x00")
    void disconnectShort() {
        byte[] wire = {
            (byte) 0xE0, 0x00 };                // DISCONNECT, remaining length 0 (reason 0x00, no properties)
        assertBothWays(Disconnect.NORMAL, wire, Side.CLIENT_SENDS);
        assertBothWays(Disconnect.NORMAL, wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.14.2 DISCONNECT 0x04 with will message, Session Expiry Interval and Reason String")
    void disconnectWithWillAndProperties() {
        byte[] wire = {
            (byte) 0xE0, 0x0D,                  // DISCONNECT, remaining length 13
            0x04,                               // reason code 0x04 disconnect with will message
            0x0B,                               // property length 11
            0x11, 0x00, 0x00, 0x00, 0x3C,       // session expiry interval 60 s
            0x1F, 0x00, 0x03, 'b', 'y', 'e' };  // reason string "bye"
        Disconnect disconnect = new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE, Properties.of(
                Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60),
                Property.of(PropertyId.REASON_STRING, "bye")));
        assertBothWays(disconnect, wire, Side.CLIENT_SENDS);
    }

    @Test
    @DisplayName("§3.14.2.1 DISCONNECT from the server with a reason code and no property length")
    void disconnectReasonOnly() {
        byte[] wire = {
            (byte) 0xE0, 0x01,                  // DISCONNECT, remaining length 1
            (byte) 0x8E };                      // reason code 0x8E session taken over
        assertBothWays(new Disconnect(ReasonCode.SESSION_TAKEN_OVER), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§3.14.2.2.5 DISCONNECT 0x9C use another server with a Server Reference")
    void disconnectUseAnotherServer() {
        byte[] wire = {
            (byte) 0xE0, 0x0F,                  // DISCONNECT, remaining length 15
            (byte) 0x9C,                        // reason code 0x9C use another server
            0x0D,                               // property length 13
            0x1C, 0x00, 0x0A, 'o', 't', 'h', 'e', 'r', ':', '1', '8', '8', '3' }; // server reference "other:1883"
        Disconnect disconnect = new Disconnect(ReasonCode.USE_ANOTHER_SERVER,
                Properties.of(Property.of(PropertyId.SERVER_REFERENCE, "other:1883")));
        assertBothWays(disconnect, wire, Side.SERVER_SENDS);
    }

    // ---------------------------------------------------------------- AUTH

    @Test
    @DisplayName("§3.15.2.1 AUTH success without properties is 0xF0 0x00")
    void authShort() {
        byte[] wire = {
            (byte) 0xF0, 0x00 };                // AUTH, remaining length 0 (reason 0x00, no properties)
        assertBothWays(new Auth(ReasonCode.SUCCESS, Properties.EMPTY), wire, Side.CLIENT_SENDS);
        assertBothWays(new Auth(ReasonCode.SUCCESS, Properties.EMPTY), wire, Side.SERVER_SENDS);
    }

    @Test
    @DisplayName("§4.12 AUTH 0x18 continue authentication with Authentication Method and Data, before CONNACK")
    void authContinue() {
        byte[] wire = {
            (byte) 0xF0, 0x10,                  // AUTH, remaining length 16
            0x18,                               // reason code 0x18 continue authentication
            0x0E,                               // property length 14
            0x15, 0x00, 0x05, 'S', 'C', 'R', 'A', 'M', // authentication method "SCRAM"
            0x16, 0x00, 0x03, 0x01, 0x02, 0x03 };      // authentication data 01 02 03
        Auth auth = new Auth(ReasonCode.CONTINUE_AUTHENTICATION, Properties.of(
                Property.of(PropertyId.AUTHENTICATION_METHOD, "SCRAM"),
                Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of((byte) 1, (byte) 2, (byte) 3))));
        assertBothWays(auth, wire, Side.SERVER_SENDS_FIRST);
        assertBothWays(auth, wire, Side.CLIENT_SENDS);
    }

    @Test
    @DisplayName("§4.12 a client decoder reads AUTH, then the CONNACK that ends the exchange")
    void authThenConnAck() {
        byte[] auth = {
            (byte) 0xF0, 0x09,                  // AUTH, remaining length 9
            0x18,                               // reason code 0x18 continue authentication
            0x07,                               // property length 7
            0x15, 0x00, 0x04, 'T', 'E', 'S', 'T' }; // authentication method "TEST"
        PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE);
        assertThat(decodeAll(decoder, auth)).isEqualTo(new Auth(ReasonCode.CONTINUE_AUTHENTICATION,
                Properties.of(Property.of(PropertyId.AUTHENTICATION_METHOD, "TEST"))));
        assertThat(decodeAll(decoder, OPENING_CONNACK)).isEqualTo(new ConnAck(false, ReasonCode.SUCCESS));
    }

    // ------------------------------------------------ encoding for 3.1.1 from the 5.0 model

    @Nested
    @DisplayName("Encoding the 5.0 model for 3.1.1")
    class ForV311 {
        private final PacketEncoder v311 = new PacketEncoder(MqttVersion.V3_1_1);

        @ParameterizedTest(name = "{0} -> return code {1}")
        @CsvSource({
            "SUCCESS, 0",
            "UNSUPPORTED_PROTOCOL_VERSION, 1",
            "CLIENT_IDENTIFIER_NOT_VALID, 2",
            "SERVER_UNAVAILABLE, 3",
            "BAD_USER_NAME_OR_PASSWORD, 4",
            "NOT_AUTHORIZED, 5",
            "SERVER_BUSY, 3",
            "BANNED, 5",
            "BAD_AUTHENTICATION_METHOD, 4" })
        @DisplayName("3.1.1 §3.2.2.3 a CONNACK reason code becomes the nearest 3.1.1 return code")
        void connAckReturnCode(ReasonCode code, int returnCode) {
            assertEncodesAs(v311, new ConnAck(false, code), new byte[] {
                0x20, 0x02,                     // CONNACK, remaining length 2
                0x00,                           // session present 0
                (byte) returnCode });           // 3.1.1 return code
        }

        @Test
        @DisplayName("[MQTT-3.9.3-2] a SUBACK failure code becomes 0x80 in 3.1.1")
        void subAckFailureIs0x80() {
            assertEncodesAs(v311, new SubAck(10, List.of(ReasonCode.GRANTED_QOS_1, ReasonCode.TOPIC_FILTER_INVALID,
                    ReasonCode.NOT_AUTHORIZED, ReasonCode.GRANTED_QOS_2)), new byte[] {
                (byte) 0x90, 0x06,              // SUBACK, remaining length 6
                0x00, 0x0A,                     // packet identifier 10
                0x01,                           // granted QoS 1
                (byte) 0x80,                    // failure (was 0x8F topic filter invalid)
                (byte) 0x80,                    // failure (was 0x87 not authorized)
                0x02 });                        // granted QoS 2
        }

        @Test
        @DisplayName("§3.2 CONNACK properties are left out in 3.1.1")
        void connAckWithoutProperties() {
            assertEncodesAs(v311, new ConnAck(true, ReasonCode.SUCCESS,
                    Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))), new byte[] {
                0x20, 0x02,                     // CONNACK, remaining length 2
                0x01,                           // session present 1
                0x00 });                        // return code 0
        }

        @Test
        @DisplayName("§3.1 CONNECT named 3.1.1 leaves out connect and will properties")
        void connectWithoutProperties() {
            Connect connect = new Connect(MqttVersion.V3_1_1, "c1", true, 10, null, null,
                    new Will("w/t", bytes("bye"), QoS.AT_MOST_ONCE, false,
                            Properties.of(Property.of(PropertyId.WILL_DELAY_INTERVAL, 5))),
                    Properties.of(Property.of(PropertyId.RECEIVE_MAXIMUM, 20)));
            byte[] wire = {
                0x10, 0x18,                         // CONNECT, remaining length 24
                0x00, 0x04, 'M', 'Q', 'T', 'T',     // protocol name "MQTT"
                0x04,                               // protocol level 4
                0x06,                               // flags: will QoS 0, will, clean session
                0x00, 0x0A,                         // keep alive 10 s
                0x00, 0x02, 'c', '1',               // client identifier "c1"
                0x00, 0x03, 'w', '/', 't',          // will topic "w/t"
                0x00, 0x03, 'b', 'y', 'e' };        // will message "bye"
            assertEncodesAs(v311, connect, wire);
            assertEncodesAs(ENCODER, connect, wire); // a CONNECT is always written in the version it names
        }

        @Test
        @DisplayName("§3.3 PUBLISH properties are left out in 3.1.1")
        void publishWithoutProperties() {
            Publish publish = new Publish("a/b", QoS.AT_LEAST_ONCE, false, false, 10, Properties.of(
                    Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60),
                    Property.user("k", "v")), payload("hi"));
            try {
                assertEncodesAs(v311, publish, new byte[] {
                    0x32, 0x09,                     // PUBLISH, QoS 1, remaining length 9
                    0x00, 0x03, 'a', '/', 'b',      // topic name "a/b"
                    0x00, 0x0A,                     // packet identifier 10
                    'h', 'i' });                    // payload "hi"
            } finally {
                publish.release();
            }
        }

        @Test
        @DisplayName("§3.4-3.7 acknowledgements are the packet identifier alone in 3.1.1")
        void acksWithoutReasonOrProperties() {
            Properties reason = Properties.of(Property.of(PropertyId.REASON_STRING, "no"));
            assertEncodesAs(v311, new PubAck(10, ReasonCode.NOT_AUTHORIZED, reason), new byte[] {
                0x40, 0x02, 0x00, 0x0A });          // PUBACK, remaining length 2, packet identifier 10
            assertEncodesAs(v311, new PubRec(10, ReasonCode.NO_MATCHING_SUBSCRIBERS, reason), new byte[] {
                0x50, 0x02, 0x00, 0x0A });          // PUBREC, remaining length 2, packet identifier 10
            assertEncodesAs(v311, new PubRel(10, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, reason), new byte[] {
                0x62, 0x02, 0x00, 0x0A });          // PUBREL, remaining length 2, packet identifier 10
            assertEncodesAs(v311, new PubComp(10, ReasonCode.PACKET_IDENTIFIER_NOT_FOUND, reason), new byte[] {
                0x70, 0x02, 0x00, 0x0A });          // PUBCOMP, remaining length 2, packet identifier 10
        }

        @Test
        @DisplayName("§3.8 SUBSCRIBE keeps only the requested QoS in 3.1.1")
        void subscribeWithoutOptionsOrProperties() {
            Subscribe subscribe = new Subscribe(10, List.of(
                    new Subscription("a/b", QoS.EXACTLY_ONCE, true, true, RetainHandling.DO_NOT_SEND)),
                    Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 5)));
            assertEncodesAs(v311, subscribe, new byte[] {
                (byte) 0x82, 0x08,                  // SUBSCRIBE, reserved flags 0010, remaining length 8
                0x00, 0x0A,                         // packet identifier 10
                0x00, 0x03, 'a', '/', 'b',          // topic filter "a/b"
                0x02 });                            // requested QoS 2, no other option bits
        }

        @Test
        @DisplayName("§3.10-3.11 UNSUBSCRIBE and UNSUBACK lose properties and reason codes in 3.1.1")
        void unsubscribeAndUnsubAck() {
            Properties user = Properties.of(Property.user("k", "v"));
            assertEncodesAs(v311, new Unsubscribe(10, List.of("a/b"), user), new byte[] {
                (byte) 0xA2, 0x07,                  // UNSUBSCRIBE, reserved flags 0010, remaining length 7
                0x00, 0x0A,                         // packet identifier 10
                0x00, 0x03, 'a', '/', 'b' });       // topic filter "a/b"
            assertEncodesAs(v311, new UnsubAck(10, List.of(ReasonCode.SUCCESS, ReasonCode.NO_SUBSCRIPTION_EXISTED),
                    user), new byte[] {
                (byte) 0xB0, 0x02,                  // UNSUBACK, remaining length 2
                0x00, 0x0A });                      // packet identifier 10
        }

        @Test
        @DisplayName("§3.14 DISCONNECT is two bytes in 3.1.1 whatever its reason and properties")
        void disconnectWithoutReason() {
            assertEncodesAs(v311, new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE,
                    Properties.of(Property.of(PropertyId.REASON_STRING, "bye"))), new byte[] {
                (byte) 0xE0, 0x00 });               // DISCONNECT, remaining length 0
        }

        @Test
        @DisplayName("§2.2.1 AUTH (type 15) is reserved in 3.1.1 and is refused")
        void authRefused() {
            Auth auth = new Auth(ReasonCode.SUCCESS, Properties.EMPTY);
            assertThatThrownBy(() -> v311.encodedSize(auth)).isInstanceOf(IllegalArgumentException.class);
            ByteBuf out = ALLOC.buffer();
            try {
                assertThatThrownBy(() -> v311.encode(auth, out)).isInstanceOf(IllegalArgumentException.class);
                assertThat(out.writerIndex()).isZero();
            } finally {
                out.release();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Which end sends the packet under test, so which decoder must read it. */
    private enum Side { CLIENT_SENDS, SERVER_SENDS, SERVER_SENDS_FIRST }

    private static void assertRejected(PacketDecoder decoder, byte[] wire, ReasonCode code) {
        ByteBuf in = pooled(wire);
        try {
            assertThatThrownBy(() -> decoder.decode(in))
                    .isInstanceOfSatisfying(PacketDecodeException.class, e -> assertThat(e.reasonCode()).isEqualTo(code));
        } finally {
            in.release();
        }
    }

    private static void assertBothWays(Packet packet, byte[] wire, Side side) {
        assertEncodesAs(ENCODER, packet, wire);
        PacketDecoder decoder = side == Side.SERVER_SENDS_FIRST
                ? PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE)
                : opened(side);
        Packet decoded = decodeAll(decoder, wire);
        try {
            assertThat(decoded).isEqualTo(packet);
        } finally {
            ReferenceCountUtil.release(decoded);
        }
        if (decoded instanceof Publish p) {
            assertThat(p.refCnt()).as("input memory freed once the decoded PUBLISH is released").isZero();
        }
    }

    /** Both encode methods write exactly {@code wire}, and encodedSize is its length. */
    private static void assertEncodesAs(PacketEncoder encoder, Packet packet, byte[] wire) {
        assertThat(encoder.encodedSize(packet)).as("encodedSize").isEqualTo(wire.length);
        ByteBuf out = ALLOC.buffer();
        try {
            encoder.encode(packet, out);
            assertThat(ByteBufUtil.getBytes(out)).as("encode(packet, out)").inHexadecimal().containsExactly(wire);
        } finally {
            out.release();
        }
        ByteBuf allocated = encoder.encode(ALLOC, packet);
        try {
            assertThat(ByteBufUtil.getBytes(allocated)).as("encode(alloc, packet)").inHexadecimal().containsExactly(wire);
        } finally {
            allocated.release();
        }
    }

    /** A 5.0 decoder past the handshake, reading what {@code side} sends. */
    private static PacketDecoder opened(Side side) {
        if (side == Side.CLIENT_SENDS) {
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            assertThat(decodeAll(decoder, OPENING_CONNECT)).isEqualTo(new Connect(MqttVersion.V5, "", true, 60));
            return decoder;
        }
        PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V5, PacketDecoder.MAX_PACKET_SIZE);
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

    private static ByteBuf payload(String ascii) {
        return pooled(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    /** A pooled copy of {@code bytes}, so that an unreleased buffer shows up as a leak. */
    private static ByteBuf pooled(byte[] bytes) {
        return ALLOC.directBuffer(bytes.length).writeBytes(bytes);
    }
}
