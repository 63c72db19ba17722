package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.FsyncMode;
import io.starling.broker.internal.session.Session;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.cli.bench.stats.BenchSummary;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench in MQTT 5.0 end to end against a real embedded Starling broker: every message is
 * accounted for in each shape and QoS, as in {@link BenchSmokeTest} for 3.1.1, and the broker's
 * counters agree with the summary.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Mqtt5BrokerBenchTest {
    private static final Duration RUN = Duration.ofMillis(1500);
    private static Broker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static BenchSettings settings(QoS qos) {
        return BenchSettings.defaults().withVersion(MqttVersion.V5).withBroker("127.0.0.1", broker.port()).withQos(qos)
                .withThreads(2).withDuration(RUN).withProgress(false);
    }

    /** Runs {@code options}; checks that every message was acknowledged and received once, and the broker's counters. */
    private static BenchSummary runExactlyOnce(PubSubOptions options, int connections, int subscribersPerMessage) {
        long brokerReceived = broker.metrics().messagesReceived.sum();
        long brokerSent = broker.metrics().messagesSent.sum();
        BenchSummary s = PubSubBench.run(options);
        assertThat(s.protocol()).isEqualTo("5.0");
        assertThat(s.scenario()).contains(", MQTT 5.0, QoS " + options.settings().qos().value() + ", ");
        assertThat(s.connections()).isEqualTo(connections);
        assertThat(s.connectFailed()).isZero();
        assertThat(s.disconnected()).isZero();
        assertThat(s.sent()).isPositive();
        assertThat(s.acknowledged()).as(s.toText()).isEqualTo(s.sent());
        assertThat(s.expected()).isEqualTo(s.sent() * subscribersPerMessage);
        assertThat(s.received()).as(s.toText()).isEqualTo(s.expected());
        assertThat(s.lost()).isZero();
        assertThat(s.duplicated()).isZero();
        assertThat(s.outOfOrder()).isZero();
        assertThat(s.latency().count()).isEqualTo(s.received());
        assertThat(broker.metrics().messagesReceived.sum() - brokerReceived).as("PUBLISH the broker routed")
                .isEqualTo(s.sent());
        assertThat(broker.metrics().messagesSent.sum() - brokerSent).as("PUBLISH the broker delivered")
                .isEqualTo(s.received());
        return s;
    }

    @Test
    @DisplayName("5.0 pairs at QoS 1: 4 pairs, every message acknowledged and received once")
    void pairsQos1() {
        runExactlyOnce(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE), Shape.PAIRS).withPublishers(4), 8, 1);
    }

    @Test
    @DisplayName("5.0 fan-in at QoS 0: 3 publishers to a wildcard subscriber, bounded backlog, nothing dropped")
    void fanInQos0() {
        runExactlyOnce(PubSubOptions.of(settings(QoS.AT_MOST_ONCE), Shape.FAN_IN).withPublishers(3).withMaxBacklog(200), 4, 1);
    }

    @Test
    @DisplayName("5.0 fan-out at QoS 2 with 1000-byte payloads: PUBREC, PUBREL, PUBCOMP both ways, exactly once")
    void fanOutQos2() {
        runExactlyOnce(PubSubOptions.of(settings(QoS.EXACTLY_ONCE), Shape.FAN_OUT).withSubscribers(3).withPayloadSize(1000), 4, 3);
    }

    @Test
    @DisplayName("5.0 open loop: 2000 msg/s over 4 pairs for 1.5 s sends exactly 3000 messages")
    void openLoop() {
        // a window that a stall of this shared machine does not fill (64 is 128 ms at 500 msg/s per publisher), and
        // below the broker's queue of 1000 per subscriber, whose overflow would hold the publisher back
        BenchSummary s = runExactlyOnce(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE), Shape.PAIRS).withPublishers(4)
                .withRate(2000).withInflight(500), 8, 1);
        assertThat(s.sent()).isEqualTo(3000);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] 5.0 --persistent: the subscribers' sessions never expire, so they stay on a durable broker after the run")
    void persistentSubscribers(@TempDir Path data) throws IOException {
        BrokerConfig defaults = BrokerConfig.defaults();
        try (Broker durable = Broker.start(defaults.onLoopback()
                .withStorage(defaults.storage().onDisk(data.resolve("store"), FsyncMode.BATCH)))) {
            BenchSettings persistent = settings(QoS.AT_LEAST_ONCE).withBroker("127.0.0.1", durable.port())
                    .withPersistentSubscribers(true);
            BenchSummary s = PubSubBench.run(PubSubOptions.of(persistent, Shape.FAN_OUT).withSubscribers(2));
            assertThat(s.connections()).isEqualTo(3);
            assertThat(s.disconnected()).isZero();
            assertThat(s.sent()).isPositive();
            assertThat(s.received()).isEqualTo(2 * s.sent());
            assertThat(s.lost()).isZero();
            List<Session> kept = BrokerInternals.sessions(durable).store().all().stream().filter(Session::persistent).toList();
            assertThat(kept).as("the subscribers' sessions, kept after the run").hasSize(2);
            assertThat(kept).allMatch(Session::durable);
            assertThat(kept).allSatisfy(session -> assertThat(session.expirySeconds()).isEqualTo(0xFFFF_FFFFL));
        }
    }

    @Test
    @DisplayName("5.0 bench conn holds 20 connections past 1.5 keep-alive periods and closes them at the end")
    void conn() throws Exception {
        long opened = broker.metrics().connectionsOpened.sum();
        long closed = broker.metrics().connectionsClosed.sum();
        ConnBench bench = new ConnBench(new ConnOptions(settings(QoS.AT_MOST_ONCE).withKeepAlive(1)
                .withDuration(Duration.ofMillis(2500)), 20, 0));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<BenchSummary> running = CompletableFuture.supplyAsync(bench::run, runner);
            bench.started().get(10, TimeUnit.SECONDS);
            assertThat(broker.metrics().connectionsOpened.sum() - opened).isEqualTo(20);
            BenchSummary s = running.get(10, TimeUnit.SECONDS);
            assertThat(s.connections()).isEqualTo(20);
            assertThat(s.connectFailed()).isZero();
            assertThat(s.disconnected()).isZero();
            assertThat(s.scenario()).contains("MQTT 5.0");
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().connectionsClosed.sum() - closed == 20);
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    @DisplayName("5.0 bench pub and bench sub together: 2 subscribers get every message of 2 publishers")
    void pubAndSub() throws Exception {
        BenchSettings common = settings(QoS.AT_LEAST_ONCE).withDuration(Duration.ofSeconds(20));
        String run = RunIds.hex(RunIds.next());
        SubBench sub = new SubBench(new SubOptions(common, 2, "v5-test/" + run + "/+", 2 * 2 * 500));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<BenchSummary> subscribing = CompletableFuture.supplyAsync(sub::run, runner);
            sub.started().get(10, TimeUnit.SECONDS);
            BenchSummary pub = PubBench.run(PubOptions.of(common.withDuration(null), 2, "v5-test/" + run + "/%i").withCount(500));
            BenchSummary received = subscribing.get(20, TimeUnit.SECONDS);
            assertThat(pub.sent()).isEqualTo(1000);
            assertThat(pub.acknowledged()).isEqualTo(1000);
            assertThat(received.received()).isEqualTo(2000);
            assertThat(received.lost()).isZero();
            assertThat(received.duplicated()).isZero();
            assertThat(received.protocol()).isEqualTo("5.0");
        } finally {
            runner.shutdownNow();
        }
    }
}
