package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.pingreq;
import static io.starling.broker.conformance.Packets.pingresp;
import static io.starling.broker.conformance.Packets.publish;
import static io.starling.broker.conformance.Packets.publish0;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code max_inbound_message_rate} and {@code max_inbound_byte_rate}: beyond them the broker stops
 * reading the client for a while instead of dropping anything, and keep-alive does not count the
 * pause against the client.
 */
class LimitsInboundRateTest {
    private static BrokerConfig.Limits rates(int messages, long bytes) {
        return new BrokerConfig.Limits(0, 128, 65535, 0, messages, bytes, 0, 0, Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("30 PUBLISHes at 10/s: all delivered, the next one read only after the 2 s the rate owes; keep alive 1 s survives the pause")
    void messageRate() {
        try (var broker = Brokers.start(c -> c.inMemory().withLimits(rates(10, 0)));
                RawClient subscriber = RawClient.connected(broker.port(), "r-sub").subscribe(1, "r/t", 0);
                RawClient publisher = RawClient.connected(broker.port(), "r-pub", connect311("r-pub").keepAlive(1).build(),
                        Packets.CONNACK_ACCEPTED)) {
            byte[][] burst = new byte[30][];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = publish0("r/t", "m" + (i + 1));
            }
            long start = System.nanoTime();
            publisher.send(burst);
            // what was read is handled: nothing is dropped
            for (int i = 1; i <= 30; i++) {
                subscriber.expect(publish0("r/t", "m" + i));
            }
            publisher.send(publish0("r/t", "m31"));
            subscriber.expect(publish0("r/t", "m31"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            // 30 against a bucket of 10: 20 owed at 10/s
            assertThat(millis).as("m31 waited for the rate").isGreaterThanOrEqualTo(1500);
            assertThat(broker.metrics().clientsThrottled.sum()).isPositive();
            // not read for 2 s with a keep alive of 1 s (limit 1.5 s): the broker's pause, not the client's silence
            publisher.send(pingreq());
            publisher.expect(pingresp());
        }
    }

    @Test
    @DisplayName("40 KB at 20 KB/s: all delivered, the next PUBLISH read only after about a second")
    void byteRate() {
        try (var broker = Brokers.start(c -> c.inMemory().withLimits(rates(0, 20_000)));
                RawClient subscriber = RawClient.connected(broker.port(), "b-sub").subscribe(1, "b/t", 0);
                RawClient publisher = RawClient.connected(broker.port(), "b-pub")) {
            byte[] payload = new byte[10_000];
            Arrays.fill(payload, (byte) 'x');
            byte[][] burst = new byte[4][];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = publish(false, 0, false, "b/t", 0, payload);
            }
            long start = System.nanoTime();
            publisher.send(burst);
            for (byte[] each : burst) {
                subscriber.expect(each);
            }
            publisher.send(publish0("b/t", "last"));
            subscriber.expect(publish0("b/t", "last"));
            long millis = (System.nanoTime() - start) / 1_000_000;
            // 40 KB against a bucket of 20 KB: 20 KB owed at 20 KB/s
            assertThat(millis).as("the last PUBLISH waited for the byte rate").isGreaterThanOrEqualTo(800);
            assertThat(broker.metrics().clientsThrottled.sum()).isPositive();
        }
    }
}
