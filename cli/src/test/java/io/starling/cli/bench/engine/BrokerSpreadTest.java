package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The assignment of clients to brokers that the bench's help, cluster-bench.sh and docs/performance.md state. */
class BrokerSpreadTest {
    private static final BrokerSpread THREE = new BrokerSpread(List.of(BrokerAddress.parse("127.0.0.1:1883"),
            BrokerAddress.parse("127.0.0.1:1884"), BrokerAddress.parse("127.0.0.1:1885")));

    private static int[] perBroker(int clients, boolean publishers) {
        int[] on = new int[3];
        for (int c = 0; c < clients; c++) {
            on[publishers ? THREE.publisherBroker(c) : THREE.subscriberBroker(c)]++;
        }
        return on;
    }

    @Test
    @DisplayName("over 3 brokers: fan-in's 8 publishers 2/3/3 around its subscriber on broker 0, so 6 of 8 cross")
    void fanIn() {
        assertThat(THREE.subscriberBroker(0)).isZero();
        assertThat(perBroker(8, true)).containsExactly(2, 3, 3);
    }

    @Test
    @DisplayName("over 3 brokers: fan-out's publisher on broker 1, its 50 subscribers 17/17/16, so 33 of 50 deliveries cross")
    void fanOut() {
        assertThat(THREE.publisherBroker(0)).isEqualTo(1);
        assertThat(perBroker(50, false)).containsExactly(17, 17, 16);
    }

    @Test
    @DisplayName("pairs: publisher i is never on subscriber i's broker, over 2 or 3 brokers; over 1 everything is on it")
    void pairsAlwaysCross() {
        BrokerSpread two = new BrokerSpread(THREE.brokers().subList(0, 2));
        BrokerSpread one = new BrokerSpread(THREE.brokers().subList(0, 1));
        assertThat(IntStream.range(0, 100)).allMatch(i -> THREE.publisherBroker(i) != THREE.subscriberBroker(i)
                && two.publisherBroker(i) != two.subscriberBroker(i)
                && one.publisherBroker(i) == 0 && one.subscriberBroker(i) == 0);
    }
}
