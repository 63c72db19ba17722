package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.hex;
import static io.starling.broker.conformance.Packets.pingreq;
import static io.starling.broker.conformance.Packets.pingresp;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Retained messages (MQTT 3.1.1 §3.3.1.3, §3.8.4). A broker per test, so that no retained
 * message of one test is seen by another's wildcard subscription.
 */
class RetainedConformanceTest {
    private Broker broker;
    private int port;

    @BeforeEach
    void startBroker() {
        broker = Brokers.start();
        port = broker.port();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    /** Publishes {@code packets} from a fresh client and waits for the PINGRESP after them, so that they have been routed. */
    private void publishAndSettle(byte[]... packets) {
        try (RawClient publisher = RawClient.connected(port, "r-publisher")) {
            publisher.send(packets);
            publisher.send(pingreq());
            // QoS 0 and 1 only in these tests: skip the PUBACKs up to the PINGRESP
            for (int i = 0; i <= packets.length; i++) {
                byte[] packet = publisher.readPacket();
                if ((packet[0] & 0xFF) == 0xD0) {
                    return;
                }
                assertThat(packet[0] & 0xFF).as("packet %s", hex(packet)).isEqualTo(0x40);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-5] [MQTT-3.3.1-8] a retained message is stored with its QoS and sent to a new subscriber with RETAIN 1")
    void retainedSentToNewSubscriber() {
        publishAndSettle(bytes(
                0x33, 0x0A,                    // PUBLISH QoS 1, RETAIN 1, remaining length 10
                0x00, 0x03, 'r', '/', 'a',     // topic "r/a"
                0x00, 0x01,                    // packet identifier 1
                'v', '1', '!'));               // payload "v1!"
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/a", 2));
            subscriber.expect(suback(1, 0x02));
            subscriber.expect(bytes(
                    0x33, 0x0A,                // PUBLISH QoS 1 (as stored), RETAIN 1, remaining length 10
                    0x00, 0x03, 'r', '/', 'a', // topic "r/a"
                    0x00, 0x01,                // packet identifier 1
                    'v', '1', '!'));           // payload "v1!"
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-6] a new wildcard subscription gets the last retained message of every matching topic")
    void lastRetainedOfEachMatchingTopic() {
        publishAndSettle(
                publish(0, true, "r/x/1", 0, "old"),
                publish(0, true, "r/x/1", 0, "new"),
                publish(0, true, "r/x/2", 0, "two"),
                publish(0, true, "r/y/1", 0, "other"));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/x/+", 0));
            subscriber.expect(suback(1, 0x00));
            List<String> received = new ArrayList<>();
            received.add(hex(subscriber.readPacket()));
            received.add(hex(subscriber.readPacket()));
            assertThat(received).containsExactlyInAnyOrder(
                    hex(publish(0, true, "r/x/1", 0, "new")),
                    hex(publish(0, true, "r/x/2", 0, "two")));
            subscriber.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-7] a QoS 0 retained message replaces the retained message of its topic")
    void qos0RetainedReplaces() {
        publishAndSettle(
                publish(1, true, "r/q0", 1, "first"),
                publish(0, true, "r/q0", 0, "second"));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/q0", 1), pingreq());
            subscriber.expect(suback(1, 0x01));
            subscriber.expect(bytes(
                    0x31, 0x0C,                // PUBLISH QoS 0, RETAIN 1, remaining length 12
                    0x00, 0x04, 'r', '/', 'q', '0', // topic "r/q0"
                    's', 'e', 'c', 'o', 'n', 'd')); // payload "second"
            subscriber.expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] a retained PUBLISH reaches existing subscribers with RETAIN 0")
    void liveDeliveryHasRetain0() {
        try (RawClient subscriber = RawClient.connected(port, "r-sub").subscribe(1, "r/live", 1)) {
            publishAndSettle(publish(1, true, "r/live", 7, "now"));
            subscriber.expect(bytes(
                    0x32, 0x0D,                // PUBLISH QoS 1, RETAIN 0, remaining length 13
                    0x00, 0x06, 'r', '/', 'l', 'i', 'v', 'e', // topic "r/live"
                    0x00, 0x01,                // packet identifier 1
                    'n', 'o', 'w'));           // payload "now"
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-10] an empty retained PUBLISH is delivered as normal and removes the retained message")
    void emptyRetainedRemoves() {
        publishAndSettle(publish(0, true, "r/del", 0, "here"));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/del", 0));
            subscriber.expect(suback(1, 0x00));
            subscriber.expect(publish(0, true, "r/del", 0, "here"));
            publishAndSettle(bytes(
                    0x31, 0x07,                // PUBLISH QoS 0, RETAIN 1, remaining length 7
                    0x00, 0x05, 'r', '/', 'd', 'e', 'l')); // topic "r/del", zero-byte payload
            subscriber.expect(bytes(
                    0x30, 0x07,                // PUBLISH QoS 0, RETAIN 0 (live), remaining length 7
                    0x00, 0x05, 'r', '/', 'd', 'e', 'l')); // topic "r/del", zero-byte payload
        }
        try (RawClient late = RawClient.connected(port, "r-late")) {
            late.send(subscribe(1, "r/del", 0), pingreq());
            late.expect(suback(1, 0x00));
            late.expect(pingresp()); // no retained message any more
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-11] a zero-byte retained message is never stored")
    void emptyRetainedNotStored() {
        publishAndSettle(publish(1, true, "r/empty", 1, ""));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/#", 0), pingreq());
            subscriber.expect(suback(1, 0x00));
            subscriber.expect(pingresp());
        }
        assertThat(BrokerInternals.router(broker).retained().size()).isZero();
    }

    @Test
    @DisplayName("[MQTT-3.3.1-12] a PUBLISH with RETAIN 0 neither stores nor replaces nor removes the retained message")
    void nonRetainedLeavesRetainedAlone() {
        publishAndSettle(
                publish(0, true, "r/keep", 0, "kept"),
                publish(0, false, "r/keep", 0, "live"),
                publish(0, false, "r/keep", 0, ""),
                publish(0, false, "r/none", 0, "not stored"));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/+", 0), pingreq());
            subscriber.expect(suback(1, 0x00));
            subscriber.expect(publish(0, true, "r/keep", 0, "kept"));
            subscriber.expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] subscribing again to the same filter re-sends the retained messages, at the new QoS")
    void resubscribeResendsRetained() {
        publishAndSettle(publish(1, true, "r/again", 1, "ret"));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/again", 0));
            subscriber.expect(suback(1, 0x00));
            subscriber.expect(publish(0, true, "r/again", 0, "ret"));
            subscriber.send(subscribe(2, "r/again", 1));
            subscriber.expect(suback(2, 0x01));
            subscriber.expect(bytes(
                    0x33, 0x0E,                // PUBLISH QoS 1 = min(1, 1), RETAIN 1, remaining length 14
                    0x00, 0x07, 'r', '/', 'a', 'g', 'a', 'i', 'n', // topic "r/again"
                    0x00, 0x01,                // packet identifier 1
                    'r', 'e', 't'));           // payload "ret"
            subscriber.send(puback(1), pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-7] retained messages outlive the (clean) session of their publisher")
    void retainedOutlivesPublisherSession() {
        try (RawClient publisher = RawClient.connected(port, "r-gone")) {
            publisher.send(publish(0, true, "r/gone", 0, "still here"), Packets.disconnect());
            publisher.expectClosed();
        }
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/gone", 0));
            subscriber.expect(suback(1, 0x00));
            subscriber.expect(publish(0, true, "r/gone", 0, "still here"));
        }
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] retained messages on $-topics are not sent for filters starting with a wildcard")
    void retainedDollarTopics() {
        publishAndSettle(
                publish(0, true, "$sys/up", 0, "s"),
                publish(0, true, "top/up", 0, "t"));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "#", 0), pingreq());
            subscriber.expect(suback(1, 0x00));
            subscriber.expect(publish(0, true, "top/up", 0, "t"));
            subscriber.expect(pingresp());
            subscriber.send(subscribe(2, "+/up", 0), pingreq());
            subscriber.expect(suback(2, 0x00));
            subscriber.expect(publish(0, true, "top/up", 0, "t"));
            subscriber.expect(pingresp());
            subscriber.send(subscribe(3, "$sys/#", 0), pingreq());
            subscriber.expect(suback(3, 0x00));
            subscriber.expect(publish(0, true, "$sys/up", 0, "s"));
            subscriber.expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-6] [MQTT-4.7.1-2] a filter ending in /# gets the retained message of the parent level too")
    void retainedParentLevel() {
        publishAndSettle(
                publish(0, true, "r/p", 0, "parent"),
                publish(0, true, "r/px", 0, "sibling"));
        try (RawClient subscriber = RawClient.connected(port, "r-sub")) {
            subscriber.send(subscribe(1, "r/p/#", 0), pingreq());
            subscriber.expect(suback(1, 0x00));
            subscriber.expect(publish(0, true, "r/p", 0, "parent"));
            subscriber.expect(pingresp());
        }
    }
}
