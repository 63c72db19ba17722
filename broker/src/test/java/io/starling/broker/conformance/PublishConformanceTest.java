package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED;
import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED_SESSION_PRESENT;
import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.disconnect;
import static io.starling.broker.conformance.Packets.pingreq;
import static io.starling.broker.conformance.Packets.pingresp;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.pubcomp;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.publish0;
import static io.starling.broker.conformance.Packets.publish1;
import static io.starling.broker.conformance.Packets.publish2;
import static io.starling.broker.conformance.Packets.pubrec;
import static io.starling.broker.conformance.Packets.pubrel;
import static io.starling.broker.conformance.Packets.subscribe;
import static io.starling.broker.conformance.Packets.suback;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * PUBLISH in and out (MQTT 3.1.1 §3.3 to §3.7, §4.3 to §4.6): acknowledgements, QoS downgrade,
 * packet identifiers, the in-flight window, ordering, overlapping subscriptions and what a
 * persistent session keeps.
 */
class PublishConformanceTest {
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

    /** A persistent-session CONNECT for {@code clientId}. */
    private static byte[] persistent(String clientId) {
        return connect311(clientId).clean(false).build();
    }

    /** Closes the connection without DISCONNECT and waits until the broker has the session offline. */
    private static void dropConnection(RawClient client, String clientId) {
        client.close();
        Brokers.awaitOffline(broker, clientId);
    }

    // ---- inbound flows ----

