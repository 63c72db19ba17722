package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.FsyncMode;
import io.starling.broker.internal.session.Session;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.cli.bench.stats.BenchSummary;
import io.starling.cli.bench.stats.Percentiles;
import io.starling.codec.packet.QoS;
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
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Short bench runs against an embedded broker: every message is accounted for, and the reported
 * rate and percentiles agree with the counts. The broker's own counters are a second witness.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchSmokeTest {
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
        return BenchSettings.defaults().withBroker("127.0.0.1", broker.port()).withQos(qos).withThreads(2)
                .withDuration(RUN).withProgress(false);
    }

    /** Runs {@code options} and checks what the broker saw against the summary. */
    private static BenchSummary runPubSub(PubSubOptions options) {
        long brokerReceived = broker.metrics().messagesReceived.sum();
        long brokerSent = broker.metrics().messagesSent.sum();
        BenchSummary summary = PubSubBench.run(options);
        assertThat(broker.metrics().messagesReceived.sum() - brokerReceived).as("PUBLISH the broker routed")
                .isEqualTo(summary.sent());
        assertThat(broker.metrics().messagesSent.sum() - brokerSent).as("PUBLISH the broker delivered")
                .isEqualTo(summary.received());
        return summary;
    }

    /** Sent, acknowledged, received exactly once, and rate and percentiles consistent with the counts. */
    private static void assertExactlyOnce(BenchSummary s, int connections, int subscribersPerMessage) {
        assertThat(s.connections()).isEqualTo(connections);
        assertThat(s.connectFailed()).isZero();
        assertThat(s.disconnected()).isZero();
        assertThat(s.sent()).isPositive();
        assertThat(s.acknowledged()).isEqualTo(s.sent());
        assertThat(s.expected()).isEqualTo(s.sent() * subscribersPerMessage);
        assertThat(s.received()).isEqualTo(s.expected());
        assertThat(s.lost()).isZero();
        assertThat(s.duplicated()).isZero();
        assertThat(s.outOfOrder()).as("[MQTT-4.6.0-6] one publisher's messages arrive in order").isZero();
        assertConsistent(s);
    }

    private static void assertConsistent(BenchSummary s) {
        Percentiles latency = s.latency();
        assertThat(latency.count()).as("latency samples").isEqualTo(s.received());
        assertThat(latency.p50()).isPositive().isLessThanOrEqualTo(latency.p99());
        assertThat(latency.p99()).isLessThanOrEqualTo(latency.p999());
        assertThat(latency.p999()).isLessThanOrEqualTo(latency.max());
        assertThat(latency.mean()).isBetween((double) 0, (double) latency.max());
        double runSeconds = RUN.toMillis() / 1000.0;
        // the interval ends with the last delivery: a little after publishing stops at the duration's end
        assertThat(s.seconds()).isBetween(runSeconds - 0.25, runSeconds + 1.0);
        assertThat(s.rate()).isCloseTo(s.received() / s.seconds(), within(s.rate() * 1e-9));
        assertThat(s.sendRate() * runSeconds).isCloseTo((double) s.sent(), within(s.sent() * 0.2));
        Percentiles connect = s.connectTime();
        assertThat(connect.count()).isEqualTo(s.connections());
        assertThat(connect.p50()).isLessThanOrEqualTo(connect.max());
        assertThat(s.interrupted()).isFalse();
    }

    @Test
    @DisplayName("fan-in at QoS 1: 3 publishers, 1 subscriber, every message acknowledged and received once")
    void fanInQos1() {
        BenchSummary s = runPubSub(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE), Shape.FAN_IN).withPublishers(3));
        assertExactlyOnce(s, 4, 1);
    }

    @Test
    @DisplayName("--persistent: subscribers hold persistent sessions, stored by a broker with persistence, and still get every message once")
    void persistentSubscribersAgainstADurableBroker(@TempDir Path data) throws IOException {
        BrokerConfig defaults = BrokerConfig.defaults();
        try (Broker durable = Broker.start(defaults.onLoopback()
                .withStorage(defaults.storage().onDisk(data.resolve("store"), FsyncMode.BATCH)))) {
            BenchSettings persistent = settings(QoS.AT_LEAST_ONCE).withBroker("127.0.0.1", durable.port())
                    .withPersistentSubscribers(true);
            BenchSummary s = PubSubBench.run(PubSubOptions.of(persistent, Shape.FAN_OUT).withSubscribers(2));
            assertExactlyOnce(s, 3, 2);
            List<Session> kept = BrokerInternals.sessions(durable).store().all().stream().filter(Session::persistent).toList();
            assertThat(kept).as("the subscribers' sessions, kept after the run").hasSize(2);
            assertThat(kept).allMatch(Session::durable);
        }
    }

    @Test
    @DisplayName("fan-out at QoS 1: 1 publisher, 5 subscribers, each receives every message once")
    void fanOutQos1() {
        BenchSummary s = runPubSub(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE), Shape.FAN_OUT).withSubscribers(5));
        assertExactlyOnce(s, 6, 5);
    }

    @Test
    @DisplayName("pairs at QoS 1: 4 publisher/subscriber pairs on distinct topics")
    void pairsQos1() {
        BenchSummary s = runPubSub(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE), Shape.PAIRS).withPublishers(4));
        assertExactlyOnce(s, 8, 1);
    }

    @Test
    @DisplayName("fan-in at QoS 0: the backlog bound keeps the broker's queue from dropping anything")
    void fanInQos0() {
        BenchSummary s = runPubSub(PubSubOptions.of(settings(QoS.AT_MOST_ONCE), Shape.FAN_IN).withPublishers(3)
                .withMaxBacklog(200));
        assertExactlyOnce(s, 4, 1);
    }

    @Test
    @DisplayName("fan-out at QoS 2: PUBREC, PUBREL, PUBCOMP both ways, exactly once")
    void fanOutQos2() {
        BenchSummary s = runPubSub(PubSubOptions.of(settings(QoS.EXACTLY_ONCE), Shape.FAN_OUT).withSubscribers(3)
                .withPayloadSize(1000));
        assertExactlyOnce(s, 4, 3);
    }

    @Test
    @DisplayName("open loop: 2000 msg/s over 4 pairs for 1.5 s sends exactly 3000 messages, timed from their schedule")
    void openLoop() {
        BenchSummary s = runPubSub(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE), Shape.PAIRS).withPublishers(4)
                .withRate(2000));
        assertThat(s.sent()).isEqualTo(3000);
        assertExactlyOnce(s, 8, 1);
        assertThat(s.sendRate()).isCloseTo(2000.0, within(20.0));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    @DisplayName("--busy-poll: one polling event loop runs the same open-loop run, every message once, on schedule")
    void busyPoll() {
        BenchSummary s = runPubSub(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE).withThreads(1).withBusyPoll(true),
                Shape.PAIRS).withPublishers(2).withRate(1000));
        assertThat(s.sent()).isEqualTo(1500);
        assertExactlyOnce(s, 4, 1);
    }

    @Test
    @DisplayName("a warm-up is traffic that is not counted: the measured interval is the duration after it")
    void warmup() {
        long routed = broker.metrics().messagesReceived.sum();
        BenchSummary s = PubSubBench.run(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE).withWarmup(Duration.ofMillis(500)),
                Shape.PAIRS).withPublishers(2));
        assertExactlyOnce(s, 4, 1);
        assertThat(broker.metrics().messagesReceived.sum() - routed).as("warm-up messages were sent too")
                .isGreaterThan(s.sent());
    }

    @Test
    @DisplayName("a count bounds the run: 300 messages per publisher, then drained and reported")
    void countBounded() {
        BenchSummary s = runPubSub(new PubSubOptions(settings(QoS.AT_LEAST_ONCE).withDuration(null), Shape.FAN_IN, 2, 1,
                64, 0, 300, 64, 1000, Duration.ofSeconds(5)));
        assertThat(s.sent()).isEqualTo(600);
        assertThat(s.acknowledged()).isEqualTo(600);
        assertThat(s.received()).isEqualTo(600);
        assertThat(s.lost()).isZero();
        assertThat(s.latency().count()).isEqualTo(600);
    }

    @Test
    @DisplayName("bench conn opens 50 connections, keeps them alive past 1.5 keep-alive periods, and closes them at the end")
    void conn() throws Exception {
        long opened = broker.metrics().connectionsOpened.sum();
        long closed = broker.metrics().connectionsClosed.sum();
        // keep alive 1 s: without PINGREQ the broker would close them after 1.5 s [MQTT-3.1.2-24]
        ConnBench bench = new ConnBench(new ConnOptions(settings(QoS.AT_MOST_ONCE).withKeepAlive(1)
                .withDuration(Duration.ofMillis(2500)), 50, 0));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<BenchSummary> running = CompletableFuture.supplyAsync(bench::run, runner);
            bench.started().get(10, TimeUnit.SECONDS);
            assertThat(broker.metrics().connectionsOpened.sum() - opened).isEqualTo(50);
            assertThat(broker.metrics().connectionsClosed.sum() - closed).as("held").isZero();
            BenchSummary s = running.get(10, TimeUnit.SECONDS);
            assertThat(s.connections()).isEqualTo(50);
            assertThat(s.connectFailed()).isZero();
            assertThat(s.disconnected()).isZero();
            assertThat(s.connectTime().count()).isEqualTo(50);
            assertThat(s.seconds()).isPositive();
            assertThat(s.rate()).isCloseTo(50 / s.seconds(), within(1e-6));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> broker.metrics().connectionsClosed.sum() - closed == 50);
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    @DisplayName("bench pub and bench sub together: 2 subscribers get every message of 2 publishers")
    void pubAndSub() throws Exception {
        BenchSettings common = settings(QoS.AT_LEAST_ONCE).withDuration(Duration.ofSeconds(20));
        String run = RunIds.hex(RunIds.next());
        SubBench sub = new SubBench(new SubOptions(common, 2, "pubsub-test/" + run + "/+", 2 * 2 * 500));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<BenchSummary> subscribing = CompletableFuture.supplyAsync(sub::run, runner);
            sub.started().get(10, TimeUnit.SECONDS);
            BenchSummary pub = PubBench.run(PubOptions.of(common.withDuration(null), 2, "pubsub-test/" + run + "/%i")
                    .withCount(500));
            BenchSummary received = subscribing.get(20, TimeUnit.SECONDS);

            assertThat(pub.sent()).isEqualTo(1000);
            assertThat(pub.acknowledged()).isEqualTo(1000);
            assertThat(pub.latency().count()).as("PUBLISH to PUBACK latencies").isEqualTo(1000);
            assertThat(pub.received()).isEqualTo(BenchSummary.UNKNOWN);

            assertThat(received.received()).isEqualTo(2000);
            assertThat(received.expected()).as("inferred from the sequence numbers").isEqualTo(2000);
            assertThat(received.lost()).isZero();
            assertThat(received.duplicated()).isZero();
            assertThat(received.outOfOrder()).isZero();
            assertThat(received.latency().count()).isEqualTo(2000);
            assertThat(received.interrupted()).isFalse();
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    @DisplayName("stop() ends a run early, as Ctrl-C does, and still reports it")
    void stopEarly() throws Exception {
        PubSubBench bench = new PubSubBench(PubSubOptions.of(settings(QoS.AT_LEAST_ONCE).withDuration(Duration.ofMinutes(5)),
                Shape.PAIRS).withPublishers(2));
        long routed = broker.metrics().messagesReceived.sum();
        CompletableFuture<BenchSummary> running = CompletableFuture.supplyAsync(bench::run);
        bench.started().get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().messagesReceived.sum() - routed > 100);
        bench.stop();
        BenchSummary s = running.get(15, TimeUnit.SECONDS);
        assertThat(s.interrupted()).isTrue();
        assertThat(s.sent()).isPositive();
        assertThat(s.received()).isEqualTo(s.sent());
        assertThat(s.lost()).isZero();
    }

    @Test
    @DisplayName("a broker that goes away ends the run at once, and the summary counts the lost connections")
    void brokerGoesAway() throws Exception {
        Broker doomed = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
        BenchSettings target = settings(QoS.AT_LEAST_ONCE).withBroker("127.0.0.1", doomed.port())
                .withDuration(Duration.ofMinutes(5));
        PubSubBench bench = new PubSubBench(PubSubOptions.of(target, Shape.PAIRS).withPublishers(2)
                .withDrain(Duration.ofMillis(500)));
        CompletableFuture<BenchSummary> running = CompletableFuture.supplyAsync(bench::run);
        long closedAt;
        try {
            bench.started().get(10, TimeUnit.SECONDS);
        } finally {
            closedAt = System.nanoTime();
            doomed.close();
        }
        BenchSummary s = running.get(15, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - closedAt)).as("not the 5 minutes asked for")
                .isLessThan(Duration.ofSeconds(5));
        assertThat(s.connections()).isEqualTo(4);
        // the first loss ends the run; the bench may close the others itself before it hears of their loss
        assertThat(s.disconnected()).isBetween(1, 4);
        assertThat(s.interrupted()).isFalse();
    }
}
