package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.cli.bench.stats.BenchSummary;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bench in MQTT 5.0 against a {@link ScriptedBroker}, which decodes everything the bench
 * writes with the codec's strict server-side decoder and answers in the long and the short 5.0
 * forms: the CONNECT, PUBLISH, SUBSCRIBE and acknowledgements are 5.0 packets, CONNACK's Receive
 * Maximum caps the in-flight window, its other limits are kept, refusing acknowledgements are
 * counted as refused, and a DISCONNECT from the broker is reported with its reason code.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Mqtt5BenchTest {
    private static final ConnAck ACCEPTED = new ConnAck(false, ReasonCode.SUCCESS);
    private static final Properties REASON = Properties.of(Property.of(PropertyId.REASON_STRING, "as scripted"),
            Property.user("by", "ScriptedBroker"));

    private final ByteArrayOutputStream progress = new ByteArrayOutputStream();
    private final PrintStream progressOut = new PrintStream(progress, true, StandardCharsets.UTF_8);

    private static BenchSettings settings(ScriptedBroker broker, QoS qos) {
        return BenchSettings.defaults().withVersion(MqttVersion.V5).withBroker("127.0.0.1", broker.port()).withQos(qos)
                .withThreads(1).withProgress(false);
    }

    private static PubOptions publishing(ScriptedBroker broker, QoS qos, long count) {
        return PubOptions.of(settings(broker, qos), 1, "bench/%i").withCount(count).withDrain(Duration.ofSeconds(5));
    }

    private String progress() {
        return progress.toString(StandardCharsets.UTF_8);
    }

    /** Checks what every 5.0 bench connection writes: a 5.0 CONNECT without properties first, DISCONNECT last. */
    private static void assertFiveOhConnection(ScriptedBroker.Peer peer) {
        assertThat(peer.version()).isEqualTo(MqttVersion.V5);
        Connect connect = (Connect) peer.received().get(0);
        assertThat(connect.version()).isEqualTo(MqttVersion.V5);
        assertThat(connect.cleanStart()).isTrue();
        assertThat(connect.keepAlive()).isEqualTo(60);
        assertThat(connect.properties()).isEqualTo(Properties.EMPTY);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(peer.received().get(peer.received().size() - 1))
                .as("the bench's normal DISCONNECT, in 5.0's short form").isEqualTo(Disconnect.NORMAL));
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] QoS 1: CONNACK's Receive Maximum 3 caps the window of 64; PUBACKs short and long all count")
    void receiveMaximumAndPubAckForms() throws IOException {
        List<Integer> pending = new ArrayList<>();
        AtomicInteger mostPending = new AtomicInteger();
        AtomicInteger round = new AtomicInteger();
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(new ConnAck(false, ReasonCode.SUCCESS, Properties.of(Property.of(PropertyId.RECEIVE_MAXIMUM, 3))));
            } else if (packet instanceof Publish p) {
                pending.add(p.packetId());
                mostPending.accumulateAndGet(pending.size(), Math::max);
                if (pending.size() == 3) {
                    // one round in each form: 2 bytes; code 0x10 with properties; code 0x00 with properties
                    for (int id : pending) {
                        peer.send(switch (round.getAndIncrement() % 3) {
                            case 0 -> new PubAck(id);
                            case 1 -> new PubAck(id, ReasonCode.NO_MATCHING_SUBSCRIBERS, REASON);
                            default -> new PubAck(id, ReasonCode.SUCCESS, REASON);
                        });
                    }
                    pending.clear();
                }
            }
        })) {
            BenchSummary s = new PubBench(publishing(broker, QoS.AT_LEAST_ONCE, 30), progressOut).run();

            assertThat(s.sent()).isEqualTo(30);
            assertThat(s.acknowledged()).isEqualTo(30);
            assertThat(s.latency().count()).as("PUBLISH to PUBACK latencies").isEqualTo(30);
            assertThat(s.disconnected()).isZero();
            assertThat(mostPending).as("unacknowledged at most Receive Maximum").hasValue(3);
            assertThat(s.protocol()).isEqualTo("5.0");
            assertThat(s.toJson()).contains("\"protocol\":\"5.0\"");
            assertThat(s.scenario()).isEqualTo("1 publisher on 'bench/%i', MQTT 5.0, QoS 1, 64-byte payloads,"
                    + " max rate (in-flight 64, capped at 3 by the broker's Receive Maximum), 30 messages per publisher");
            assertThat(progress()).doesNotContain("warning");
            assertThat(broker.errors()).isEmpty();
            ScriptedBroker.Peer peer = broker.peers().get(0);
            assertFiveOhConnection(peer);
            List<Publish> published = peer.received(Publish.class);
            assertThat(published).extracting(Publish::packetId).containsExactlyElementsOf(IntStream.rangeClosed(1, 30).boxed().toList());
            assertThat(published).allSatisfy(p -> {
                assertThat(p.topic()).isEqualTo("bench/0");
                assertThat(p.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
                assertThat(p.properties()).isEqualTo(Properties.EMPTY);
                assertThat(p.payload().readableBytes()).isEqualTo(64);
            });
        }
    }

    @Test
    @DisplayName("QoS 2: PUBREC and PUBCOMP in the short and the long form; the bench's PUBREL decodes as 5.0")
    void qos2Forms() throws IOException {
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(ACCEPTED);
            } else if (packet instanceof Publish p) {
                peer.send(p.packetId() % 2 == 0 ? new PubRec(p.packetId()) : new PubRec(p.packetId(), ReasonCode.SUCCESS, REASON));
            } else if (packet instanceof PubRel r) {
                peer.send(r.packetId() % 2 == 0 ? new PubComp(r.packetId(), ReasonCode.SUCCESS, REASON) : new PubComp(r.packetId()));
            }
        })) {
            BenchSummary s = new PubBench(publishing(broker, QoS.EXACTLY_ONCE, 10), progressOut).run();

            assertThat(s.sent()).isEqualTo(10);
            assertThat(s.acknowledged()).isEqualTo(10);
            assertThat(broker.errors()).isEmpty();
            ScriptedBroker.Peer peer = broker.peers().get(0);
            assertFiveOhConnection(peer);
            assertThat(peer.received(PubRel.class)).extracting(PubRel::packetId).containsExactlyElementsOf(
                    IntStream.rangeClosed(1, 10).boxed().toList());
            assertThat(peer.received(PubRel.class)).allSatisfy(r -> assertThat(r.reasonCode()).isEqualTo(ReasonCode.SUCCESS));
        }
    }

    @Test
    @DisplayName("a PUBACK or PUBREC of 0x80 or more refuses the message: its flow ends, no PUBREL follows, and the run says so")
    void refusedMessages() throws IOException {
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(ACCEPTED);
            } else if (packet instanceof Publish p && p.qos() == QoS.AT_LEAST_ONCE) {
                peer.send(p.packetId() % 2 == 1 ? new PubAck(p.packetId(), ReasonCode.QUOTA_EXCEEDED, REASON) : new PubAck(p.packetId()));
            } else if (packet instanceof Publish p) {
                peer.send(p.packetId() % 2 == 1 ? new PubRec(p.packetId(), ReasonCode.NOT_AUTHORIZED, Properties.EMPTY)
                        : new PubRec(p.packetId()));
            } else if (packet instanceof PubRel r) {
                peer.send(new PubComp(r.packetId()));
            }
        })) {
            BenchSummary qos1 = new PubBench(publishing(broker, QoS.AT_LEAST_ONCE, 10), progressOut).run();
            assertThat(qos1.sent()).isEqualTo(10);
            assertThat(qos1.acknowledged()).isEqualTo(5);
            assertThat(progress()).contains("warning: the broker refused 5 message(s) (reason code 0x80 or more),"
                    + " the first with PUBACK 0x97 QUOTA_EXCEEDED");

            BenchSummary qos2 = new PubBench(publishing(broker, QoS.EXACTLY_ONCE, 10), progressOut).run();
            assertThat(qos2.sent()).isEqualTo(10);
            assertThat(qos2.acknowledged()).isEqualTo(5);
            assertThat(progress()).contains("the first with PUBREC 0x87 NOT_AUTHORIZED");
            assertThat(progress()).doesNotContain("not in flight");
            assertThat(broker.errors()).isEmpty();
            assertThat(broker.peers().get(1).received(PubRel.class)).as("[MQTT-4.3.3-4] PUBREL only after a PUBREC below 0x80")
                    .extracting(PubRel::packetId).containsExactly(2, 4, 6, 8, 10);
        }
    }

    @Test
    @DisplayName("a DISCONNECT from the broker ends the run at once and is reported with its reason code and reason string")
    void serverDisconnect() throws IOException {
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(ACCEPTED);
            } else if (packet instanceof Publish) {
                // the bench closes the connection on it: closing here too could reset it before the bench reads it
                peer.send(new Disconnect(ReasonCode.SERVER_BUSY, Properties.of(Property.of(PropertyId.REASON_STRING, "going away"))));
            }
        })) {
            long start = System.nanoTime();
            BenchSummary s = new PubBench(new PubOptions(settings(broker, QoS.AT_LEAST_ONCE).withDuration(Duration.ofMinutes(5)),
                    1, "bench/%i", 64, 0, 0, 64, Duration.ofMillis(200)), progressOut).run();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the 5 minutes asked for").isLessThan(Duration.ofSeconds(10));
            assertThat(s.disconnected()).isEqualTo(1);
            assertThat(progress()).containsPattern("warning: 1 connection\\(s\\) closed during the run; the first: bench-\\w+-p0:"
                    + " the broker sent DISCONNECT 0x89 SERVER_BUSY: going away");
            assertThat(broker.errors()).isEmpty();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-15] [MQTT-3.2.2-11] a Maximum Packet Size below the PUBLISH, or a Maximum QoS below -q, fails the run before any PUBLISH")
    void limitsTheBenchCannotKeep() throws IOException {
        Properties[] limits = {
            Properties.of(Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 50)),
            Properties.of(Property.of(PropertyId.MAXIMUM_QOS, 0))};
        String[] expected = {
            "the broker's Maximum Packet Size is 50 bytes, below the 78 bytes of the largest packet the bench sends",
            "the broker's Maximum QoS is 0, below the QoS 1 to publish at (-q)"};
        for (int i = 0; i < limits.length; i++) {
            Properties properties = limits[i];
            try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
                if (packet instanceof Connect) {
                    peer.send(new ConnAck(false, ReasonCode.SUCCESS, properties));
                }
            })) {
                PubOptions options = publishing(broker, QoS.AT_LEAST_ONCE, 10);
                assertThatThrownBy(() -> new PubBench(options, progressOut).run()).isInstanceOf(BenchException.class)
                        .hasMessageContaining(expected[i]);
                assertThat(broker.peers().get(0).received(Publish.class)).isEmpty();
                assertThat(broker.errors()).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("a refusing 5.0 CONNACK is reported with its code and reason string")
    void refusedConnection() throws IOException {
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(new ConnAck(false, ReasonCode.NOT_AUTHORIZED, Properties.of(Property.of(PropertyId.REASON_STRING, "no entry"))));
            }
        })) {
            ConnOptions options = new ConnOptions(settings(broker, QoS.AT_MOST_ONCE).withDuration(Duration.ofSeconds(5)), 1, 0);
            assertThatThrownBy(() -> new ConnBench(options, progressOut).run()).isInstanceOf(BenchException.class)
                    .hasMessageEndingWith(": the broker refused the connection: 0x87 NOT_AUTHORIZED: no entry");
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-21] the Server Keep Alive of CONNACK replaces the keep alive of CONNECT")
    void serverKeepAlive() throws Exception {
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(new ConnAck(false, ReasonCode.SUCCESS, Properties.of(Property.of(PropertyId.SERVER_KEEP_ALIVE, 1))));
            } else if (packet instanceof PingReq) {
                peer.send(PingResp.INSTANCE);
            }
        })) {
            ConnBench bench = new ConnBench(new ConnOptions(settings(broker, QoS.AT_MOST_ONCE).withDuration(Duration.ofSeconds(20)),
                    1, 0), progressOut);
            CompletableFuture<BenchSummary> running = CompletableFuture.supplyAsync(bench::run);
            bench.started().get(10, TimeUnit.SECONDS);
            // keep alive 60 s in CONNECT: PINGREQ within a few seconds comes from the broker's 1 s
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> broker.peers().get(0).received(PingReq.class).size() >= 2);
            bench.stop();
            BenchSummary s = running.get(10, TimeUnit.SECONDS);
            assertThat(s.connections()).isEqualTo(1);
            assertThat(s.disconnected()).isZero();
            assertThat(s.scenario()).contains(", MQTT 5.0, ");
            assertThat(broker.errors()).isEmpty();
            assertFiveOhConnection(broker.peers().get(0));
        }
    }

    /** A bench payload: the 28-byte header (magic, run, publisher, sequence, send time now), then padding. */
    private static ByteBuf benchPayload(int publisher, long sequence) {
        ByteBuf payload = Unpooled.buffer(64);
        payload.writeInt(0x53544C42).writeInt(1).writeInt(publisher).writeLong(sequence).writeLong(System.nanoTime());
        payload.writeZero(64 - payload.readableBytes());
        return payload;
    }

    @Test
    @DisplayName("subscribing: a 5.0 SUBSCRIBE with its options byte and a persistent session; SUBACK and PUBLISH with properties")
    void subscriber() throws Exception {
        Properties delivered = Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 7),
                Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60), Property.user("k", "v"));
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(ACCEPTED);
            } else if (packet instanceof Subscribe s) {
                peer.send(new SubAck(s.packetId(), List.of(ReasonCode.GRANTED_QOS_1), REASON));
            }
        })) {
            SubBench bench = new SubBench(new SubOptions(settings(broker, QoS.AT_LEAST_ONCE).withPersistentSubscribers(true)
                    .withDuration(Duration.ofSeconds(20)), 1, "bench/#", 6), progressOut);
            ExecutorService runner = Executors.newSingleThreadExecutor();
            try {
                CompletableFuture<BenchSummary> running = CompletableFuture.supplyAsync(bench::run, runner);
                bench.started().get(10, TimeUnit.SECONDS);
                ScriptedBroker.Peer peer = broker.peers().get(0);
                for (int i = 0; i < 6; i++) {
                    ByteBuf payload = benchPayload(3, i);
                    Publish publish = new Publish("bench/x", i % 2 == 0 ? QoS.AT_LEAST_ONCE : QoS.AT_MOST_ONCE, false, false,
                            i % 2 == 0 ? 100 + i : 0, i < 3 ? delivered : Properties.EMPTY, payload);
                    try {
                        peer.send(publish);
                    } finally {
                        publish.release();
                    }
                }
                BenchSummary s = running.get(10, TimeUnit.SECONDS);
                assertThat(s.received()).isEqualTo(6);
                assertThat(s.expected()).isEqualTo(6);
                assertThat(s.lost()).isZero();
                assertThat(s.scenario()).startsWith("1 subscriber of 'bench/#', MQTT 5.0, QoS 1");

                Connect connect = (Connect) peer.received().get(0);
                assertThat(connect.cleanStart()).as("--persistent").isFalse();
                assertThat(connect.properties()).as("[MQTT-3.1.2-23] a session that outlives the connection")
                        .isEqualTo(Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL)));
                Subscribe subscribe = peer.received(Subscribe.class).get(0);
                assertThat(subscribe.subscriptions()).containsExactly(
                        new Subscription("bench/#", QoS.AT_LEAST_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE));
                assertThat(subscribe.properties()).isEqualTo(Properties.EMPTY);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(peer.received(PubAck.class))
                        .extracting(PubAck::packetId).containsExactly(100, 102, 104));
                assertThat(peer.received(PubAck.class)).allSatisfy(a -> assertThat(a.reasonCode()).isEqualTo(ReasonCode.SUCCESS));
                assertThat(broker.errors()).isEmpty();
            } finally {
                runner.shutdownNow();
            }
        }
    }

    @Test
    @DisplayName("every packet of a 5.0 pub run, in order: CONNECT, PUBLISH, DISCONNECT, nothing a strict broker refuses")
    void nothingElse() throws IOException {
        try (ScriptedBroker broker = new ScriptedBroker((peer, packet) -> {
            if (packet instanceof Connect) {
                peer.send(ACCEPTED);
            }
        })) {
            BenchSummary s = new PubBench(publishing(broker, QoS.AT_MOST_ONCE, 5), progressOut).run();
            assertThat(s.sent()).isEqualTo(5);
            ScriptedBroker.Peer peer = broker.peers().get(0);
            assertFiveOhConnection(peer);
            assertThat(peer.received()).extracting(Packet::type).extracting(Enum::name)
                    .containsExactly("CONNECT", "PUBLISH", "PUBLISH", "PUBLISH", "PUBLISH", "PUBLISH", "DISCONNECT");
            assertThat(broker.errors()).isEmpty();
        }
    }
}
