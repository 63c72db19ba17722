package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED;
import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED_SESSION_PRESENT;
import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.connect31;
import static io.starling.broker.conformance.Packets.disconnect;
import static io.starling.broker.conformance.Packets.pingreq;
import static io.starling.broker.conformance.Packets.pingresp;
import static io.starling.broker.conformance.Packets.publish0;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.subscribe;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CONNECT and CONNACK (MQTT 3.1.1 §3.1, §3.2, and 3.1 where it differs), byte for byte. */
class ConnectConformanceTest {
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void startBroker() {
        broker = Brokers.start();
        port = broker.port();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a PINGREQ as the first packet closes the connection without an answer")
    void firstPacketMustBeConnect() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0xC0, 0x00));              // PINGREQ, remaining length 0
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.0-1] a PUBLISH as the first packet closes the connection and is not routed")
    void publishBeforeConnectIsNotRouted() {
        try (RawClient subscriber = RawClient.connected(port, "c-first-sub").subscribe(1, "c/first", 0);
                RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x30, 0x0B,                // PUBLISH QoS 0, remaining length 11
                    0x00, 0x07, 'c', '/', 'f', 'i', 'r', 's', 't', // topic "c/first"
                    'x', 'y'));                // payload "xy"
            client.expectClosed();
            // the next packet the subscriber sees is the answer to its own PINGREQ
            subscriber.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.0-2] a second CONNECT is a protocol violation: the connection is closed")
    void secondConnectCloses() {
        byte[] connect = bytes(
                0x10, 0x0F,                    // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                          // protocol level 4 (3.1.1)
                0x02,                          // connect flags: clean session
                0x00, 0x3C,                    // keep alive 60 s
                0x00, 0x03, 'c', '2', 'c');    // client identifier "c2c"
        try (RawClient client = new RawClient(port)) {
            client.send(connect);
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK, remaining length 2
                    0x00,                      // session present 0
                    0x00));                    // return code 0: accepted
            client.send(connect);
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-2] protocol level 6 is answered with CONNACK 0x01, then the connection is closed")
    void unsupportedProtocolLevel() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0F,                // CONNECT, remaining length 15
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x06,                      // protocol level 6: no such version
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'l', 'v', '6')); // client identifier "lv6"
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK, remaining length 2
                    0x00,                      // session present 0
                    0x01));                    // 0x01: unacceptable protocol version
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-2] protocol name MQIsdp with level 4 is answered with CONNACK 0x01, then closed")
    void mqisdpWithLevel4IsRefused() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x11,                // CONNECT, remaining length 17
                    0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name "MQIsdp" (3.1)
                    0x04,                      // protocol level 4: not a 3.1 level
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'm', 'q', '4')); // client identifier "mq4"
            client.expect(bytes(0x20, 0x02, 0x00, 0x01)); // CONNACK 0x01
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-1] an unknown protocol name is not processed as 3.1.1: closed without CONNACK")
    void unknownProtocolName() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0F,                // CONNECT, remaining length 15
                    0x00, 0x04, 'M', 'Q', 'T', 'X', // protocol name "MQTX"
                    0x04,                      // protocol level 4
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'p', 'n', 'x')); // client identifier "pnx"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-3] the reserved connect flag set: closed without CONNACK")
    void reservedConnectFlag() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0F,                // CONNECT, remaining length 15
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x03,                      // connect flags: clean session + reserved bit 0
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'r', 's', 'v')); // client identifier "rsv"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-13] Will QoS 1 without the Will Flag: closed without CONNACK")
    void willQosWithoutWillFlag() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0F,                // CONNECT, remaining length 15
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x0A,                      // connect flags: Will QoS 1 (bits 4-3 = 01), Will Flag 0, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'w', 'q', '1')); // client identifier "wq1"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-15] Will Retain without the Will Flag: closed without CONNACK")
    void willRetainWithoutWillFlag() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0F,                // CONNECT, remaining length 15
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x22,                      // connect flags: Will Retain, Will Flag 0, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'w', 'r', '1')); // client identifier "wr1"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-14] Will QoS 3: closed without CONNACK")
    void willQos3() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x16,                // CONNECT, remaining length 22
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x1E,                      // connect flags: Will QoS 3 (bits 4-3 = 11), Will Flag, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'w', 'q', '3', // client identifier "wq3"
                    0x00, 0x01, 'w',           // will topic "w"
                    0x00, 0x02, 'b', 'y'));    // will message "by"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-22] Password Flag without User Name Flag: closed without CONNACK")
    void passwordWithoutUserName() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x13,                // CONNECT, remaining length 19
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x42,                      // connect flags: Password, no User Name, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'p', 'w', 'u', // client identifier "pwu"
                    0x00, 0x02, 'p', 'w'));    // password "pw"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-1] a CONNECT that ends inside its client identifier: closed without CONNACK")
    void truncatedConnect() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0D,                // CONNECT, remaining length 13
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 't'));         // client identifier of length 3 with only 1 byte in the packet
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-5] beyond the 23-character minimum: a 200-character client identifier is accepted")
    void longClientIdAccepted() {
        String id = "L".repeat(200);
        try (RawClient client = RawClient.connected(port, connect311(id).build())) {
            client.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-4] a non-ASCII UTF-8 client identifier is accepted")
    void nonAsciiClientIdAccepted() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x13,                // CONNECT, remaining length 19
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x07,                // client identifier of 7 bytes:
                    0xC3, 0xB1,                //   U+00F1 (n with tilde)
                    0xF0, 0x9F, 0x90, 0xA6,    //   U+1F426 (bird), outside the BMP
                    '1'));                     //   "1"
            client.expect(bytes(0x20, 0x02, 0x00, 0x00)); // CONNACK accepted
            client.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-6] an empty client identifier with a clean session is accepted and assigned a unique identifier")
    void emptyClientIdWithCleanSession() {
        byte[] connect = bytes(
                0x10, 0x0C,                    // CONNECT, remaining length 12
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x04,                          // protocol level 4
                0x02,                          // connect flags: clean session
                0x00, 0x3C,                    // keep alive 60 s
                0x00, 0x00);                   // client identifier "" (zero bytes)
        try (RawClient first = new RawClient(port, "first"); RawClient second = new RawClient(port, "second")) {
            first.send(connect);
            first.expect(bytes(0x20, 0x02, 0x00, 0x00)); // CONNACK: session present 0, accepted
            second.send(connect);
            second.expect(bytes(0x20, 0x02, 0x00, 0x00));
            // unique identifiers: the second did not take the first over
            first.send(pingreq()).expect(pingresp());
            second.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-8] an empty client identifier with a persistent session: CONNACK 0x02, then closed")
    void emptyClientIdWithPersistentSession() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0C,                // CONNECT, remaining length 12
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x00,                      // connect flags: clean session 0
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x00));              // client identifier ""
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK, remaining length 2
                    0x00,                      // session present 0 [MQTT-3.2.2-4]
                    0x02));                    // 0x02: identifier rejected
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT 3.1 §3.1] MQIsdp level 3 CONNECT is accepted with CONNACK 20 02 00 00")
    void mqtt31Accepted() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x11,                // CONNECT, remaining length 17
                    0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name "MQIsdp"
                    0x03,                      // protocol level 3 (3.1)
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'v', '3', '1')); // client identifier "v31"
            client.expect(bytes(0x20, 0x02, 0x00, 0x00));
            client.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT 3.1 §3.1] an empty client identifier in 3.1 (which requires 1 to 23 characters): CONNACK 0x02, then closed")
    void mqtt31EmptyClientId() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0E,                // CONNECT, remaining length 14
                    0x00, 0x06, 'M', 'Q', 'I', 's', 'd', 'p', // protocol name "MQIsdp"
                    0x03,                      // protocol level 3
                    0x02,                      // connect flags: clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x00));              // client identifier ""
            client.expect(bytes(0x20, 0x02, 0x00, 0x02)); // CONNACK 0x02: identifier rejected
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT 3.1 §3.2] a 3.1 CONNACK never has a session present flag, even when a session resumes")
    void mqtt31ConnackHasNoSessionPresent() {
        byte[] connect = connect31("c31-persist").clean(false).build();
        try (RawClient client = RawClient.connected(port, connect)) {
            client.send(disconnect());
            client.expectClosed();
        }
        Brokers.awaitOffline(broker, "c31-persist");
        try (RawClient client = new RawClient(port)) {
            client.send(connect);
            client.expect(bytes(0x20, 0x02, 0x00, 0x00)); // byte 3 is reserved in 3.1: 0
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-1] clean session: session present 0, even when a persistent session existed")
    void cleanSessionHasNoSessionPresent() {
        try (RawClient client = RawClient.connected(port, connect311("c-sp1").clean(false).build())) {
            client.send(disconnect());
            client.expectClosed();
        }
        Brokers.awaitOffline(broker, "c-sp1");
        try (RawClient client = new RawClient(port)) {
            client.send(connect311("c-sp1").clean(true).build());
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK
                    0x00,                      // session present 0
                    0x00));                    // accepted
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-2] persistent session resumed: session present 1")
    void resumedSessionIsPresent() {
        try (RawClient client = RawClient.connected(port, connect311("c-sp2").clean(false).build())) {
            client.send(disconnect());
            client.expectClosed();
        }
        Brokers.awaitOffline(broker, "c-sp2");
        try (RawClient client = new RawClient(port)) {
            client.send(connect311("c-sp2").clean(false).build());
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK
                    0x01,                      // session present 1
                    0x00));                    // accepted
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-3] persistent session requested where none exists: session present 0")
    void newPersistentSessionIsNotPresent() {
        // a clean session before does not leave a session behind [MQTT-3.1.2-6]
        try (RawClient client = RawClient.connected(port, connect311("c-sp3").clean(true).build())) {
            client.send(disconnect());
            client.expectClosed();
        }
        Brokers.awaitOffline(broker, "c-sp3");
        try (RawClient client = new RawClient(port)) {
            client.send(connect311("c-sp3").clean(false).build());
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK
                    0x00,                      // session present 0
                    0x00));                    // accepted
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] a second connection with the same client identifier closes the first")
    void takeOverClosesOldConnection() {
        try (RawClient old = RawClient.connected(port, "old", connect311("c-take").clean(false).build(), CONNACK_ACCEPTED);
                RawClient taker = new RawClient(port, "new")) {
            taker.send(connect311("c-take").clean(false).build());
            taker.expect(CONNACK_ACCEPTED_SESSION_PRESENT);
            old.expectClosed();
            taker.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[§3.1.4] packets sent right after CONNECT, before CONNACK, are handled after it and in order")
    void packetsPipelinedBehindConnect() {
        try (RawClient client = new RawClient(port)) {
            client.send(
                    connect311("c-pipe").build(),
                    bytes(0x82, 0x0A,          // SUBSCRIBE, remaining length 10
                            0x00, 0x01,        // packet identifier 1
                            0x00, 0x05, 'p', 'i', 'p', 'e', '1', // topic filter "pipe1"
                            0x01),             // requested QoS 1
                    bytes(0x32, 0x0B,          // PUBLISH QoS 1, remaining length 11
                            0x00, 0x05, 'p', 'i', 'p', 'e', '2', // topic "pipe2" (no subscriber)
                            0x00, 0x02,        // packet identifier 2
                            'h', 'i'),         // payload "hi"
                    bytes(0xC0, 0x00));        // PINGREQ
            client.expect(bytes(
                    0x20, 0x02, 0x00, 0x00,    // CONNACK accepted
                    0x90, 0x03, 0x00, 0x01, 0x01, // SUBACK id 1, granted QoS 1
                    0x40, 0x02, 0x00, 0x02,    // PUBACK id 2
                    0xD0, 0x00));              // PINGRESP
        }
    }

    @Test
    @DisplayName("[MQTT-4.7.1-1] a will topic with a wildcard: closed without CONNACK")
    void willTopicWithWildcard() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x18,                // CONNECT, remaining length 24
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x06,                      // connect flags: Will Flag, Will QoS 0, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'w', 'w', 'c', // client identifier "wwc"
                    0x00, 0x03, 'w', '/', '+', // will topic "w/+": a wildcard
                    0x00, 0x02, 'b', 'y'));    // will message "by"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-19] User Name Flag set but no user name in the payload: closed without CONNACK")
    void userNameFlagWithoutUserName() {
        try (RawClient client = new RawClient(port)) {
            client.send(bytes(
                    0x10, 0x0F,                // CONNECT, remaining length 15
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x82,                      // connect flags: User Name, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'u', 'n', 'f')); // client identifier "unf", then no user name
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[§4.1] session_expiry: a persistent session left offline longer than the expiry is gone: session present 0")
    void persistentSessionExpires() {
        try (Broker expiring = Brokers.start(c -> c.withSessions(false, Duration.ofMillis(200)))) {
            try (RawClient client = RawClient.connected(expiring.port(), connect311("c-exp").clean(false).build())) {
                client.subscribe(1, "c/exp", 1);
                client.send(disconnect());
                client.expectClosed();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> BrokerInternals.sessions(expiring).store().get("c-exp") == null);
            try (RawClient client = new RawClient(expiring.port())) {
                client.send(connect311("c-exp").clean(false).build());
                client.expect(bytes(0x20, 0x02, 0x00, 0x00)); // session present 0
                // and its subscription went with it
                try (RawClient publisher = RawClient.connected(expiring.port(), "c-exp-pub")) {
                    publisher.send(Packets.publish1("c/exp", 1, "x"));
                    publisher.expect(Packets.puback(1));
                }
                client.send(pingreq()).expect(pingresp());
            }
        }
    }

    // ---- authentication ----

    private static Broker authBroker(Path dir) throws IOException {
        Path passwords = Files.writeString(dir.resolve("passwords"), "alice:secret\n");
        return Brokers.start(c -> c.withPasswordFile(passwords).withAllowAnonymous(false));
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] a wrong password: CONNACK 0x04, then closed")
    void wrongPassword(@TempDir Path dir) throws IOException {
        try (Broker auth = authBroker(dir); RawClient client = new RawClient(auth.port())) {
            client.send(bytes(
                    0x10, 0x1C,                // CONNECT, remaining length 28
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0xC2,                      // connect flags: User Name, Password, clean session
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x02, 'c', '1',      // client identifier "c1"
                    0x00, 0x05, 'a', 'l', 'i', 'c', 'e', // user name "alice"
                    0x00, 0x05, 'w', 'r', 'o', 'n', 'g')); // password "wrong"
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK
                    0x00,                      // session present 0
                    0x04));                    // 0x04: bad user name or password
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] an unknown user and a user without password: CONNACK 0x04, then closed")
    void unknownUserOrMissingPassword(@TempDir Path dir) throws IOException {
        try (Broker auth = authBroker(dir)) {
            try (RawClient client = new RawClient(auth.port())) {
                client.send(connect311("c3").user("bob").password("secret").build());
                client.expect(bytes(0x20, 0x02, 0x00, 0x04));
                client.expectClosed();
            }
            try (RawClient client = new RawClient(auth.port())) {
                client.send(connect311("c4").user("alice").build());
                client.expect(bytes(0x20, 0x02, 0x00, 0x04));
                client.expectClosed();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] anonymous where anonymous clients are not allowed: CONNACK 0x05, then closed")
    void anonymousNotAllowed(@TempDir Path dir) throws IOException {
        try (Broker auth = authBroker(dir); RawClient client = new RawClient(auth.port())) {
            client.send(bytes(
                    0x10, 0x0E,                // CONNECT, remaining length 14
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x02,                      // connect flags: clean session, no user name
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x02, 'c', '2'));    // client identifier "c2"
            client.expect(bytes(
                    0x20, 0x02,                // CONNACK
                    0x00,                      // session present 0
                    0x05));                    // 0x05: not authorized
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-4] the right user name and password: CONNACK 0x00")
    void rightPassword(@TempDir Path dir) throws IOException {
        try (Broker auth = authBroker(dir);
                RawClient client = RawClient.connected(auth.port(), connect311("c5").user("alice").password("secret").build())) {
            client.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-5] packets behind a refused CONNECT are not processed")
    void packetsBehindRefusedConnectAreIgnored(@TempDir Path dir) throws IOException {
        try (Broker auth = authBroker(dir)) {
            try (RawClient refused = new RawClient(auth.port())) {
                refused.send(
                        connect311("c6").user("alice").password("wrong").build(),
                        publish(0, true, "refused/t", 0, "must not be retained"),
                        subscribe(1, "refused/t", 0));
                refused.expect(bytes(0x20, 0x02, 0x00, 0x04)); // CONNACK 0x04 and no SUBACK
                refused.expectClosed();
            }
            try (RawClient client = RawClient.connected(auth.port(), connect311("c7").user("alice").password("secret").build())) {
                // a retained message would come right after the SUBACK, before the PINGRESP
                client.send(subscribe(1, "refused/t", 0), pingreq());
                client.expect(suback(1, 0x00));
                client.expect(pingresp());
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] a will is stored only if the CONNECT is accepted: a refused client has none")
    void refusedClientHasNoWill(@TempDir Path dir) throws IOException {
        try (Broker auth = authBroker(dir);
                RawClient watcher = RawClient.connected(auth.port(), connect311("c8").user("alice").password("secret").build())) {
            watcher.subscribe(1, "refused/will", 0);
            try (RawClient refused = new RawClient(auth.port())) {
                refused.send(connect311("c9").will("refused/will", "no", 0, false).build());
                refused.expect(bytes(0x20, 0x02, 0x00, 0x05));
                refused.expectClosed();
            }
            watcher.send(publish0("refused/will", "sentinel"));
            watcher.expect(publish0("refused/will", "sentinel"));
            watcher.expectNothing(Duration.ofMillis(100));
        }
    }
}
