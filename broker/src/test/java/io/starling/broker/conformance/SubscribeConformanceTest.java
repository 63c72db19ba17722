package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED_SESSION_PRESENT;
import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.connect31;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.pingreq;
import static io.starling.broker.conformance.Packets.pingresp;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.publish0;
import static io.starling.broker.conformance.Packets.publish1;
import static io.starling.broker.conformance.Packets.publish2;
import static io.starling.broker.conformance.Packets.pubrec;
import static io.starling.broker.conformance.Packets.subscribe;
import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.unsubscribe;
import static io.starling.broker.conformance.Packets.unsuback;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK and topic matching (MQTT 3.1.1 §3.8 to §3.11, §4.7). */
class SubscribeConformanceTest {
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

    /**
     * Publishes QoS 0 messages to every topic of {@code matching} and {@code notMatching}
     * (interleaved), and asserts that a subscriber to {@code filter} gets exactly those to
     * {@code matching}, in order, and nothing else.
     */
    private static void assertMatching(String clientId, String filter, List<String> matching, List<String> notMatching) {
        try (RawClient subscriber = RawClient.connected(port, clientId).subscribe(1, filter, 0);
                RawClient publisher = RawClient.connected(port, clientId + "-pub")) {
            for (int i = 0; i < Math.max(matching.size(), notMatching.size()); i++) {
                if (i < notMatching.size()) {
                    publisher.send(publish0(notMatching.get(i), "no"));
                }
                if (i < matching.size()) {
                    publisher.send(publish0(matching.get(i), "yes"));
                }
            }
            // once the publisher's PINGRESP is back, every message has been routed
            publisher.send(pingreq()).expect(pingresp());
            for (String topic : matching) {
                subscriber.expect(publish0(topic, "yes"));
            }
            subscriber.send(pingreq()).expect(pingresp());
        }
    }

    // ---- SUBACK ----

