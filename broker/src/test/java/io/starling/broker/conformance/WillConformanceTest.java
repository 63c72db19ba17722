package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED;
import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.connect31;
import static io.starling.broker.conformance.Packets.pingreq;
import static io.starling.broker.conformance.Packets.pingresp;
import static io.starling.broker.conformance.Packets.publish0;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.subscribe;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The will message (MQTT 3.1.1 §3.1.2.5 to §3.1.2.7, §3.14.4): published with its QoS and RETAIN
 * flag when the connection ends any other way than DISCONNECT, and never after DISCONNECT.
 */
class WillConformanceTest {
    /** How long a test waits to be sure a will that must not come does not come. */
    private static final Duration QUIET = Duration.ofMillis(200);

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
    @DisplayName("[MQTT-3.1.2-8] the socket closed without DISCONNECT: the will is published at its QoS 1")
    void willOnAbruptClose() {
        try (RawClient subscriber = RawClient.connected(port, "w-abrupt-sub").subscribe(1, "w/abrupt", 2)) {
            RawClient client = new RawClient(port, "w-abrupt");
            client.send(bytes(
                    0x10, 0x1F,                // CONNECT, remaining length 31
                    0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                    0x04,                      // protocol level 4
                    0x0E,                      // connect flags: Will QoS 1 (01), Will Flag, clean session; Will Retain 0
                    0x00, 0x3C,                // keep alive 60 s
                    0x00, 0x03, 'w', 'a', 'b', // client identifier "wab"
                    0x00, 0x08, 'w', '/', 'a', 'b', 'r', 'u', 'p', 't', // will topic "w/abrupt"
                    0x00, 0x04, 'g', 'o', 'n', 'e')); // will message "gone"
            client.expect(CONNACK_ACCEPTED);
            client.close();
            subscriber.expect(bytes(
                    0x32, 0x10,                // PUBLISH QoS 1 (min of will QoS 1 and granted 2), DUP 0, RETAIN 0, length 16
                    0x00, 0x08, 'w', '/', 'a', 'b', 'r', 'u', 'p', 't', // topic "w/abrupt"
                    0x00, 0x01,                // packet identifier 1
                    'g', 'o', 'n', 'e'));      // payload "gone"
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-9] a will of QoS 2 reaches a QoS 2 subscriber as QoS 2")
    void willQos2() {
        try (RawClient subscriber = RawClient.connected(port, "w-q2-sub").subscribe(1, "w/q2", 2)) {
            RawClient client = RawClient.connected(port, connect311("w-q2").will("w/q2", "two", 2, false).build());
            client.close();
            subscriber.expect(bytes(
                    0x34, 0x0B,                // PUBLISH QoS 2, remaining length 11
                    0x00, 0x04, 'w', '/', 'q', '2', // topic "w/q2"
                    0x00, 0x01,                // packet identifier 1
                    't', 'w', 'o'));           // payload "two"
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-16] Will Retain 0: the will is published but not retained")
    void willNotRetained() {
        try (RawClient subscriber = RawClient.connected(port, "w-nr-sub").subscribe(1, "w/nr", 0)) {
            RawClient client = RawClient.connected(port, connect311("w-nr").will("w/nr", "bye", 0, false).build());
            client.close();
            subscriber.expect(bytes(
                    0x30, 0x09,                // PUBLISH QoS 0, RETAIN 0, remaining length 9
                    0x00, 0x04, 'w', '/', 'n', 'r', // topic "w/nr"
                    'b', 'y', 'e'));           // payload "bye"
        }
        try (RawClient late = RawClient.connected(port, "w-nr-late")) {
            // a retained will would be sent right after the SUBACK, before the PINGRESP
            late.send(subscribe(1, "w/nr", 0), pingreq());
            late.expect(suback(1, 0x00));
            late.expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-17] Will Retain 1: the will is retained; live subscribers get it with RETAIN 0 [MQTT-3.3.1-9]")
    void willRetained() {
        try (RawClient subscriber = RawClient.connected(port, "w-r-sub").subscribe(1, "w/r", 1)) {
            RawClient client = RawClient.connected(port, connect311("w-r").will("w/r", "last", 1, true).build());
            client.close();
            subscriber.expect(bytes(
                    0x32, 0x0B,                // PUBLISH QoS 1, RETAIN 0 (live delivery), remaining length 11
                    0x00, 0x03, 'w', '/', 'r', // topic "w/r"
                    0x00, 0x01,                // packet identifier 1
                    'l', 'a', 's', 't'));      // payload "last"
        }
        try (RawClient late = RawClient.connected(port, "w-r-late")) {
            late.subscribe(1, "w/r", 1);
            late.expect(bytes(
                    0x33, 0x0B,                // PUBLISH QoS 1, RETAIN 1 (new subscription), remaining length 11
                    0x00, 0x03, 'w', '/', 'r', // topic "w/r"
                    0x00, 0x01,                // packet identifier 1
                    'l', 'a', 's', 't'));      // payload "last"
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-4.8.0-1] a protocol violation (PUBLISH with QoS 3) closes the connection and publishes the will")
    void willOnProtocolError() {
        try (RawClient subscriber = RawClient.connected(port, "w-err-sub").subscribe(1, "w/err", 0);
                RawClient client = RawClient.connected(port, connect311("w-err").will("w/err", "broken", 0, false).build())) {
            client.send(bytes(
                    0x36, 0x05,                // PUBLISH with QoS bits 11: malformed [MQTT-3.3.1-4]
                    0x00, 0x01, 'x',           // topic "x"
                    0x00, 0x01));              // packet identifier 1
            client.expectClosed();
            subscriber.expect(publish0("w/err", "broken"));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.0-2] a second CONNECT closes the connection and publishes the will")
    void willOnSecondConnect() {
        try (RawClient subscriber = RawClient.connected(port, "w-2c-sub").subscribe(1, "w/2c", 0);
                RawClient client = RawClient.connected(port, connect311("w-2c").will("w/2c", "twice", 0, false).build())) {
            client.send(connect311("w-2c").build());
            client.expectClosed();
            subscriber.expect(publish0("w/2c", "twice"));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.4-2] a take-over closes the old connection and publishes its will")
    void willOnTakeOver() {
        try (RawClient subscriber = RawClient.connected(port, "w-take-sub").subscribe(1, "w/take", 0);
                RawClient old = RawClient.connected(port, connect311("w-take").will("w/take", "replaced", 0, false).build());
                RawClient taker = RawClient.connected(port, connect311("w-take").build())) {
            old.expectClosed();
            subscriber.expect(publish0("w/take", "replaced"));
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.14.4-3] [MQTT-3.1.2-10] after DISCONNECT the will is discarded, not published")
    void noWillAfterDisconnect() {
        try (RawClient subscriber = RawClient.connected(port, "w-disc-sub").subscribe(1, "w/disc", 0);
                RawClient client = RawClient.connected(port, connect311("w-disc").will("w/disc", "unexpected", 0, false).build())) {
            client.send(bytes(
                    0xE0, 0x00));              // DISCONNECT, remaining length 0
            client.expectClosed();
            subscriber.expectNothing(QUIET);
            // the subscriber is still there: a message after the close does arrive
            subscriber.send(publish0("w/disc", "sentinel"));
            subscriber.expect(publish0("w/disc", "sentinel"));
        }
    }

    @Test
    @DisplayName("[MQTT-3.14.1-1] a DISCONNECT with a reserved flag set is malformed: closed, and the will is published")
    void malformedDisconnectPublishesWill() {
        try (RawClient subscriber = RawClient.connected(port, "w-baddisc-sub").subscribe(1, "w/baddisc", 0);
                RawClient client = RawClient.connected(port, connect311("w-baddisc").will("w/baddisc", "bad", 0, false).build())) {
            client.send(bytes(
                    0xE1, 0x00));              // DISCONNECT with flags 0001: reserved bits must be 0
            client.expectClosed();
            subscriber.expect(publish0("w/baddisc", "bad"));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-12] Will Flag 0: nothing is published when the connection ends")
    void noWillWithoutWillFlag() {
        // a broker of its own, so that "#" finds no retained messages of other tests
        try (Broker own = Brokers.start();
                RawClient subscriber = RawClient.connected(own.port(), "w-none-sub").subscribe(1, "#", 0)) {
            RawClient client = RawClient.connected(own.port(), "w-none");
            client.close();
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-10] a will is published once: the session's next connection has no will of its own")
    void willPublishedOnlyOnce() {
        try (RawClient subscriber = RawClient.connected(port, "w-once-sub").subscribe(1, "w/once", 0)) {
            RawClient first = RawClient.connected(port, connect311("w-once").clean(false).will("w/once", "once", 0, false).build());
            first.close();
            subscriber.expect(publish0("w/once", "once"));
            Brokers.awaitOffline(broker, "w-once");
            RawClient second = RawClient.connected(port, connect311("w-once").clean(false).build(),
                    Packets.CONNACK_ACCEPTED_SESSION_PRESENT);
            second.close();
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT 3.1 §3.1] an MQTT 3.1 client's will is published with its RETAIN flag")
    void mqtt31Will() {
        try (RawClient subscriber = RawClient.connected(port, "w-31-sub").subscribe(1, "w/31", 0)) {
            RawClient client = RawClient.connected(port, connect31("w-31").will("w/31", "old", 0, true).build());
            client.close();
            subscriber.expect(publish0("w/31", "old"));
        }
        try (RawClient late = RawClient.connected(port, "w-31-late")) {
            late.subscribe(1, "w/31", 0);
            late.expect(publish(0, true, "w/31", 0, "old"));
        }
    }

    private static int retainedCount(String filter) {
        AtomicInteger count = new AtomicInteger();
        BrokerInternals.router(broker).retained().forEachMatching(filter, message -> count.incrementAndGet());
        return count.get();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] no subscriber yet: an abrupt close with a retained will still stores it [MQTT-3.3.1-5]")
    void retainedWillWithoutSubscribers() {
        RawClient client = RawClient.connected(port, connect311("w-store").will("w/store", "kept", 1, true).build());
        client.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> retainedCount("w/store") == 1);
        try (RawClient late = RawClient.connected(port, "w-store-late")) {
            late.send(subscribe(1, "w/store", 2));
            late.expect(suback(1, 0x02));
            late.expect(bytes(
                    0x33, 0x0F,                // PUBLISH QoS 1, RETAIN 1, remaining length 15
                    0x00, 0x07, 'w', '/', 's', 't', 'o', 'r', 'e', // topic "w/store"
                    0x00, 0x01,                // packet identifier 1
                    'k', 'e', 'p', 't'));      // payload "kept"
        }
    }
}
