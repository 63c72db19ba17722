package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.publish1;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Malformed packets and protocol violations (MQTT 3.1.1 §1.5.3, §2, §4.8): each closes the
 * connection that sent it [MQTT-4.8.0-1], and only that one: a client connected before it and a
 * client connecting after it are served as usual.
 */
class RobustnessConformanceTest {
    private static final int MAX_PACKET_SIZE = 1024;

    private static Broker broker;
    private static int port;

    @BeforeAll
    static void startBroker() {
        broker = Brokers.start(c -> c.withLimits(MAX_PACKET_SIZE, BrokerConfig.DEFAULT_MAX_INFLIGHT,
                BrokerConfig.DEFAULT_MAX_QUEUED, BrokerConfig.DEFAULT_MAX_PENDING_QOS0));
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /**
     * Sends {@code bad} on a connected client {@code clientId} and asserts that the broker closes
     * that connection without answering, while a witness connected before keeps receiving what a
     * client connecting afterwards publishes.
     */
    private static void assertClosesOnlyThisConnection(String clientId, byte[] bad) {
        String topic = clientId + "/witness";
        try (RawClient witness = RawClient.connected(port, clientId + "-witness").subscribe(1, topic, 1);
                RawClient offender = RawClient.connected(port, clientId)) {
            offender.send(bad);
            offender.expectClosed();
            try (RawClient publisher = RawClient.connected(port, clientId + "-after")) {
                publisher.send(publish1(topic, 1, "alive"));
                publisher.expect(puback(1));
            }
            witness.expect(publish1(topic, 1, "alive"));
        }
    }

    // ---- framing ----

    @Test
    @DisplayName("[MQTT-4.8.0-1] [§2.2.3] a Remaining Length of five bytes closes the connection")
    void remainingLengthTooLong() {
        assertClosesOnlyThisConnection("x-len", bytes(
                0x30,                          // PUBLISH QoS 0
                0xFF, 0xFF, 0xFF, 0xFF, 0x01)); // Remaining Length: a fifth continuation byte
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] [§3.4.1] a PUBACK with a Remaining Length of 3 closes the connection")
    void pubackTooLong() {
        assertClosesOnlyThisConnection("x-puback", bytes(
                0x40, 0x03,                    // PUBACK, remaining length 3 instead of 2
                0x00, 0x01,                    // packet identifier 1
                0x00));                        // one byte too many
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] [§2.2.1] the reserved packet types 0 and 15 close the connection")
    void reservedPacketTypes() {
        assertClosesOnlyThisConnection("x-type0", bytes(
                0x00, 0x00));                  // type 0 (reserved), remaining length 0
        assertClosesOnlyThisConnection("x-type15", bytes(
                0xF0, 0x00));                  // type 15 (reserved), remaining length 0
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] [§2.2.1] a packet only a server sends (CONNACK, SUBACK) closes the connection")
    void serverOnlyPackets() {
        assertClosesOnlyThisConnection("x-connack", bytes(
                0x20, 0x02,                    // CONNACK, remaining length 2
                0x00, 0x00));                  // flags, return code
        assertClosesOnlyThisConnection("x-suback", bytes(
                0x90, 0x03,                    // SUBACK, remaining length 3
                0x00, 0x01, 0x00));            // packet identifier 1, QoS 0
    }

    @Test
    @DisplayName("[MQTT-2.2.2-2] [MQTT-3.6.1-1] PUBREL with flags 0000 instead of 0010 closes the connection")
    void pubrelBadFlags() {
        assertClosesOnlyThisConnection("x-pubrel", bytes(
                0x60, 0x02,                    // PUBREL with flags 0000
                0x00, 0x01));                  // packet identifier 1
    }

    @Test
    @DisplayName("[MQTT-2.2.2-2] PUBACK with a reserved flag set closes the connection")
    void pubackBadFlags() {
        assertClosesOnlyThisConnection("x-pubackf", bytes(
                0x41, 0x02,                    // PUBACK with flags 0001
                0x00, 0x01));                  // packet identifier 1
    }

    @Test
    @DisplayName("[MQTT-2.2.2-2] PINGREQ with a Remaining Length of 1 closes the connection")
    void pingreqWithBody() {
        assertClosesOnlyThisConnection("x-ping", bytes(
                0xC0, 0x01,                    // PINGREQ, remaining length 1 instead of 0
                0x00));
    }

    // ---- PUBLISH ----

    @Test
    @DisplayName("[MQTT-3.3.2-2] [MQTT-4.7.1-1] a '+' in a PUBLISH topic closes the connection")
    void plusInTopicName() {
        assertClosesOnlyThisConnection("x-plus", bytes(
                0x30, 0x06,                    // PUBLISH QoS 0, remaining length 6
                0x00, 0x03, 'a', '/', '+',     // topic "a/+": a wildcard
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-3.3.2-2] [MQTT-4.7.1-1] a '#' in a PUBLISH topic closes the connection")
    void hashInTopicName() {
        assertClosesOnlyThisConnection("x-hash", bytes(
                0x32, 0x08,                    // PUBLISH QoS 1, remaining length 8
                0x00, 0x03, 'a', '/', '#',     // topic "a/#": a wildcard
                0x00, 0x01,                    // packet identifier 1
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-3.3.1-4] a PUBLISH with QoS bits 11 closes the connection")
    void publishQos3() {
        assertClosesOnlyThisConnection("x-qos3", bytes(
                0x36, 0x06,                    // PUBLISH, QoS bits 11
                0x00, 0x01, 'q',               // topic "q"
                0x00, 0x01,                    // packet identifier 1
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-2.3.1-1] a QoS 1 PUBLISH with packet identifier 0 closes the connection")
    void publishPacketIdZero() {
        assertClosesOnlyThisConnection("x-id0", bytes(
                0x32, 0x06,                    // PUBLISH QoS 1, remaining length 6
                0x00, 0x01, 'z',               // topic "z"
                0x00, 0x00,                    // packet identifier 0
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-2.3.1-1] a SUBSCRIBE or UNSUBSCRIBE with packet identifier 0 closes the connection")
    void subscribePacketIdZero() {
        assertClosesOnlyThisConnection("x-sub0", bytes(
                0x82, 0x06,                    // SUBSCRIBE, remaining length 6
                0x00, 0x00,                    // packet identifier 0
                0x00, 0x01, 'z',               // topic filter "z"
                0x00));                        // QoS 0
        assertClosesOnlyThisConnection("x-unsub0", bytes(
                0xA2, 0x05,                    // UNSUBSCRIBE, remaining length 5
                0x00, 0x00,                    // packet identifier 0
                0x00, 0x01, 'z'));             // topic filter "z"
    }

    @Test
    @DisplayName("[MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP 1 closes the connection")
    void qos0WithDup() {
        assertClosesOnlyThisConnection("x-dup0", bytes(
                0x38, 0x04,                    // PUBLISH DUP 1, QoS 0
                0x00, 0x01, 'd',               // topic "d"
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-4.7.3-1] a PUBLISH with an empty topic closes the connection")
    void emptyTopicName() {
        assertClosesOnlyThisConnection("x-empty", bytes(
                0x30, 0x03,                    // PUBLISH QoS 0, remaining length 3
                0x00, 0x00,                    // topic "" (zero bytes)
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a PUBLISH too short for its topic length closes the connection")
    void topicRunsPastPacket() {
        assertClosesOnlyThisConnection("x-short", bytes(
                0x30, 0x04,                    // PUBLISH QoS 0, remaining length 4
                0x00, 0x05, 'a', 'b'));        // topic length 5, only 2 bytes left
    }

    // ---- UTF-8 ----

    @Test
    @DisplayName("[MQTT-1.5.3-1] ill-formed UTF-8 in a PUBLISH topic closes the connection")
    void illFormedUtf8InTopic() {
        assertClosesOnlyThisConnection("x-utf8", bytes(
                0x30, 0x06,                    // PUBLISH QoS 0, remaining length 6
                0x00, 0x03, 'a', 0xC3, 0x28,   // topic: 0xC3 followed by a byte that does not continue it
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] an overlong UTF-8 encoding ('/' as C0 AF) in a topic closes the connection")
    void overlongUtf8InTopic() {
        assertClosesOnlyThisConnection("x-overlong", bytes(
                0x30, 0x06,                    // PUBLISH QoS 0, remaining length 6
                0x00, 0x03, 'a', 0xC0, 0xAF,   // topic: overlong encoding of '/'
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] a UTF-16 surrogate (U+D800 as ED A0 80) in a topic closes the connection")
    void surrogateInTopic() {
        assertClosesOnlyThisConnection("x-surrogate", bytes(
                0x30, 0x07,                    // PUBLISH QoS 0, remaining length 7
                0x00, 0x04, 'a', 0xED, 0xA0, 0x80, // topic: an encoded surrogate
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-1.5.3-2] [MQTT-4.7.3-2] U+0000 in a PUBLISH topic closes the connection")
    void nulInTopic() {
        assertClosesOnlyThisConnection("x-nul", bytes(
                0x30, 0x06,                    // PUBLISH QoS 0, remaining length 6
                0x00, 0x03, 'a', 0x00, 'b',    // topic "a\0b"
                'p'));                         // payload "p"
    }

    @Test
    @DisplayName("[MQTT-1.5.3-2] [MQTT-4.7.3-2] U+0000 in a SUBSCRIBE topic filter closes the connection")
    void nulInFilter() {
        assertClosesOnlyThisConnection("x-nulf", bytes(
                0x82, 0x08,                    // SUBSCRIBE, remaining length 8
                0x00, 0x01,                    // packet identifier 1
                0x00, 0x03, 'a', 0x00, 'b',    // topic filter "a\0b"
                0x00));                        // QoS 0
    }

    @Test
    @DisplayName("[MQTT-3.8.3-1] [MQTT-1.5.3-1] ill-formed UTF-8 in a SUBSCRIBE topic filter closes the connection")
    void illFormedFilter() {
        assertClosesOnlyThisConnection("x-utf8f", bytes(
                0x82, 0x07,                    // SUBSCRIBE, remaining length 7
                0x00, 0x01,                    // packet identifier 1
                0x00, 0x02, 'a', 0x80,         // topic filter: 0x80 cannot start a character
                0x00));                        // QoS 0
    }

    @Test
    @DisplayName("[MQTT-3.10.3-1] [MQTT-1.5.3-1] ill-formed UTF-8 in an UNSUBSCRIBE topic filter closes the connection")
    void illFormedUnsubscribeFilter() {
        assertClosesOnlyThisConnection("x-utf8u", bytes(
                0xA2, 0x06,                    // UNSUBSCRIBE, remaining length 6
                0x00, 0x01,                    // packet identifier 1
                0x00, 0x02, 0xE2, 0x82));      // topic filter: a 3-byte sequence cut after 2 bytes
    }

    @Test
    @DisplayName("[MQTT-3.1.3-11] [MQTT-1.5.3-1] ill-formed UTF-8 in the CONNECT user name: closed without CONNACK")
    void illFormedUserName() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x13,                // CONNECT, remaining length 19
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x82,                      // connect flags: User Name, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'u', 't', 'f', // client identifier "utf"
                    0x00, 0x02, 0xF8, 0x88));  // user name: 0xF8 never occurs in UTF-8
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-1.5.3-1] ill-formed UTF-8 in the CONNECT client identifier: closed without CONNACK")
    void illFormedClientId() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0E,                // CONNECT, remaining length 14
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x02, 0xFF, 'x'));   // client identifier: 0xFF never occurs in UTF-8
            client.expectClosed();
        }
    }

    // ---- maximum packet size ----

    @Test
    @DisplayName("[MQTT-4.8.0-1] max_packet_size 1024: a 1024-byte PUBLISH is accepted")
    void packetAtLimitAccepted() {
        byte[] packet = publish(false, 1, false, "big/ok", 1, new byte[1011]);
        assertThat(packet).hasSize(MAX_PACKET_SIZE);
        try (RawClient client = RawClient.connected(port, "x-limit")) {
            client.send(packet);
            client.expect(puback(1));
        }
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] max_packet_size 1024: a 1025-byte PUBLISH closes the connection")
    void packetOverLimitCloses() {
        byte[] packet = publish(false, 1, false, "big/no", 1, new byte[1012]);
        assertThat(packet).hasSize(MAX_PACKET_SIZE + 1);
        assertClosesOnlyThisConnection("x-big", packet);
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] max_packet_size 1024: a header announcing 1 MiB closes the connection before the body arrives")
    void oversizedHeaderAloneCloses() {
        assertClosesOnlyThisConnection("x-huge", bytes(
                0x30,                          // PUBLISH QoS 0
                0x80, 0x80, 0x40));            // Remaining Length 1,048,576; no body sent
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] max_packet_size 1024: an oversized CONNECT is closed without CONNACK")
    void oversizedConnect() {
        try (RawClient client = new RawClient(port)) {
            client.send(connect311("x".repeat(1100)).build());
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] after a malformed packet, nothing the client sent after it is processed")
    void nothingAfterMalformedIsProcessed() {
        try (RawClient watcher = RawClient.connected(port, "x-after-watch").subscribe(1, "x/after", 0);
                RawClient client = RawClient.connected(port, "x-after")) {
            client.send(
                    bytes(0x36, 0x06, 0x00, 0x01, 'q', 0x00, 0x01, 'p'), // PUBLISH with QoS 3: malformed
                    Packets.publish0("x/after", "must not arrive"));
            client.expectClosed();
            watcher.send(Packets.publish0("x/after", "sentinel"));
            watcher.expect(Packets.publish0("x/after", "sentinel"));
        }
    }
}
