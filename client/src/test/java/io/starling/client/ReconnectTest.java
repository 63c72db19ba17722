package io.starling.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Connection loss, reconnect, offline buffering and keep alive, with a {@link TcpProxy} between
 * the client and a real broker to break the network on purpose.
 */
class ReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Short delays, so that a test reconnects within a second. */
    private static final ReconnectPolicy FAST = ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(200));

    private Broker broker;
    private TcpProxy proxy;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
        proxy = new TcpProxy(broker.port());
    }

    @AfterEach
    void stop() throws IOException {
        clients.forEach(MqttClient::close);
        proxy.close();
        broker.close();
    }

    private MqttClient viaProxy(MqttClientBuilder builder) {
        MqttClient client = builder.host("127.0.0.1").port(proxy.port()).build();
        clients.add(client);
        return client;
    }

    private MqttClient direct(String clientId) {
        MqttClient client = MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId(clientId).build();
        clients.add(client);
        client.connect().join();
        return client;
    }

    @Test
    @DisplayName("a persistent subscriber cut off reconnects by itself and receives what was published meanwhile")
    void persistentSessionResumes() {
        List<String> received = new CopyOnWriteArrayList<>();
        List<Boolean> sessionPresent = new CopyOnWriteArrayList<>();
        AtomicInteger lost = new AtomicInteger();
        MqttClient subscriber = viaProxy(MqttClient.builder().clientId("resume").cleanSession(false).reconnect(FAST)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(ConnectResult result) {
                        sessionPresent.add(result.sessionPresent());
                    }

                    @Override
                    public void disconnected(Throwable cause, boolean willReconnect) {
                        assertThat(willReconnect).isTrue();
                        lost.incrementAndGet();
                    }
                }));
        subscriber.connect().join();
        subscriber.subscribe("res/t", QoS.AT_LEAST_ONCE, m -> received.add(m.payloadAsString())).join();

        proxy.refuse(true);
        proxy.cut();
        await().atMost(WAIT).until(() -> lost.get() == 1 && !subscriber.isConnected());
        MqttClient publisher = direct("resume-pub");
        for (int i = 0; i < 5; i++) {
            publisher.publish("res/t", ("q" + i).getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        }
        proxy.refuse(false);
        await().atMost(WAIT).until(() -> received.size() == 5);
        assertThat(received).containsExactly("q0", "q1", "q2", "q3", "q4");
        assertThat(sessionPresent).containsExactly(false, true);
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] unacknowledged QoS 1 and 2 messages are re-sent with DUP on the resumed session")
    void unacknowledgedResentWithDup() {
        MqttClient subscriber = direct("dup-sub");
        List<String> received = new CopyOnWriteArrayList<>();
        subscriber.subscribe("dup/#", QoS.EXACTLY_ONCE, m -> received.add(m.topic() + "=" + m.payloadAsString())).join();

        MqttClient publisher = viaProxy(MqttClient.builder().clientId("dup-pub").cleanSession(false).reconnect(FAST));
        publisher.connect().join();
        proxy.blackhole(true);
        CompletableFuture<PublishResult> qos1 = publisher.publish("dup/1", "a".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> qos2 = publisher.publish("dup/2", "b".getBytes(UTF_8), QoS.EXACTLY_ONCE, false);
        // both PUBLISH packets left the client (QoS 1: 0x32, QoS 2: 0x34) but went nowhere
        await().atMost(WAIT).until(() -> proxy.clientFirstBytes().containsAll(List.of(0x32, 0x34)));
        assertThat(qos1).isNotDone();
        assertThat(qos2).isNotDone();

        proxy.cut();
        proxy.blackhole(false);
        CompletableFuture.allOf(qos1, qos2).orTimeout(15, TimeUnit.SECONDS).join();
        // re-sent with DUP: 0x3A and 0x3C
        assertThat(proxy.clientFirstBytes()).contains(0x3A, 0x3C);
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).containsExactlyInAnyOrder("dup/1=a", "dup/2=b");
    }

    @Test
    @DisplayName("a clean-session client restores its subscriptions after a reconnect")
    void cleanSessionRestoresSubscriptions() {
        List<String> received = new CopyOnWriteArrayList<>();
        AtomicInteger connects = new AtomicInteger();
        MqttClient subscriber = viaProxy(MqttClient.builder().clientId("restore").reconnect(FAST)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(ConnectResult result) {
                        connects.incrementAndGet();
                    }
                }));
        subscriber.connect().join();
        subscriber.subscribe("rs/a", QoS.AT_LEAST_ONCE, m -> received.add(m.topic())).join();
        subscriber.subscribe("rs/b", QoS.EXACTLY_ONCE, m -> received.add(m.topic())).join();
        proxy.cut();
        await().atMost(WAIT).until(() -> connects.get() == 2 && subscriber.isConnected());
        MqttClient publisher = direct("restore-pub");
        // the re-SUBSCRIBE may still be on its way: publish until both arrive, bounded
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            publisher.publish("rs/a", new byte[0], QoS.AT_LEAST_ONCE, false).join();
            publisher.publish("rs/b", new byte[0], QoS.AT_LEAST_ONCE, false).join();
            return received.contains("rs/a") && received.contains("rs/b");
        });
        // SUBSCRIBE (0x82) went out twice per filter: once by the application, once restoring both
        assertThat(proxy.clientFirstBytes().stream().filter(b -> b == 0x82).count()).isEqualTo(3);
    }

    @Test
    @DisplayName("offline publishes are buffered up to the bound, the next is refused, and the buffered ones are sent on reconnect")
    void offlineBuffer() {
        MqttClient subscriber = direct("buffer-sub");
        List<String> received = new CopyOnWriteArrayList<>();
        subscriber.subscribe("buf/t", QoS.AT_LEAST_ONCE, m -> received.add(m.payloadAsString())).join();

        AtomicInteger lost = new AtomicInteger();
        MqttClient publisher = viaProxy(MqttClient.builder().clientId("buffer-pub").reconnect(FAST).maxBufferedMessages(3)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void disconnected(Throwable cause, boolean willReconnect) {
                        lost.incrementAndGet();
                    }
                }));
        publisher.connect().join();
        proxy.refuse(true);
        proxy.cut();
        await().atMost(WAIT).until(() -> lost.get() == 1);
        List<CompletableFuture<PublishResult>> buffered = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            buffered.add(publisher.publish("buf/t", ("b" + i).getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        }
        CompletableFuture<PublishResult> overflow = publisher.publish("buf/t", "x".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
        assertThatThrownBy(() -> overflow.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(MessageBufferFullException.class)
                .hasMessageContaining("buffer of unsent messages is full (3 messages)");
        assertThat(buffered).noneMatch(CompletableFuture::isDone);

        proxy.refuse(false);
        CompletableFuture.allOf(buffered.toArray(CompletableFuture[]::new)).orTimeout(15, TimeUnit.SECONDS).join();
        await().atMost(WAIT).until(() -> received.size() == 3);
        assertThat(received).containsExactly("b0", "b1", "b2");
    }

    @Test
    @DisplayName("without reconnect, a lost connection fails the publishes in flight and buffered")
    void lossWithoutReconnectFailsPending() {
        MqttClient publisher = viaProxy(MqttClient.builder().clientId("no-retry").reconnect(ReconnectPolicy.DISABLED).maxInflight(1));
        publisher.connect().join();
        proxy.blackholeReplies(true);
        CompletableFuture<PublishResult> inflight = publisher.publish("nr/t", new byte[] {1}, QoS.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> buffered = publisher.publish("nr/t", new byte[] {2}, QoS.AT_LEAST_ONCE, false);
        await().atMost(WAIT).until(() -> proxy.clientFirstBytes().contains(0x32));
        proxy.cut();
        assertThatThrownBy(() -> inflight.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectionLostException.class)
                .hasMessageContaining("the connection was lost");
        assertThatThrownBy(() -> buffered.get(10, TimeUnit.SECONDS)).hasMessageContaining("the connection was lost");
        assertThat(publisher.isConnected()).isFalse();
    }

    @Test
    @DisplayName("at most maxInflight QoS 1 messages await PUBACK; the rest wait in the buffer")
    void inflightWindow() {
        MqttClient publisher = viaProxy(MqttClient.builder().clientId("window").maxInflight(2).keepAlive(Duration.ofSeconds(1)));
        publisher.connect().join();
        proxy.blackholeReplies(true);
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            futures.add(publisher.publish("win/t", new byte[] {(byte) i}, QoS.AT_LEAST_ONCE, false));
        }
        // the PINGREQ comes a keep alive after the publishes were handed over: had the window let
        // more than two through, they would have been written before it
        await().atMost(WAIT).until(() -> proxy.clientFirstBytes().contains(0xC0));
        assertThat(proxy.clientFirstBytes().stream().filter(b -> b == 0x32).count()).isEqualTo(2);
        assertThat(futures).noneMatch(CompletableFuture::isDone);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] an idle client sends PINGREQ within the keep alive")
    void pingWhenIdle() {
        MqttClient client = viaProxy(MqttClient.builder().clientId("ping").keepAlive(Duration.ofSeconds(1)));
        client.connect().join();
        await().atMost(WAIT).until(() -> proxy.clientFirstBytes().contains(0xC0));
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a dead connection (no answer to PINGREQ) is detected and the client reconnects")
    void deadConnectionDetected() {
        List<String> causes = new CopyOnWriteArrayList<>();
        AtomicInteger connects = new AtomicInteger();
        MqttClient client = viaProxy(MqttClient.builder().clientId("dead").keepAlive(Duration.ofSeconds(1)).reconnect(FAST)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(ConnectResult result) {
                        connects.incrementAndGet();
                    }

                    @Override
                    public void disconnected(Throwable cause, boolean willReconnect) {
                        causes.add(cause.getMessage());
                    }
                }));
        client.connect().join();
        // the broker hears the client's PINGREQ, so it keeps the connection; its PINGRESP is lost
        proxy.blackholeReplies(true);
        await().atMost(WAIT).until(() -> !causes.isEmpty());
        assertThat(causes.get(0)).contains("no answer to PINGREQ within the keep alive of 1 s");
        proxy.blackholeReplies(false);
        await().atMost(WAIT).until(() -> connects.get() >= 2 && client.isConnected());
    }

    @Test
    @DisplayName("the will is published when the connection is lost, not after DISCONNECT")
    void will() {
        MqttClient watcher = direct("will-watcher");
        List<String> wills = new CopyOnWriteArrayList<>();
        watcher.subscribe("will/#", QoS.AT_LEAST_ONCE, m -> wills.add(m.topic() + "=" + m.payloadAsString())).join();

        MqttClient polite = viaProxy(MqttClient.builder().clientId("will-polite")
                .will(new MqttMessage("will/polite", "gone".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false)));
        polite.connect().join();
        polite.disconnect().join();

        MqttClient rude = viaProxy(MqttClient.builder().clientId("will-rude").reconnect(ReconnectPolicy.DISABLED)
                .will(new MqttMessage("will/rude", "gone".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false)));
        rude.connect().join();
        proxy.cut();
        await().atMost(WAIT).until(() -> wills.size() == 1);
        assertThat(wills).containsExactly("will/rude=gone");
        await().atMost(WAIT).until(() -> !rude.isConnected());
    }

    @Test
    @DisplayName("the reconnect delay doubles from the initial delay up to the maximum, with jitter in [d/2, d]")
    void backOff() {
        ReconnectPolicy policy = ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofMillis(1000));
        java.util.Random random = new java.util.Random(7);
        long[] ceilings = {100, 200, 400, 800, 1000, 1000, 1000};
        for (int attempt = 1; attempt <= ceilings.length; attempt++) {
            for (int i = 0; i < 200; i++) {
                long delay = policy.delay(attempt, random).toMillis();
                assertThat(delay).as("attempt %d", attempt).isBetween(ceilings[attempt - 1] / 2, ceilings[attempt - 1]);
            }
        }
        assertThat(policy.delay(10_000, random).toMillis()).isBetween(500L, 1000L);
    }
}