    @Test
    @DisplayName("[MQTT-3.3.4-1] [MQTT-2.3.1-6] QoS 1 PUBLISH is answered with PUBACK of the same packet identifier")
    void qos1Puback() {
        try (RawClient client = RawClient.connected(port, "p-q1")) {
            client.send(bytes(
                    0x32, 0x0A,                // PUBLISH QoS 1, remaining length 10
                    0x00, 0x04, 'p', '/', 'q', '1', // topic "p/q1"
                    0x12, 0x34,                // packet identifier 0x1234
                    'h', 'i'));                // payload "hi"
            client.expect(bytes(
                    0x40, 0x02,                // PUBACK, remaining length 2
                    0x12, 0x34));              // packet identifier 0x1234
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.4-1] QoS 0 PUBLISH gets no answer")
    void qos0NoAnswer() {
        try (RawClient client = RawClient.connected(port, "p-q0")) {
            client.send(publish0("p/q0", "hi"), pingreq());
            client.expect(pingresp()); // nothing before the PINGRESP
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] QoS 2 PUBLISH is answered with PUBREC; PUBREL is answered with PUBCOMP, all with the same identifier")
    void qos2Flow() {
        try (RawClient client = RawClient.connected(port, "p-q2")) {
            client.send(bytes(
                    0x34, 0x0A,                // PUBLISH QoS 2, remaining length 10
                    0x00, 0x04, 'p', '/', 'q', '2', // topic "p/q2"
                    0xAB, 0xCD,                // packet identifier 0xABCD
                    'h', 'i'));                // payload "hi"
            client.expect(bytes(
                    0x50, 0x02,                // PUBREC, remaining length 2
                    0xAB, 0xCD));              // packet identifier 0xABCD
            client.send(bytes(
                    0x62, 0x02,                // PUBREL, flags 0010, remaining length 2
                    0xAB, 0xCD));              // packet identifier 0xABCD
            client.expect(bytes(
                    0x70, 0x02,                // PUBCOMP, remaining length 2
                    0xAB, 0xCD));              // packet identifier 0xABCD
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 PUBLISH re-sent with DUP before PUBREL is PUBREC'd again but delivered once")
    void qos2DuplicateDeliveredOnce() {
        try (RawClient subscriber = RawClient.connected(port, "p-dup-sub").subscribe(1, "p/dup", 2);
                RawClient publisher = RawClient.connected(port, "p-dup-pub")) {
            publisher.send(publish2("p/dup", 9, "once"));
            publisher.expect(pubrec(9));
            publisher.send(bytes(
                    0x3C, 0x0D,                // PUBLISH DUP 1, QoS 2, remaining length 13
                    0x00, 0x05, 'p', '/', 'd', 'u', 'p', // topic "p/dup"
                    0x00, 0x09,                // packet identifier 9, as before
                    'o', 'n', 'c', 'e'));      // payload "once"
            publisher.expect(pubrec(9));
            publisher.send(pubrel(9));
            publisher.expect(pubcomp(9));
            subscriber.expect(bytes(
                    0x34, 0x0D,                // PUBLISH QoS 2, DUP 0, remaining length 13
                    0x00, 0x05, 'p', '/', 'd', 'u', 'p', // topic "p/dup"
                    0x00, 0x01,                // packet identifier 1 (the broker's own)
                    'o', 'n', 'c', 'e'));      // payload "once"
            // after PUBCOMP, identifier 9 starts a new message, which is delivered
            publisher.send(publish2("p/dup", 9, "again"));
            publisher.expect(pubrec(9));
            subscriber.expect(publish2("p/dup", 2, "again"));
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.1-3] the DUP flag of a delivery is the broker's own, not the publisher's")
    void dupFlagNotPropagated() {
        try (RawClient subscriber = RawClient.connected(port, "p-dupflag-sub").subscribe(1, "p/dupflag", 1);
                RawClient publisher = RawClient.connected(port, "p-dupflag-pub")) {
            publisher.send(publish(true, 1, false, "p/dupflag", 5, Packets.utf8("d")));
            publisher.expect(puback(5));
            subscriber.expect(bytes(
                    0x32, 0x0e,                // PUBLISH DUP 0, QoS 1, remaining length 14
                    0x00, 0x09, 'p', '/', 'd', 'u', 'p', 'f', 'l', 'a', 'g', // topic "p/dupflag"
                    0x00, 0x01,                // packet identifier 1
                    'd'));                     // payload "d"
        }
    }

    @Test
    @DisplayName("[MQTT-4.5.0-1] messages sent in the same write as CONNECT and DISCONNECT are routed")
    void messagesBeforeDisconnectAreRouted() {
        try (RawClient subscriber = RawClient.connected(port, "p-last-sub").subscribe(1, "p/last", 1);
                RawClient client = new RawClient(port, "p-last")) {
            client.send(
                    connect311("p-last").build(),
                    publish0("p/last", "zero"),
                    publish1("p/last", 1, "one"),
                    disconnect());
            subscriber.expect(publish0("p/last", "zero"));
            subscriber.expect(publish1("p/last", 1, "one"));
            client.expect(bytes(
                    0x20, 0x02, 0x00, 0x00,    // CONNACK: accepted
                    0x40, 0x02, 0x00, 0x01));  // PUBACK 1
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-4] [§3.1.4] CONNECT, PUBLISH QoS 1 and DISCONNECT in one write: CONNACK and PUBACK are sent before the close")
    void repliesBeforeDisconnectAreSent() {
        try (RawClient client = new RawClient(port, "p-replies")) {
            client.send(
                    connect311("p-replies").build(),
                    publish1("p/replies", 1, "one"),
                    disconnect());
            client.expect(bytes(
                    0x20, 0x02, 0x00, 0x00,    // CONNACK: accepted [MQTT-3.1.4-4]
                    0x40, 0x02, 0x00, 0x01));  // PUBACK 1, for the PUBLISH before DISCONNECT
            client.expectClosed();
        }
    }

    // ---- outbound QoS ----

    @Test
    @DisplayName("[MQTT-3.8.4-6] a subscriber granted QoS 1 gets a QoS 2 message at QoS 1 and a QoS 0 message at QoS 0")
    void deliveredAtMinimumQos() {
        try (RawClient subscriber = RawClient.connected(port, "p-min-sub").subscribe(1, "p/min", 1);
                RawClient publisher = RawClient.connected(port, "p-min-pub")) {
            publisher.send(publish2("p/min", 1, "two"), publish0("p/min", "zero"));
            publisher.expect(pubrec(1));
            subscriber.expect(bytes(
                    0x32, 0x0C,                // PUBLISH QoS 1 = min(2, 1), remaining length 12
                    0x00, 0x05, 'p', '/', 'm', 'i', 'n', // topic "p/min"
                    0x00, 0x01,                // packet identifier 1
                    't', 'w', 'o'));           // payload "two"
            subscriber.expect(bytes(
                    0x30, 0x0B,                // PUBLISH QoS 0 = min(0, 1), remaining length 11
                    0x00, 0x05, 'p', '/', 'm', 'i', 'n', // topic "p/min"
                    'z', 'e', 'r', 'o'));      // payload "zero", no packet identifier
        }
    }

    @Test
    @DisplayName("[MQTT-3.8.4-6] a subscriber granted QoS 0 gets QoS 1 and QoS 2 messages at QoS 0")
    void qos0SubscriberGetsQos0() {
        try (RawClient subscriber = RawClient.connected(port, "p-min0-sub").subscribe(1, "p/min0", 0);
                RawClient publisher = RawClient.connected(port, "p-min0-pub")) {
            publisher.send(publish1("p/min0", 1, "one"), publish2("p/min0", 2, "two"));
            publisher.expect(puback(1));
            publisher.expect(pubrec(2));
            subscriber.expect(publish0("p/min0", "one"));
            subscriber.expect(publish0("p/min0", "two"));
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] a QoS 2 delivery: PUBREC from the subscriber is answered with PUBREL, then PUBCOMP ends it")
    void outboundQos2Flow() {
        try (RawClient subscriber = RawClient.connected(port, "p-out2-sub").subscribe(1, "p/out2", 2);
                RawClient publisher = RawClient.connected(port, "p-out2-pub")) {
            publisher.send(publish2("p/out2", 3, "x"));
            publisher.expect(pubrec(3));
            subscriber.expect(publish2("p/out2", 1, "x"));
            subscriber.send(pubrec(1));
            subscriber.expect(bytes(
                    0x62, 0x02,                // PUBREL, flags 0010 [MQTT-3.6.1-1], remaining length 2
                    0x00, 0x01));              // packet identifier 1
            subscriber.send(pubcomp(1));
            subscriber.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-2.3.1-4] identifiers of deliveries in flight are distinct, and not reused until acknowledged")
    void packetIdsUniqueWhileInFlight() {
        try (RawClient subscriber = RawClient.connected(port, "p-ids-sub").subscribe(1, "p/ids", 2);
                RawClient publisher = RawClient.connected(port, "p-ids-pub")) {
            for (int i = 1; i <= 4; i++) {
                publisher.send(publish1("p/ids", i, "m" + i));
                publisher.expect(puback(i));
            }
            publisher.send(publish2("p/ids", 5, "m5"));
            publisher.expect(pubrec(5));
            subscriber.expect(publish1("p/ids", 1, "m1"));
            subscriber.expect(publish1("p/ids", 2, "m2"));
            subscriber.expect(publish1("p/ids", 3, "m3"));
            subscriber.expect(publish1("p/ids", 4, "m4"));
            subscriber.expect(publish2("p/ids", 5, "m5"));
            // identifiers 2 and 4 complete; 1, 3 and 5 stay in flight
            subscriber.send(puback(2), puback(4));
            for (int i = 6; i <= 8; i++) {
                publisher.send(publish1("p/ids", i, "m" + i));
                publisher.expect(puback(i));
            }
            subscriber.expect(publish1("p/ids", 6, "m6"));
            subscriber.expect(publish1("p/ids", 7, "m7"));
            subscriber.expect(publish1("p/ids", 8, "m8"));
            subscriber.expectNothing(QUIET);
        }
    }

    // ---- in-flight window and ordering ----

    @Test
    @DisplayName("[§4.3] in-flight window max_inflight 2: an unacknowledging subscriber gets 2 messages, the 3rd after one PUBACK")
    void inflightWindow() {
        try (Broker small = Brokers.start(c -> c.withLimits(BrokerConfig.DEFAULT_MAX_PACKET_SIZE, 2,
                        BrokerConfig.DEFAULT_MAX_QUEUED, BrokerConfig.DEFAULT_MAX_PENDING_QOS0));
                RawClient subscriber = RawClient.connected(small.port(), "p-win-sub").subscribe(1, "p/win", 1);
                RawClient publisher = RawClient.connected(small.port(), "p-win-pub")) {
            publisher.send(publish1("p/win", 1, "m1"), publish1("p/win", 2, "m2"), publish1("p/win", 3, "m3"));
            publisher.expect(Packets.concat(puback(1), puback(2), puback(3)));
            subscriber.expect(publish1("p/win", 1, "m1"));
            subscriber.expect(publish1("p/win", 2, "m2"));
            subscriber.expectNothing(QUIET);
            subscriber.send(puback(1));
            subscriber.expect(publish1("p/win", 3, "m3"));
            subscriber.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-6] messages from one publisher reach a subscriber in the order they were published, per QoS")
    void orderingPreserved() {
        int n = 20;
        try (RawClient subscriber = RawClient.connected(port, "p-order-sub").subscribe(1, "p/order", 2);
                RawClient publisher = RawClient.connected(port, "p-order-pub")) {
            byte[][] qos1 = new byte[n][];
            byte[][] qos0 = new byte[n][];
            for (int i = 0; i < n; i++) {
                qos1[i] = publish1("p/order", i + 1, "a" + i);
                qos0[i] = publish0("p/order", "b" + i);
            }
            publisher.send(qos1);
            publisher.send(qos0);
            for (int i = 0; i < n; i++) {
                publisher.expect(puback(i + 1));
            }
            for (int i = 0; i < n; i++) {
                subscriber.expect(publish1("p/order", i + 1, "a" + i));
                subscriber.send(puback(i + 1));
            }
            for (int i = 0; i < n; i++) {
                subscriber.expect(publish0("p/order", "b" + i));
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-6] [MQTT-2.3.1-4] three concurrent publishers: each one's messages arrive once, in order, with identifiers unique in flight")
    void concurrentPublishersKeepOrder() throws Exception {
        int publishers = 3;
        int perPublisher = 150;
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try (RawClient subscriber = RawClient.connected(port, "p-conc-sub").subscribe(1, "p/conc/+", 1)) {
            List<Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                sent.add(pool.submit(() -> {
                    try (RawClient client = RawClient.connected(port, "p-conc-pub" + publisher)) {
                        for (int i = 0; i < perPublisher; i++) {
                            client.send(publish1("p/conc/" + publisher, i + 1, publisher + ":" + i));
                        }
                        for (int i = 0; i < perPublisher; i++) {
                            client.expect(puback(i + 1));
                        }
                    }
                    return null;
                }));
            }
            int[] next = new int[publishers];
            Set<Integer> inFlight = new HashSet<>();
            for (int n = 0; n < publishers * perPublisher; n++) {
                byte[] packet = subscriber.readPacket();
                assertThat(packet[0] & 0xFF).as("PUBLISH QoS 1, DUP 0, RETAIN 0: %s", Packets.hex(packet)).isEqualTo(0x32);
                int topicLength = (packet[2] & 0xFF) << 8 | packet[3] & 0xFF; // remaining length < 128: one byte
                int id = (packet[4 + topicLength] & 0xFF) << 8 | packet[5 + topicLength] & 0xFF;
                String payload = new String(packet, 6 + topicLength, packet.length - 6 - topicLength, StandardCharsets.UTF_8);
                int publisher = Integer.parseInt(payload.substring(0, payload.indexOf(':')));
                int index = Integer.parseInt(payload.substring(payload.indexOf(':') + 1));
                assertThat(index).as("next message of publisher %d", publisher).isEqualTo(next[publisher]);
                next[publisher]++;
                assertThat(inFlight.add(id)).as("identifier %d is not in flight already", id).isTrue();
                // acknowledge every other message at once, the rest a little later
                if (n % 2 == 0) {
                    subscriber.send(puback(id));
                    inFlight.remove(id);
                } else if (inFlight.size() > 8) {
                    for (int open : inFlight) {
                        subscriber.send(puback(open));
                    }
                    inFlight.clear();
                }
            }
            for (Future<?> f : sent) {
                f.get(10, TimeUnit.SECONDS);
            }
            for (int open : inFlight) {
                subscriber.send(puback(open));
            }
            subscriber.send(pingreq()).expect(pingresp());
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-3.3.5-1] overlapping subscriptions of one client: one copy, at the highest granted QoS")
    void overlappingSubscriptionsOneCopy() {
        try (RawClient subscriber = RawClient.connected(port, "p-ovl-sub");
                RawClient publisher = RawClient.connected(port, "p-ovl-pub")) {
            subscriber.send(subscribe(1, "p/ovl/+", 0, "p/ovl/#", 2, "p/ovl/a", 1));
            subscriber.expect(suback(1, 0x00, 0x02, 0x01));
            publisher.send(publish2("p/ovl/a", 1, "x"));
            publisher.expect(pubrec(1));
            subscriber.expect(bytes(
                    0x34, 0x0C,                // PUBLISH QoS 2 (the highest of 0, 2, 1), remaining length 12
                    0x00, 0x07, 'p', '/', 'o', 'v', 'l', '/', 'a', // topic "p/ovl/a"
                    0x00, 0x01,                // packet identifier 1
                    'x'));                     // payload "x"
            // nothing else before the answer to the subscriber's own PINGREQ
            subscriber.send(pingreq()).expect(pingresp());
        }
    }

    // ---- persistent sessions ----

    @Test
    @DisplayName("[MQTT-4.4.0-1] [MQTT-3.3.1-1] unacknowledged QoS 1 deliveries are re-sent on reconnect with DUP 1 and their identifiers, in order [MQTT-4.6.0-1]")
    void unackedQos1ResentOnReconnect() {
        try (RawClient publisher = RawClient.connected(port, "p-resend-pub")) {
            RawClient subscriber = RawClient.connected(port, persistent("p-resend")).subscribe(1, "p/resend", 1);
            publisher.send(publish1("p/resend", 1, "a"), publish1("p/resend", 2, "b"));
            publisher.expect(Packets.concat(puback(1), puback(2)));
            subscriber.expect(publish1("p/resend", 1, "a"));
            subscriber.expect(publish1("p/resend", 2, "b"));
            dropConnection(subscriber, "p-resend");

            subscriber = RawClient.connected(port, persistent("p-resend"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expect(bytes(
                    0x3A, 0x0D,                // PUBLISH DUP 1, QoS 1, remaining length 13
                    0x00, 0x08, 'p', '/', 'r', 'e', 's', 'e', 'n', 'd', // topic "p/resend"
                    0x00, 0x01,                // packet identifier 1, as first sent
                    'a'));                     // payload "a"
            subscriber.expect(bytes(
                    0x3A, 0x0D,                // PUBLISH DUP 1, QoS 1, remaining length 13
                    0x00, 0x08, 'p', '/', 'r', 'e', 's', 'e', 'n', 'd', // topic "p/resend"
                    0x00, 0x02,                // packet identifier 2
                    'b'));                     // payload "b"
            subscriber.send(puback(1));
            subscriber.send(pingreq()).expect(pingresp());
            dropConnection(subscriber, "p-resend");

            // only "b" is still unacknowledged
            subscriber = RawClient.connected(port, persistent("p-resend"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expect(publish(true, 1, false, "p/resend", 2, Packets.utf8("b")));
            subscriber.send(puback(2));
            subscriber.send(pingreq()).expect(pingresp());
            dropConnection(subscriber, "p-resend");

            subscriber = RawClient.connected(port, persistent("p-resend"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expectNothing(QUIET);
            subscriber.close();
        }
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] a QoS 2 delivery whose PUBREC arrived is resumed on reconnect with PUBREL, not PUBLISH")
    void pubrelResentOnReconnect() {
        try (RawClient publisher = RawClient.connected(port, "p-rel-pub")) {
            RawClient subscriber = RawClient.connected(port, persistent("p-rel")).subscribe(1, "p/rel", 2);
            publisher.send(publish2("p/rel", 1, "r"), publish2("p/rel", 2, "s"));
            publisher.expect(Packets.concat(pubrec(1), pubrec(2)));
            subscriber.expect(publish2("p/rel", 1, "r"));
            subscriber.expect(publish2("p/rel", 2, "s"));
            subscriber.send(pubrec(1));
            subscriber.expect(pubrel(1));
            dropConnection(subscriber, "p-rel");

            subscriber = RawClient.connected(port, persistent("p-rel"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expect(bytes(
                    0x62, 0x02,                // PUBREL, remaining length 2
                    0x00, 0x01));              // packet identifier 1: PUBREC had arrived
            subscriber.expect(bytes(
                    0x3C, 0x0A,                // PUBLISH DUP 1, QoS 2, remaining length 10
                    0x00, 0x05, 'p', '/', 'r', 'e', 'l', // topic "p/rel"
                    0x00, 0x02,                // packet identifier 2: no PUBREC yet
                    's'));                     // payload "s"
            subscriber.send(pubcomp(1), pubrec(2));
            subscriber.expect(pubrel(2));
            subscriber.send(pubcomp(2));
            subscriber.send(pingreq()).expect(pingresp());
            dropConnection(subscriber, "p-rel");

            subscriber = RawClient.connected(port, persistent("p-rel"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expectNothing(QUIET);
            subscriber.close();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] QoS 1 and 2 messages for an offline persistent session are delivered on reconnect; QoS 0 are not kept")
    void queuedWhileOffline() {
        try (RawClient publisher = RawClient.connected(port, "p-off-pub")) {
            RawClient subscriber = RawClient.connected(port, persistent("p-off")).subscribe(1, "p/off", 2);
            subscriber.send(disconnect());
            subscriber.expectClosed();
            subscriber.close();
            Brokers.awaitOffline(broker, "p-off");

            publisher.send(publish1("p/off", 1, "q1"), publish0("p/off", "q0"), publish2("p/off", 2, "q2"));
            publisher.expect(Packets.concat(puback(1), pubrec(2)));

            subscriber = RawClient.connected(port, persistent("p-off"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expect(publish1("p/off", 1, "q1"));
            subscriber.expect(publish2("p/off", 2, "q2"));
            subscriber.expectNothing(QUIET);
            subscriber.close();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-6] connecting with a clean session discards the persistent session: no queued messages, no subscriptions")
    void cleanSessionDiscardsState() {
        try (RawClient publisher = RawClient.connected(port, "p-clean-pub")) {
            RawClient subscriber = RawClient.connected(port, persistent("p-clean")).subscribe(1, "p/clean", 1);
            subscriber.send(disconnect());
            subscriber.expectClosed();
            subscriber.close();
            Brokers.awaitOffline(broker, "p-clean");
            publisher.send(publish1("p/clean", 1, "lost"));
            publisher.expect(puback(1));

            subscriber = RawClient.connected(port, connect311("p-clean").clean(true).build(), CONNACK_ACCEPTED);
            subscriber.send(pingreq()).expect(pingresp()); // the queued message is gone
            publisher.send(publish1("p/clean", 2, "unseen"));
            publisher.expect(puback(2));
            subscriber.send(pingreq()).expect(pingresp()); // and so is the subscription
            subscriber.send(disconnect());
            subscriber.expectClosed();
            subscriber.close();
            Brokers.awaitOffline(broker, "p-clean");

            // the clean session ended with its connection: nothing is present [MQTT-3.2.2-3]
            subscriber = RawClient.connected(port, persistent("p-clean"), CONNACK_ACCEPTED);
            subscriber.close();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] a persistent session's subscriptions survive a reconnect")
    void subscriptionsSurviveReconnect() {
        try (RawClient publisher = RawClient.connected(port, "p-keep-pub")) {
            RawClient subscriber = RawClient.connected(port, persistent("p-keep")).subscribe(1, "p/keep", 1);
            subscriber.send(disconnect());
            subscriber.expectClosed();
            subscriber.close();
            Brokers.awaitOffline(broker, "p-keep");
            subscriber = RawClient.connected(port, persistent("p-keep"), CONNACK_ACCEPTED_SESSION_PRESENT);
            publisher.send(publish1("p/keep", 1, "still subscribed"));
            publisher.expect(puback(1));
            subscriber.expect(publish1("p/keep", 1, "still subscribed"));
            subscriber.close();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] [MQTT-4.4.0-1] taking over a live persistent session re-sends its unacknowledged deliveries on the new connection")
    void takeOverResendsInflight() {
        try (RawClient publisher = RawClient.connected(port, "p-tko-pub");
                RawClient old = RawClient.connected(port, persistent("p-tko")).subscribe(1, "p/tko", 1)) {
            publisher.send(publish1("p/tko", 1, "unacked"));
            publisher.expect(puback(1));
            old.expect(publish1("p/tko", 1, "unacked"));
            try (RawClient taker = RawClient.connected(port, persistent("p-tko"), CONNACK_ACCEPTED_SESSION_PRESENT)) {
                taker.expect(publish(true, 1, false, "p/tko", 1, Packets.utf8("unacked")));
                old.expectClosed();
                taker.send(puback(1));
                publisher.send(publish1("p/tko", 2, "next"));
                publisher.expect(puback(2));
                taker.expect(publish1("p/tko", 2, "next"));
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 PUBLISH re-sent with DUP after a reconnect, before PUBREL, is not delivered again")
    void inboundQos2SurvivesReconnect() {
        try (RawClient subscriber = RawClient.connected(port, "p-in2-sub").subscribe(1, "p/in2", 0)) {
            RawClient publisher = RawClient.connected(port, persistent("p-in2"));
            publisher.send(publish2("p/in2", 7, "once"));
            publisher.expect(pubrec(7));
            subscriber.expect(publish0("p/in2", "once"));
            dropConnection(publisher, "p-in2");

            publisher = RawClient.connected(port, persistent("p-in2"), CONNACK_ACCEPTED_SESSION_PRESENT);
            publisher.send(publish(true, 2, false, "p/in2", 7, Packets.utf8("once")));
            publisher.expect(pubrec(7));
            publisher.send(pubrel(7));
            publisher.expect(pubcomp(7));
            publisher.close();
            subscriber.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-4.6.0-6] more queued messages than max_inflight: the window is filled on reconnect, the rest follow acknowledgements in order")
    void queuedBeyondWindowOnReconnect() {
        try (Broker small = Brokers.start(c -> c.withLimits(BrokerConfig.DEFAULT_MAX_PACKET_SIZE, 2,
                        BrokerConfig.DEFAULT_MAX_QUEUED, BrokerConfig.DEFAULT_MAX_PENDING_QOS0));
                RawClient publisher = RawClient.connected(small.port(), "p-qw-pub")) {
            RawClient subscriber = RawClient.connected(small.port(), persistent("p-qw")).subscribe(1, "p/qw", 1);
            subscriber.send(disconnect());
            subscriber.expectClosed();
            subscriber.close();
            Brokers.awaitOffline(small, "p-qw");
            for (int i = 1; i <= 4; i++) {
                publisher.send(publish1("p/qw", i, "m" + i));
                publisher.expect(puback(i));
            }
            subscriber = RawClient.connected(small.port(), persistent("p-qw"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expect(publish1("p/qw", 1, "m1"));
            subscriber.expect(publish1("p/qw", 2, "m2"));
            subscriber.expectNothing(QUIET);
            subscriber.send(puback(1), puback(2));
            subscriber.expect(publish1("p/qw", 3, "m3"));
            subscriber.expect(publish1("p/qw", 4, "m4"));
            subscriber.close();
        }
    }

    @Test
    @DisplayName("[§4.1] max_queued_messages 2: further messages for an offline session are dropped and counted")
    void queueBoundDropsAndCounts() {
        try (Broker small = Brokers.start(c -> c.withLimits(BrokerConfig.DEFAULT_MAX_PACKET_SIZE,
                        BrokerConfig.DEFAULT_MAX_INFLIGHT, 2, BrokerConfig.DEFAULT_MAX_PENDING_QOS0));
                RawClient publisher = RawClient.connected(small.port(), "p-qb-pub")) {
            RawClient subscriber = RawClient.connected(small.port(), persistent("p-qb")).subscribe(1, "p/qb", 1);
            subscriber.send(disconnect());
            subscriber.expectClosed();
            subscriber.close();
            Brokers.awaitOffline(small, "p-qb");
            for (int i = 1; i <= 4; i++) {
                publisher.send(publish1("p/qb", i, "m" + i));
                publisher.expect(puback(i));
            }
            subscriber = RawClient.connected(small.port(), persistent("p-qb"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expect(publish1("p/qb", 1, "m1"));
            subscriber.expect(publish1("p/qb", 2, "m2"));
            subscriber.expectNothing(QUIET);
            subscriber.close();
            assertThat(small.metrics().queuedMessagesDropped.sum()).isEqualTo(2);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-5] queue_qos0_offline: QoS 0 messages for an offline persistent session are kept too")
    void qos0QueuedWhenConfigured() {
        try (Broker queueing = Brokers.start(c -> c.withSessions(true, null));
                RawClient publisher = RawClient.connected(queueing.port(), "p-q0o-pub")) {
            RawClient subscriber = RawClient.connected(queueing.port(), persistent("p-q0o")).subscribe(1, "p/q0o", 1);
            subscriber.send(disconnect());
            subscriber.expectClosed();
            subscriber.close();
            Brokers.awaitOffline(queueing, "p-q0o");
            publisher.send(publish0("p/q0o", "zero"), publish1("p/q0o", 1, "one"));
            publisher.expect(puback(1));
            subscriber = RawClient.connected(queueing.port(), persistent("p-q0o"), CONNACK_ACCEPTED_SESSION_PRESENT);
            subscriber.expect(publish0("p/q0o", "zero"));
            subscriber.expect(publish1("p/q0o", 1, "one"));
            subscriber.close();
        }
    }

    @Test
    @DisplayName("[MQTT-2.3.1-4] each subscriber's session numbers its deliveries independently, at its own granted QoS")
    void packetIdsPerSession() {
        try (RawClient first = RawClient.connected(port, "p-per-1").subscribe(1, "p/per", 2);
                RawClient second = RawClient.connected(port, "p-per-2").subscribe(1, "p/per", 1);
                RawClient third = RawClient.connected(port, "p-per-3").subscribe(1, "p/per", 0);
                RawClient publisher = RawClient.connected(port, "p-per-pub")) {
            publisher.send(publish2("p/per", 40, "a"));
            publisher.expect(pubrec(40));
            first.expect(publish2("p/per", 1, "a"));
            // the subscriber publishes too: its PUBACK carries its own identifier, unrelated to the broker's
            first.send(publish1("p/per", 1, "own"));
            first.expect(puback(1));
            first.expect(publish1("p/per", 2, "own"));
            second.expect(publish1("p/per", 1, "a"));
            second.expect(publish1("p/per", 2, "own"));
            third.expect(publish0("p/per", "a"));
            third.expect(publish0("p/per", "own"));
        }
    }

    // ---- sizes and encodings ----

    @Test
    @DisplayName("[§2.2.3] [§3.3.3] a 70,000-byte payload (3-byte Remaining Length) is delivered byte for byte")
    void largePayload() {
        byte[] payload = new byte[70_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        try (RawClient subscriber = RawClient.connected(port, "p-big-sub").subscribe(1, "p/big", 1);
                RawClient publisher = RawClient.connected(port, "p-big-pub")) {
            byte[] in = publish(false, 1, false, "p/big", 1, payload);
            assertThat(Arrays.copyOf(in, 4)).isEqualTo(bytes(
                    0x32,                      // PUBLISH QoS 1
                    0xF9, 0xA2, 0x04));        // Remaining Length 70,009 = 0x79 + 0x22*128 + 0x04*16384
            publisher.send(in);
            publisher.expect(puback(1));
            subscriber.expect(in); // the same bytes: its identifier is 1 too
        }
    }

    @Test
    @DisplayName("[§3.3.3] payloads around the encoder's 512-byte zero-copy threshold are delivered byte for byte, also when retained")
    void payloadsAroundZeroCopyThreshold() {
        try (RawClient subscriber = RawClient.connected(port, "p-zc-sub").subscribe(1, "p/zc/+", 0);
                RawClient publisher = RawClient.connected(port, "p-zc-pub")) {
            for (int size : new int[] {511, 512, 513, 4096}) {
                byte[] payload = new byte[size];
                Arrays.fill(payload, (byte) size);
                publisher.send(publish(false, 0, true, "p/zc/" + size, 0, payload));
                subscriber.expect(publish(false, 0, false, "p/zc/" + size, 0, payload));
            }
        }
        try (RawClient late = RawClient.connected(port, "p-zc-late")) {
            late.send(subscribe(1, "p/zc/4096", 0));
            late.expect(suback(1, 0x00));
            byte[] payload = new byte[4096];
            Arrays.fill(payload, (byte) 4096);
            late.expect(publish(false, 0, true, "p/zc/4096", 0, payload));
        }
    }

    @Test
    @DisplayName("[§2.2.3] a packet arriving one byte per write is decoded as one packet")
    void packetInSingleBytes() {
        try (RawClient client = RawClient.connected(port, "p-bytes")) {
            byte[] packet = publish1("p/bytes", 0x0102, "slow");
            for (byte b : packet) {
                client.send(new byte[] {b});
            }
            client.expect(puback(0x0102));
        }
    }

    @Test
    @DisplayName("[MQTT-1.5.3-3] a topic starting with U+FEFF (EF BB BF) keeps it: matched and delivered as is")
    void byteOrderMarkKept() {
        try (RawClient subscriber = RawClient.connected(port, "p-bom-sub");
                RawClient publisher = RawClient.connected(port, "p-bom-pub")) {
            subscriber.send(bytes(
                    0x82, 0x0B,                // SUBSCRIBE, remaining length 11
                    0x00, 0x01,                // packet identifier 1
                    0x00, 0x06, 0xEF, 0xBB, 0xBF, 'b', 'o', 'm', // topic filter U+FEFF "bom"
                    0x00));                    // QoS 0
            subscriber.expect(suback(1, 0x00));
            subscriber.subscribe(2, "bom", 0);
            byte[] withBom = bytes(
                    0x30, 0x09,                // PUBLISH QoS 0, remaining length 9
                    0x00, 0x06, 0xEF, 0xBB, 0xBF, 'b', 'o', 'm', // topic U+FEFF "bom"
                    '!');                      // payload "!"
            publisher.send(withBom, publish0("bom", "plain"));
            subscriber.expect(withBom);
            subscriber.expect(publish0("bom", "plain"));
            subscriber.send(pingreq()).expect(pingresp());
        }
    }

    @Test
    @DisplayName("[MQTT-4.7.3-3] a topic name of 65,535 bytes is routed and delivered")
    void longestTopicName() {
        String topic = "p/" + "t".repeat(65_533);
        try (RawClient subscriber = RawClient.connected(port, "p-long-sub").subscribe(1, "p/+", 0);
                RawClient publisher = RawClient.connected(port, "p-long-pub")) {
            publisher.send(publish0(topic, "long"));
            subscriber.expect(publish0(topic, "long"));
        }
    }
}
