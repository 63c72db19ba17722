package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.cli.bench.stats.BenchSummary;
import io.starling.cli.bench.stats.BrokerShare;
import io.starling.cluster.ClusterNode;
import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code bench pubsub} spread over the two nodes of an in-process cluster: connections go to the
 * broker the documented assignment names, every message still arrives, and each broker's part in
 * the summary is what that broker counted (its clients' PUBLISH, its deliveries, what it forwarded).
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SpreadBenchTest {
    private static final Duration RUN = Duration.ofMillis(1500);
    private static final List<Broker> brokers = new ArrayList<>();
    private static final List<ClusterNode> nodes = new ArrayList<>();

    @BeforeAll
    static void startCluster() throws Exception {
        List<Integer> ports = freePorts(2);
        List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        for (int port : ports) {
            Broker broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
            brokers.add(broker);
            nodes.add(ClusterNode.start(BrokerConfig.Cluster.of("127.0.0.1", port, seeds), broker.cluster()));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n -> n.members().size() == 2));
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        for (ClusterNode node : nodes) {
            node.close();
        }
        brokers.forEach(Broker::close);
    }

    private static List<Integer> freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static List<BrokerAddress> addresses() {
        return brokers.stream().map(b -> new BrokerAddress("127.0.0.1", b.port())).toList();
    }

    private static PubSubOptions spread(Shape shape, int clients) {
        BenchSettings settings = BenchSettings.defaults().withQos(QoS.AT_LEAST_ONCE).withThreads(2).withDuration(RUN)
                .withProgress(false);
        PubSubOptions options = PubSubOptions.of(settings, shape).withDrain(Duration.ofSeconds(5)).withBrokers(addresses());
        return shape == Shape.FAN_OUT ? options.withSubscribers(clients) : options.withPublishers(clients);
    }

    /** Counters of every broker, read before and after a run. */
    private record Counts(long[] received, long[] sent, long[] forwardedOut, long[] forwardedIn) {
        static Counts read() {
            int k = brokers.size();
            Counts c = new Counts(new long[k], new long[k], new long[k], new long[k]);
            for (int b = 0; b < k; b++) {
                c.received[b] = brokers.get(b).metrics().messagesReceived.sum();
                c.sent[b] = brokers.get(b).metrics().messagesSent.sum();
                c.forwardedOut[b] = brokers.get(b).metrics().messagesForwardedOut.sum();
                c.forwardedIn[b] = brokers.get(b).metrics().messagesForwardedIn.sum();
            }
            return c;
        }
    }

    /** Runs {@code options}: nothing lost, and each broker's share is what that broker counted. */
    private static BenchSummary runAndCheck(PubSubOptions options) {
        Counts before = Counts.read();
        BenchSummary s = PubSubBench.run(options);
        Counts after = Counts.read();
        assertThat(s.connectFailed()).isZero();
        assertThat(s.disconnected()).isZero();
        assertThat(s.sent()).isPositive();
        assertThat(s.lost()).isZero();
        assertThat(s.duplicated()).isZero();
        assertThat(s.received()).isEqualTo(s.expected());
        assertThat(s.brokers()).hasSize(2);
        for (int b = 0; b < 2; b++) {
            BrokerShare share = s.brokers().get(b);
            assertThat(share.broker()).isEqualTo("127.0.0.1:" + brokers.get(b).port());
            assertThat(after.received[b] - before.received[b]).as("PUBLISH broker %d got from its clients", b)
                    .isEqualTo(share.sent());
            assertThat(after.sent[b] - before.sent[b]).as("PUBLISH broker %d delivered", b).isEqualTo(share.received());
        }
        assertThat(s.brokers().stream().mapToLong(BrokerShare::sent).sum()).isEqualTo(s.sent());
        assertThat(s.brokers().stream().mapToLong(BrokerShare::received).sum()).isEqualTo(s.received());
        assertThat(s.brokers().stream().mapToInt(b -> b.publishers() + b.subscribers()).sum()).isEqualTo(s.connections());
        return s;
    }

    @Test
    @DisplayName("pairs over two nodes: publisher i on the node after subscriber i's, so every message is forwarded once and arrives")
    void pairsCrossEveryMessage() {
        Counts before = Counts.read();
        BenchSummary s = runAndCheck(spread(Shape.PAIRS, 4));
        Counts after = Counts.read();
        // subscribers 0, 2 and publishers 1, 3 on node 0; subscribers 1, 3 and publishers 0, 2 on node 1
        assertThat(s.brokers()).extracting(BrokerShare::publishers).containsExactly(2, 2);
        assertThat(s.brokers()).extracting(BrokerShare::subscribers).containsExactly(2, 2);
        assertThat(s.crossing()).isEqualTo(s.expected());
        for (int b = 0; b < 2; b++) {
            int other = 1 - b;
            assertThat(after.forwardedOut[b] - before.forwardedOut[b]).as("forwarded by node %d", b)
                    .isEqualTo(s.brokers().get(b).sent());
            assertThat(after.forwardedIn[other] - before.forwardedIn[other]).as("forwarded to node %d", other)
                    .isEqualTo(s.brokers().get(b).sent());
        }
        assertThat(s.scenario()).endsWith(", spread over 2 brokers");
    }

    @Test
    @DisplayName("fan-in over two nodes: the subscriber on node 0, publishers 0 and 2 on node 1 cross, publisher 1 stays local")
    void fanInCrossesPart() {
        BenchSummary s = runAndCheck(spread(Shape.FAN_IN, 3));
        assertThat(s.brokers()).extracting(BrokerShare::publishers).containsExactly(1, 2);
        assertThat(s.brokers()).extracting(BrokerShare::subscribers).containsExactly(1, 0);
        assertThat(s.brokers().get(1).received()).isZero();
        // what the publishers on node 1 sent is what crossed
        assertThat(s.crossing()).isEqualTo(s.brokers().get(1).sent()).isLessThan(s.expected());
    }

    @Test
    @DisplayName("fan-out over two nodes: the publisher on node 1, subscribers alternate, both nodes deliver")
    void fanOutDeliversOnBothNodes() {
        BenchSummary s = runAndCheck(spread(Shape.FAN_OUT, 4));
        assertThat(s.brokers()).extracting(BrokerShare::publishers).containsExactly(0, 1);
        assertThat(s.brokers()).extracting(BrokerShare::subscribers).containsExactly(2, 2);
        assertThat(s.brokers().get(0).received()).isPositive().isEqualTo(s.brokers().get(1).received());
        assertThat(s.crossing()).isEqualTo(s.brokers().get(0).received());
    }
}
