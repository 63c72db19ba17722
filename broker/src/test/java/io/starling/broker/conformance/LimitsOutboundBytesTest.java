package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED_SESSION_PRESENT;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code max_inflight_bytes} and {@code max_queued_bytes}: payload bytes, beside the bounds by count. */
class LimitsOutboundBytesTest {
    private static final Duration QUIET = Duration.ofMillis(300);

    private static BrokerConfig.Limits bytes(long inflight, long queued) {
        return new BrokerConfig.Limits(0, 128, 65535, 0, 0, 0, inflight, queued, Duration.ofSeconds(60));
    }

    private static byte[] payload(int size, char fill) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) fill);
        return bytes;
    }

    private static byte[] publish1(String topic, int packetId, byte[] payload) {
        return publish(false, 1, false, topic, packetId, payload);
    }

    @Test
    @DisplayName("max_inflight_bytes 1000: a second 600-byte message waits for the first PUBACK; a 2000-byte one still goes alone")
    void inflightBytes() {
        byte[] a = payload(600, 'a');
        byte[] b = payload(600, 'b');
        byte[] c = payload(2000, 'c');
        try (var broker = Brokers.start(config -> config.inMemory().withLimits(bytes(1000, 0)));
                RawClient subscriber = RawClient.connected(broker.port(), "ib-sub").subscribe(1, "ib/t", 1);
                RawClient publisher = RawClient.connected(broker.port(), "ib-pub")) {
            publisher.send(publish1("ib/t", 1, a), publish1("ib/t", 2, b), publish1("ib/t", 3, c));
            publisher.expect(puback(1)).expect(puback(2)).expect(puback(3));
            subscriber.expect(publish1("ib/t", 1, a));
            subscriber.expectNothing(QUIET);
            subscriber.send(puback(1));
            subscriber.expect(publish1("ib/t", 2, b));
            subscriber.expectNothing(QUIET);
            subscriber.send(puback(2));
            subscriber.expect(publish1("ib/t", 3, c));
            subscriber.send(puback(3));
        }
    }

    @Test
    @DisplayName("max_queued_bytes 1000, offline session: what would exceed it is dropped and counted, like max_queued_messages")
    void queuedBytesOffline() {
        try (var broker = Brokers.start(config -> config.inMemory().withLimits(bytes(0, 1000)))) {
            try (RawClient subscriber = RawClient.connected(broker.port(), "qb-sub", connect311("qb-sub").clean(false).build(),
                    Packets.CONNACK_ACCEPTED)) {
                subscriber.subscribe(1, "qb/t", 1);
            }
            Brokers.awaitOffline(broker, "qb-sub");
            try (RawClient publisher = RawClient.connected(broker.port(), "qb-pub")) {
                for (int i = 1; i <= 4; i++) {
                    publisher.send(publish1("qb/t", i, payload(400, (char) ('0' + i))));
                    publisher.expect(puback(i));
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().queuedMessagesDropped.sum() == 2);
            try (RawClient subscriber = RawClient.connected(broker.port(), "qb-sub", connect311("qb-sub").clean(false).build(),
                    CONNACK_ACCEPTED_SESSION_PRESENT)) {
                subscriber.expect(publish1("qb/t", 1, payload(400, '1')));
                subscriber.expect(publish1("qb/t", 2, payload(400, '2')));
                subscriber.send(puback(1), puback(2));
                subscriber.expectNothing(QUIET);
            }
        }
    }

    @Test
    @DisplayName("max_queued_bytes 1000, connected session: reaching it holds the publisher back until it drains to half, nothing dropped")
    void queuedBytesOnline() {
        try (var broker = Brokers.start(config -> config.inMemory()
                        .withLimits(BrokerConfig.DEFAULT_MAX_PACKET_SIZE, 1, 1000, BrokerConfig.DEFAULT_MAX_PENDING_QOS0)
                        .withLimits(bytes(0, 1000)));
                RawClient subscriber = RawClient.connected(broker.port(), "qo-sub").subscribe(1, "qo/t", 1);
                RawClient publisher = RawClient.connected(broker.port(), "qo-pub")) {
            // 1 in flight; 2, 3, 4 queued: 1200 bytes reach the bound of 1000
            for (int i = 1; i <= 4; i++) {
                publisher.send(publish1("qo/t", i, payload(400, (char) ('0' + i))));
                publisher.expect(puback(i));
            }
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> BrokerInternals.sessions(broker).store().get("qo-sub").congested());
            // 5 is kept and acknowledged, and reading it holds the publisher back; 6 waits in its socket
            publisher.send(publish1("qo/t", 5, payload(400, '5')));
            publisher.expect(puback(5));
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().publishersHeldBack.sum() == 1);
            publisher.send(publish1("qo/t", 6, payload(400, '6')));
            publisher.expectNothing(QUIET);
            subscriber.expect(publish1("qo/t", 1, payload(400, '1')));
            subscriber.send(puback(1));
            subscriber.expect(publish1("qo/t", 2, payload(400, '2')));
            subscriber.send(puback(2));
            subscriber.expect(publish1("qo/t", 3, payload(400, '3')));
            // queued: 4 and 5, 800 bytes, above half of the bound
            publisher.expectNothing(QUIET);
            subscriber.send(puback(3));
            subscriber.expect(publish1("qo/t", 4, payload(400, '4')));
            // queued: 5, 400 bytes: drained, the publisher is read again
            publisher.expect(puback(6));
            for (int i = 5; i <= 6; i++) {
                subscriber.send(puback(i - 1));
                subscriber.expect(publish1("qo/t", i, payload(400, (char) ('0' + i))));
            }
            assertThat(broker.metrics().queuedMessagesDropped.sum()).isZero();
        }
    }
}