    @Test
    @DisplayName("[MQTT-3.8.4-1] [MQTT-3.8.4-2] SUBSCRIBE is answered with SUBACK of the same packet identifier")
    void subackSamePacketId() {
        try (RawClient client = RawClient.connected(port, "s-id")) {
            client.send(bytes(
                    0x82, 0x08,                // SUBSCRIBE, flags 0010, remaining length 8
                    0x12, 0x34,                // packet identifier 0x1234
                    0x00, 0x03, 's', '/', 'a', // topic filter "s/a"
                    0x01));                    // requested QoS 1
            client.expect(bytes(
                    0x90, 0x03,                // SUBACK, remaining length 3
                    0x12, 0x34,                // packet identifier 0x1234
                    0x01));                    // granted QoS 1
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-4] [MQTT-3.8.4-5] [MQTT-3.9.3-1] one SUBACK for several filters, one return code per filter, in order")
    void subackCodesInOrder() {
        try (RawClient client = RawClient.connected(port, "s-order")) {
            client.send(bytes(
                    0x82, 0x14,                // SUBSCRIBE, remaining length 20
                    0x00, 0x0A,                // packet identifier 10
                    0x00, 0x03, 's', '/', 'a', // topic filter "s/a"
                    0x02,                      //   QoS 2
                    0x00, 0x03, 's', '/', 'b', // topic filter "s/b"
                    0x00,                      //   QoS 0
                    0x00, 0x03, 's', '/', 'c', // topic filter "s/c"
                    0x01));                    //   QoS 1
            client.expect(bytes(
                    0x90, 0x05,                // SUBACK, remaining length 5
                    0x00, 0x0A,                // packet identifier 10
                    0x02, 0x00, 0x01));        // granted QoS 2, 0, 1 in the order requested
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] [MQTT-4.7.1-2] [MQTT-4.7.1-3] invalid filters fail alone with 0x80; the valid one is granted and works")
    void invalidFilterFailsAlone() {
        try (RawClient client = RawClient.connected(port, "s-invalid");
                RawClient publisher = RawClient.connected(port, "s-invalid-pub")) {
            client.send(bytes(
                    0x82, 0x18,                // SUBSCRIBE, remaining length 24
                    0x00, 0x05,                // packet identifier 5
                    0x00, 0x05, 's', '/', '#', '/', 'x', // "s/#/x": '#' not last [MQTT-4.7.1-2]
                    0x00,                      //   QoS 0
                    0x00, 0x04, 's', '/', 'o', 'k', // "s/ok": valid
                    0x01,                      //   QoS 1
                    0x00, 0x04, 's', '/', 'a', '+', // "s/a+": '+' not a whole level [MQTT-4.7.1-3]
                    0x02));                    //   QoS 2
            client.expect(bytes(
                    0x90, 0x05,                // SUBACK, remaining length 5
                    0x00, 0x05,                // packet identifier 5
                    0x80, 0x01, 0x80));        // failure, granted QoS 1, failure
            publisher.send(publish1("s/ok", 1, "ok"));
            publisher.expect(puback(1));
            client.expect(publish1("s/ok", 1, "ok"));
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-5] [MQTT-3.9.3-1] 200 filters in one SUBSCRIBE: 200 return codes in order (2-byte Remaining Length)")
    void manyFiltersInOneSubscribe() {
        Object[] pairs = new Object[400];
        int[] codes = new int[200];
        for (int i = 0; i < 200; i++) {
            pairs[2 * i] = "s/many/" + i;
            pairs[2 * i + 1] = i % 3;
            codes[i] = i % 3;
        }
        try (RawClient client = RawClient.connected(port, "s-many")) {
            client.send(subscribe(0x0102, pairs));
            byte[] suback = suback(0x0102, codes);
            assertThat(Arrays.copyOf(suback, 5)).isEqualTo(bytes(
                    0x90,                      // SUBACK
                    0xCA, 0x01,                // Remaining Length 202 = 0x4A + 1 * 128
                    0x01, 0x02));              // packet identifier 0x0102
            client.expect(suback);
        }
    }

    @Test
    @DisplayName("shared subscriptions are offered to 3.1.1 clients too: '$share/g/t' is a shared subscription to 't'")
    void shareIsASharedSubscriptionIn311Too() {
        assertMatching("s-share", "$share/g/t", List.of("t"), List.of("$share/g/t", "g/t"));
    }

    @Test
    @DisplayName("[MQTT-4.7.3-1] an empty topic filter fails with 0x80")
    void emptyFilterFails() {
        try (RawClient client = RawClient.connected(port, "s-empty")) {
            client.send(bytes(
                    0x82, 0x05,                // SUBSCRIBE, remaining length 5
                    0x00, 0x06,                // packet identifier 6
                    0x00, 0x00,                // topic filter "" (zero bytes)
                    0x00));                    //   QoS 0
            client.expect(bytes(0x90, 0x03, 0x00, 0x06, 0x80)); // SUBACK id 6, failure
            client.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-3] a SUBSCRIBE with an existing filter replaces the subscription: one copy, at the new QoS")
    void repeatedFilterReplaces() {
        try (RawClient client = RawClient.connected(port, "s-rep");
                RawClient publisher = RawClient.connected(port, "s-rep-pub")) {
            client.subscribe(1, "s/rep", 2);
            client.subscribe(2, "s/rep", 0);
            publisher.send(publish2("s/rep", 1, "x"));
            publisher.expect(pubrec(1));
            client.expect(bytes(
                    0x30, 0x08,                // PUBLISH QoS 0 (the replacement's), remaining length 8
                    0x00, 0x05, 's', '/', 'r', 'e', 'p', // topic "s/rep"
                    'x'));                     // payload "x"
            client.send(pingreq()).expect(pingresp());
        }
    }

    // ---- topic matching ----

    @Test
    @DisplayName("[MQTT-4.7.1-2] '#' matches the parent level and any number of levels below it")
    void multiLevelWildcard() {
        assertMatching("s-hash", "sport/tennis/player1/#",
                List.of("sport/tennis/player1", "sport/tennis/player1/ranking", "sport/tennis/player1/score/wimbledon"),
                List.of("sport/tennis/player2", "sport/tennis/player1x", "sport/tennis"));
    }

    @Test
    @DisplayName("[MQTT-4.7.1-2] '#' alone matches every topic not starting with '$'")
    void hashAlone() {
        assertMatching("s-hashall", "#", List.of("s-hashall/a", "/", "s-hashall/b/c"), List.of("$s-hashall/a"));
    }

    @Test
    @DisplayName("[MQTT-4.7.1-3] '+' matches exactly one level, including an empty one")
    void singleLevelWildcard() {
        assertMatching("s-plus", "sport/tennis/+",
                List.of("sport/tennis/player1", "sport/tennis/"),
                List.of("sport/tennis/player1/ranking", "sport/tennis", "sport/tennisx/a"));
    }

    @Test
    @DisplayName("[MQTT-4.7.1-3] 'sport/+' does not match 'sport' but matches 'sport/'")
    void plusNeedsALevel() {
        assertMatching("s-plus2", "sport/+", List.of("sport/"), List.of("sport"));
    }

    @Test
    @DisplayName("[MQTT-4.7.1-3] '+/+' and '/+' match '/finance'; '+' does not; empty levels count as levels")
    void plusAndLeadingSlash() {
        assertMatching("s-empty1", "a/+/b", List.of("a//b", "a/x/b"), List.of("a/b", "a///b"));
        assertMatching("s-empty2", "+/+", List.of("/", "a/"), List.of("a", "//"));
        assertMatching("s-pp", "+/+", List.of("/finance"), List.of("finance"));
        assertMatching("s-sp", "/+", List.of("/finance"), List.of("finance", "/finance/x"));
        assertMatching("s-p", "+", List.of("finance"), List.of("/finance"));
    }

    @Test
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] '+/tennis/#' combines both wildcards")
    void combinedWildcards() {
        assertMatching("s-comb", "+/tennis/#",
                List.of("sport/tennis", "sport/tennis/player1", "x/tennis/a/b"),
                List.of("sport/golf/tennis", "tennis", "sport/tennisx"));
    }

    @Test
    @DisplayName("[MQTT-4.7.3-4] matching compares characters exactly: case-sensitive, no Unicode normalization")
    void exactCharacterMatching() {
        assertMatching("s-case", "ACCOUNTS", List.of("ACCOUNTS"), List.of("Accounts", "accounts", "ACCOUNTS/", " ACCOUNTS"));
        // U+00E9 precomposed in the filter, e + U+0301 combining accent in the topic: canonically equivalent, not equal
        assertMatching("s-nfc", "caf\u00e9/+", List.of("caf\u00e9/x"), List.of("cafe\u0301/x"));
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] filters starting with a wildcard do not match topics starting with '$'")
    void dollarTopicsNotMatchedByLeadingWildcard() {
        assertMatching("s-dollar1", "#", List.of(), List.of("$APP/x", "$x"));
        assertMatching("s-dollar2", "+/monitor/Clients", List.of("a/monitor/Clients"), List.of("$APP/monitor/Clients"));
        assertMatching("s-dollar3", "$APP/#", List.of("$APP/x", "$APP/monitor/Clients"), List.of("$APPx/x"));
        assertMatching("s-dollar4", "$APP/monitor/+", List.of("$APP/monitor/Clients"), List.of("$APP/other/Clients"));
    }

    // ---- malformed SUBSCRIBE ----

    @Test
    @DisplayName("[MQTT-3.8.1-1] SUBSCRIBE with fixed-header flags 0000 closes the connection")
    void subscribeBadFlags() {
        try (RawClient client = RawClient.connected(port, "s-flags")) {
            client.send(bytes(
                    0x80, 0x08,                // SUBSCRIBE with flags 0000 instead of 0010
                    0x00, 0x01,                // packet identifier 1
                    0x00, 0x03, 's', '/', 'f', // topic filter "s/f"
                    0x00));                    // QoS 0
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.3-3] SUBSCRIBE without any filter closes the connection")
    void subscribeWithoutFilters() {
        try (RawClient client = RawClient.connected(port, "s-none")) {
            client.send(bytes(
                    0x82, 0x02,                // SUBSCRIBE, remaining length 2
                    0x00, 0x01));              // packet identifier 1, and no payload
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] requested QoS 3 closes the connection")
    void subscribeQos3() {
        try (RawClient client = RawClient.connected(port, "s-q3")) {
            client.send(bytes(
                    0x82, 0x08,                // SUBSCRIBE, remaining length 8
                    0x00, 0x01,                // packet identifier 1
                    0x00, 0x03, 's', '/', 'q', // topic filter "s/q"
                    0x03));                    // requested QoS 3
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.3-4] reserved bits set in the requested QoS byte close the connection")
    void subscribeReservedBits() {
        try (RawClient client = RawClient.connected(port, "s-rsv")) {
            client.send(bytes(
                    0x82, 0x08,                // SUBSCRIBE, remaining length 8
                    0x00, 0x01,                // packet identifier 1
                    0x00, 0x03, 's', '/', 'r', // topic filter "s/r"
                    0x05));                    // reserved bit 2 set, QoS 1
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT 3.1 §3.8] a 3.1 client may set DUP on a SUBSCRIBE: it is answered as usual")
    void mqtt31SubscribeWithDup() {
        try (RawClient client = RawClient.connected(port, connect31("s-31").build())) {
            client.send(bytes(
                    0x8A, 0x08,                // SUBSCRIBE, DUP 1, QoS 1 (3.1 header), remaining length 8
                    0x00, 0x07,                // message identifier 7
                    0x00, 0x03, 's', '/', '3', // topic "s/3"
                    0x01));                    // requested QoS 1
            client.expect(bytes(0x90, 0x03, 0x00, 0x07, 0x01));
        }
    }

    // ---- UNSUBSCRIBE ----

    @Test
    @DisplayName("[MQTT-3.10.4-4] [MQTT-3.10.4-5] UNSUBSCRIBE is answered with UNSUBACK of the same identifier, even when nothing matched")
    void unsubackEvenWithoutSubscription() {
        try (RawClient client = RawClient.connected(port, "s-unsub-none")) {
            client.send(bytes(
                    0xA2, 0x07,                // UNSUBSCRIBE, flags 0010, remaining length 7
                    0x43, 0x21,                // packet identifier 0x4321
                    0x00, 0x03, 'n', '/', 'o')); // topic filter "n/o", never subscribed
            client.expect(bytes(
                    0xB0, 0x02,                // UNSUBACK, remaining length 2
                    0x43, 0x21));              // packet identifier 0x4321
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.4-2] after UNSUBACK no new messages are delivered for the filter")
    void noDeliveryAfterUnsubscribe() {
        try (RawClient client = RawClient.connected(port, "s-unsub");
                RawClient publisher = RawClient.connected(port, "s-unsub-pub")) {
            client.subscribe(1, "s/unsub/+", 1);
            client.send(unsubscribe(2, "s/unsub/+"));
            client.expect(unsuback(2));
            publisher.send(publish1("s/unsub/a", 1, "late"));
            publisher.expect(puback(1));
            client.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.4-6] an UNSUBSCRIBE of several filters removes them all and is answered by one UNSUBACK")
    void unsubscribeSeveral() {
        try (RawClient client = RawClient.connected(port, "s-unsub2");
                RawClient publisher = RawClient.connected(port, "s-unsub2-pub")) {
            client.send(subscribe(1, "s/u2/a", 0, "s/u2/b", 0, "s/u2/c", 0));
            client.expect(suback(1, 0x00, 0x00, 0x00));
            client.send(unsubscribe(2, "s/u2/a", "s/u2/c", "s/u2/none"));
            client.expect(unsuback(2));
            publisher.send(publish0("s/u2/a", "a"), publish0("s/u2/b", "b"), publish0("s/u2/c", "c"));
            publisher.send(pingreq()).expect(pingresp());
            client.expect(publish0("s/u2/b", "b"));
            client.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.4-1] UNSUBSCRIBE compares filters character by character: 'u/a' does not remove 'u/+'")
    void unsubscribeIsExactMatch() {
        try (RawClient client = RawClient.connected(port, "s-exact");
                RawClient publisher = RawClient.connected(port, "s-exact-pub")) {
            client.subscribe(1, "s/exact/+", 0);
            client.send(unsubscribe(2, "s/exact/a"));
            client.expect(unsuback(2));
            publisher.send(publish0("s/exact/a", "still"));
            client.expect(publish0("s/exact/a", "still"));
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.4-3] a QoS 1 delivery in flight when its subscription is removed is still completed")
    void inflightCompletesAfterUnsubscribe() {
        try (RawClient publisher = RawClient.connected(port, "s-inf-pub")) {
            RawClient client = RawClient.connected(port, connect311("s-inf").clean(false).build()).subscribe(1, "s/inf", 1);
            publisher.send(publish1("s/inf", 1, "keep"));
            publisher.expect(puback(1));
            client.expect(publish1("s/inf", 1, "keep"));
            client.send(unsubscribe(2, "s/inf"));
            client.expect(unsuback(2));
            client.close();
            Brokers.awaitOffline(broker, "s-inf");

            // the delivery is still in flight: re-sent on reconnect
            client = RawClient.connected(port, connect311("s-inf").clean(false).build(), CONNACK_ACCEPTED_SESSION_PRESENT);
            client.expect(publish(true, 1, false, "s/inf", 1, Packets.utf8("keep")));
            client.send(puback(1));
            // and the subscription is gone
            publisher.send(publish1("s/inf", 2, "new"));
            publisher.expect(puback(2));
            client.send(pingreq()).expect(pingresp());
            client.close();
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.1-1] UNSUBSCRIBE with fixed-header flags 0000 closes the connection")
    void unsubscribeBadFlags() {
        try (RawClient client = RawClient.connected(port, "s-uflags")) {
            client.send(bytes(
                    0xA0, 0x07,                // UNSUBSCRIBE with flags 0000 instead of 0010
                    0x00, 0x01,                // packet identifier 1
                    0x00, 0x03, 'u', '/', 'f')); // topic filter "u/f"
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.10.3-2] UNSUBSCRIBE without any filter closes the connection")
    void unsubscribeWithoutFilters() {
        try (RawClient client = RawClient.connected(port, "s-unone")) {
            client.send(bytes(
                    0xA2, 0x02,                // UNSUBSCRIBE, remaining length 2
                    0x00, 0x01));              // packet identifier 1, and no payload
            client.expectClosed();
        }
    }
}
