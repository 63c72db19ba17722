package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.publish1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure: a PUBACK means the broker took ownership of the message [MQTT-4.3.2-2], so a
 * connected subscriber whose queue is full does not lose it. The broker keeps the message and
 * stops reading from the publishers that send it more until the queue has drained to half.
 * Brokers here keep 2 messages in flight and 4 queued per session.
 */
class BackPressureConformanceTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    private static Broker smallQueues() {
        return Brokers.start(c -> c.withLimits(BrokerConfig.DEFAULT_MAX_PACKET_SIZE, 2, 4, BrokerConfig.DEFAULT_MAX_PENDING_QOS0));
    }

    /** Fills {@code subscriberId}'s window (2) and queue (4) with messages 1 to 6 from a first publisher. */
    private static void fill(Broker broker, RawClient filler, String topic, String subscriberId) {
        for (int i = 1; i <= 6; i++) {
            filler.send(publish1(topic, i, "m" + i));
            filler.expect(puback(i));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> session(broker, subscriberId).congested());
    }

    private static Session session(Broker broker, String clientId) {
        Session session = BrokerInternals.sessions(broker).store().get(clientId);
        assertThat(session).as("session of %s", clientId).isNotNull();
        return session;
    }

    @Test
    @DisplayName("[MQTT-4.3.2-2] a live subscriber's full queue holds the publisher back instead of dropping acknowledged messages")
    void fullQueueHoldsBackThePublisher() {
        try (Broker broker = smallQueues();
                RawClient subscriber = RawClient.connected(broker.port(), "bp-sub").subscribe(1, "bp/t", 1);
                RawClient filler = RawClient.connected(broker.port(), "bp-fill");
                RawClient publisher = RawClient.connected(broker.port(), connect311("bp-pub").keepAlive(1).build())) {
            fill(broker, filler, "bp/t", "bp-sub");
            subscriber.expect(publish1("bp/t", 1, "m1"));
            subscriber.expect(publish1("bp/t", 2, "m2"));

            // message 7 is read and kept (acknowledged); reading it holds the publisher back
            publisher.send(publish1("bp/t", 7, "m7"));
            publisher.expect(puback(7));
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().publishersHeldBack.sum() == 1);
            // message 8 waits in the publisher's socket, longer than 1.5 x its keep alive of 1 s
            publisher.send(publish1("bp/t", 8, "m8"));
            publisher.expectNothing(Duration.ofMillis(2000));

            // queue 3, 4, 5, 6, 7: two PUBACKs leave three queued, above half of 4
            subscriber.send(puback(1), puback(2));
            subscriber.expect(publish1("bp/t", 3, "m3"));
            subscriber.expect(publish1("bp/t", 4, "m4"));
            publisher.expectNothing(QUIET);
            // two more leave one queued: drained, the publisher is read again
            subscriber.send(puback(3), puback(4));
            subscriber.expect(publish1("bp/t", 5, "m5"));
            subscriber.expect(publish1("bp/t", 6, "m6"));
            publisher.expect(puback(8));

            subscriber.send(puback(5), puback(6));
            subscriber.expect(publish1("bp/t", 7, "m7"));
            subscriber.expect(publish1("bp/t", 8, "m8"));
            subscriber.send(puback(7), puback(8));
            subscriber.expectNothing(QUIET);
            assertThat(broker.metrics().queuedMessagesDropped.sum()).isZero();
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.2-2] a held-back publisher is resumed when the full subscriber disconnects")
    void subscriberLeavingResumesThePublisher() {
        try (Broker broker = smallQueues();
                RawClient filler = RawClient.connected(broker.port(), "bp-fill2");
                RawClient publisher = RawClient.connected(broker.port(), "bp-pub2")) {
            RawClient subscriber = RawClient.connected(broker.port(), "bp-sub2").subscribe(1, "bp/u", 1);
            fill(broker, filler, "bp/u", "bp-sub2");
            publisher.send(publish1("bp/u", 7, "m7"));
            publisher.expect(puback(7));
            publisher.send(publish1("bp/u", 8, "m8"));
            publisher.expectNothing(QUIET);

            // a clean session ends with its connection: nothing to hold anyone back for
            subscriber.close();
            publisher.expect(puback(8));
        }
    }

    @Test
    @DisplayName("[MQTT-4.3.2-2] a client whose own queue is full is not held back as a publisher, so it can still drain")
    void congestedSessionIsNotHeldBack() {
        try (Broker broker = smallQueues();
                RawClient other = RawClient.connected(broker.port(), "bp-other").subscribe(1, "bp/other", 1);
                RawClient both = RawClient.connected(broker.port(), "bp-both").subscribe(1, "bp/both", 1);
                RawClient fillOther = RawClient.connected(broker.port(), "bp-fill-other");
                RawClient fillBoth = RawClient.connected(broker.port(), "bp-fill-both")) {
            fill(broker, fillOther, "bp/other", "bp-other");
            fill(broker, fillBoth, "bp/both", "bp-both");

            // bp-both publishes to the full bp-other twice: both are read and acknowledged
            both.send(publish1("bp/other", 101, "x"));
            both.send(publish1("bp/other", 102, "y"));
            List<String> received = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                received.add(Packets.hex(both.readPacket()));
            }
            // its own two in-flight deliveries and the two PUBACKs, in whatever order they interleave
            assertThat(received).containsExactlyInAnyOrder(Packets.hex(publish1("bp/both", 1, "m1")),
                    Packets.hex(publish1("bp/both", 2, "m2")), Packets.hex(puback(101)), Packets.hex(puback(102)));
            assertThat(broker.metrics().queuedMessagesDropped.sum()).isZero();
        }
    }
}
