package io.starling.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The client's operations against a real Starling broker on 127.0.0.1. */
class MqttClientTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static Broker broker;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBroker() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(MqttClient::close);
    }

    private MqttClientBuilder builder(String clientId) {
        return MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId(clientId);
    }

    private MqttClient client(MqttClientBuilder builder) {
        MqttClient client = builder.build();
        clients.add(client);
        return client;
    }

    private MqttClient connected(String clientId) {
        MqttClient client = client(builder(clientId));
        client.connect().join();
        return client;
    }

    @ParameterizedTest(name = "QoS {0}")
    @EnumSource(QoS.class)
    @DisplayName("a message published at each QoS reaches a subscriber with its topic, payload and QoS")
    void publishAndReceive(QoS qos) {
        MqttClient subscriber = connected("sub-" + qos.value());
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        SubscribeResult granted = subscriber.subscribe("rt/" + qos.value() + "/+", qos, received::add).join();
        assertThat(granted.reasonCodes()).containsExactly(ReasonCode.granted(qos));
        assertThat(granted.grantedQos(0)).contains(qos);

        MqttClient publisher = connected("pub-" + qos.value());
        for (int i = 0; i < 10; i++) {
            publisher.publish("rt/" + qos.value() + "/x", ("m" + i).getBytes(UTF_8), qos, false).join();
        }
        await().atMost(WAIT).until(() -> received.size() == 10);
        assertThat(received).extracting(MqttMessage::payloadAsString)
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
        assertThat(received).allSatisfy(m -> {
            assertThat(m.topic()).isEqualTo("rt/" + qos.value() + "/x");
            assertThat(m.qos()).isEqualTo(qos);
            assertThat(m.retain()).isFalse();
            assertThat(m.dup()).isFalse();
        });
    }

    @Test
    @DisplayName("the QoS of a delivery is the lower of the publish and the subscription QoS")
    void downgradesToSubscriptionQos() {
        MqttClient subscriber = connected("downgrade-sub");
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        subscriber.subscribe("dg/t", QoS.AT_LEAST_ONCE, received::add).join();
        connected("downgrade-pub").publish("dg/t", new byte[] {1}, QoS.EXACTLY_ONCE, false).join();
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
    }

    @Test
    @DisplayName("a retained message arrives with RETAIN set at a later subscriber, and an empty one clears it")
    void retained() {
        MqttClient publisher = connected("retain-pub");
        publisher.publish("ret/a", "kept".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true).join();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        connected("retain-sub").subscribe("ret/#", QoS.AT_LEAST_ONCE, received::add).join();
        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).retain()).isTrue();
        assertThat(received.get(0).payloadAsString()).isEqualTo("kept");

        publisher.publish("ret/a", new byte[0], QoS.AT_LEAST_ONCE, true).join();
        List<MqttMessage> later = new CopyOnWriteArrayList<>();
        MqttClient third = connected("retain-sub-2");
        third.subscribe("ret/#", QoS.AT_LEAST_ONCE, later::add).join();
        third.publish("ret/b", "live".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        await().atMost(WAIT).until(() -> later.size() == 1);
        assertThat(later.get(0).payloadAsString()).isEqualTo("live");
        assertThat(later.get(0).retain()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.9.3-2] an invalid filter is refused with 0x80 while the others are granted")
    void refusedFilter() {
        MqttClient client = connected("refused-filter");
        SubscribeResult result = client.subscribe(List.of(new Subscription("ok/+", QoS.AT_LEAST_ONCE),
                new Subscription("bad/#/x", QoS.AT_LEAST_ONCE)), m -> { }).join();
        assertThat(result.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1, ReasonCode.UNSPECIFIED_ERROR);
        assertThat(result.grantedQos(1)).isEmpty();
        assertThat(result.allGranted()).isFalse();
    }

    @Test
    @DisplayName("after UNSUBACK no more messages arrive for the filter")
    void unsubscribe() {
        MqttClient subscriber = connected("unsub");
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        subscriber.subscribe("un/t", QoS.AT_LEAST_ONCE, received::add).join();
        MqttClient publisher = connected("unsub-pub");
        publisher.publish("un/t", "1".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        await().atMost(WAIT).until(() -> received.size() == 1);
        UnsubscribeResult result = subscriber.unsubscribe("un/t").join();
        assertThat(result.reasonCodes()).containsExactly(ReasonCode.SUCCESS);
        publisher.publish("un/t", "2".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        // a marker on another subscription proves the second message had its chance to arrive
        List<MqttMessage> marker = new CopyOnWriteArrayList<>();
        subscriber.subscribe("un/marker", QoS.AT_LEAST_ONCE, marker::add).join();
        publisher.publish("un/marker", "m".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        await().atMost(WAIT).until(() -> marker.size() == 1);
        assertThat(received).hasSize(1);
    }

    @Test
    @DisplayName("each subscription's listener gets its messages; the global listener gets the rest")
    void listenersPerSubscription() {
        List<String> global = new CopyOnWriteArrayList<>();
        MqttClient client = client(builder("listeners").messageListener(m -> global.add(m.topic())));
        client.connect().join();
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        client.subscribe("ls/a/#", QoS.AT_LEAST_ONCE, m -> first.add(m.topic())).join();
        client.subscribe("ls/+/b", QoS.AT_LEAST_ONCE, m -> second.add(m.topic())).join();
        client.subscribe("ls/c", QoS.AT_LEAST_ONCE).join();
        MqttClient publisher = connected("listeners-pub");
        for (String topic : List.of("ls/a/x", "ls/a/b", "ls/z/b", "ls/c")) {
            publisher.publish(topic, new byte[0], QoS.AT_LEAST_ONCE, false).join();
        }
        await().atMost(WAIT).until(() -> global.size() == 1 && first.size() == 2 && second.size() == 2);
        assertThat(first).containsExactly("ls/a/x", "ls/a/b");
        assertThat(second).containsExactly("ls/a/b", "ls/z/b");
        assertThat(global).containsExactly("ls/c");
    }

    @Test
    @DisplayName("listeners and future completions run on the callback thread, not the I/O thread")
    void callbacksOffTheIoThread() {
        MqttClient client = connected("threads");
        List<String> threads = new CopyOnWriteArrayList<>();
        client.subscribe("th/t", QoS.AT_MOST_ONCE, m -> threads.add(Thread.currentThread().getName())).join();
        String completion = client.publish("th/t", new byte[0], QoS.AT_LEAST_ONCE, false)
                .thenApply(v -> Thread.currentThread().getName()).join();
        await().atMost(WAIT).until(() -> threads.size() == 1);
        assertThat(threads.get(0)).isEqualTo("starling-client-callbacks-threads");
        assertThat(completion).isIn("starling-client-callbacks-threads", Thread.currentThread().getName());
    }

    @Test
    @DisplayName("the packet tracer sees every packet sent and received, in wire order")
    void packetTracer() {
        List<String> trace = new CopyOnWriteArrayList<>();
        MqttClient client = client(builder("traced").packetTracer(new PacketTracer() {
            @Override
            public void sent(io.starling.codec.packet.Packet packet) {
                trace.add("-> " + packet.type());
            }

            @Override
            public void received(io.starling.codec.packet.Packet packet) {
                trace.add("<- " + packet.type());
            }
        }));
        client.connect().join();
        client.subscribe("tr/t", QoS.EXACTLY_ONCE, m -> { }).join();
        client.publish("tr/t", new byte[] {1}, QoS.EXACTLY_ONCE, false).join();
        // the delivery to our own subscription has its own exchange: let it finish
        await().atMost(WAIT).until(() -> trace.contains("-> PUBCOMP"));
        client.disconnect().join();
        // the delivery to our own subscription interleaves with our publish's exchange
        assertThat(trace).startsWith("-> CONNECT", "<- CONNACK", "-> SUBSCRIBE", "<- SUBACK", "-> PUBLISH", "<- PUBREC", "-> PUBREL")
                .contains("<- PUBLISH", "-> PUBREC", "<- PUBREL", "-> PUBCOMP", "<- PUBCOMP").endsWith("-> DISCONNECT");
        assertThat(trace).hasSize(13);
    }

    @Test
    @DisplayName("a listener may close its own client without waiting on itself")
    void closeFromListener() {
        MqttClient client = connected("self-close");
        CompletableFuture<Void> closed = new CompletableFuture<>();
        client.subscribe("sc/t", QoS.AT_MOST_ONCE, m -> {
            client.close();
            closed.complete(null);
        }).join();
        client.publish("sc/t", new byte[0], QoS.AT_MOST_ONCE, false);
        // close() waits at most 5 s per step when it waits on itself; well within 4 s it did not
        closed.orTimeout(4, TimeUnit.SECONDS).join();
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("the blocking facade connects, subscribes, publishes and disconnects")
    void blocking() {
        BlockingMqttClient client = client(builder("blocking")).blocking();
        ConnectResult result = client.connect();
        assertThat(result.sessionPresent()).isFalse();
        assertThat(result.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        client.subscribe("bl/t", QoS.EXACTLY_ONCE, received::add);
        client.publish("bl/t", "x".getBytes(UTF_8), QoS.EXACTLY_ONCE, false);
        await().atMost(WAIT).until(() -> received.size() == 1);
        client.disconnect();
        assertThat(client.isConnected()).isFalse();
        assertThat(client.connect().reasonCode()).isEqualTo(ReasonCode.SUCCESS);
    }

    @Test
    @DisplayName("MQTT 3.1 (MQIsdp, level 3) connects and exchanges messages")
    void mqtt31() {
        MqttClient client = client(builder("v31").version(MqttVersion.V3_1));
        client.connect().join();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        client.subscribe("v31/t", QoS.AT_LEAST_ONCE, received::add).join();
        client.publish("v31/t", "old".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        await().atMost(WAIT).until(() -> received.size() == 1);
    }

    @Test
    @DisplayName("nothing listening: connect fails at once with a clear reason")
    void nothingListening() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        MqttClient client = client(MqttClient.builder().host("127.0.0.1").port(port));
        assertThatThrownBy(() -> client.blocking().connect())
                .isInstanceOf(MqttClientException.class)
                .hasMessageContaining("cannot connect to 127.0.0.1:" + port).hasMessageContaining("connection refused");
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("a second connect while connected fails; a connect after disconnect works")
    void connectTwice() {
        MqttClient client = connected("twice");
        assertThatThrownBy(() -> client.connect().join()).hasCauseInstanceOf(MqttClientException.class)
                .hasMessageContaining("already connected");
        client.disconnect().join();
        assertThat(client.connect().join().reasonCode()).isEqualTo(ReasonCode.SUCCESS);
    }

    @Test
    @DisplayName("after close every operation fails with 'the client is closed'")
    void closed() {
        MqttClient client = connected("closed");
        client.close();
        assertThatThrownBy(() -> client.publish("c/t", new byte[0], QoS.AT_MOST_ONCE, false).join())
                .hasMessageContaining("the client is closed");
    }

    @Test
    @DisplayName("wrong credentials: the connect future fails with the CONNACK return code 4 or 5")
    void refused(@TempDir Path tmp) throws IOException {
        Path passwords = tmp.resolve("passwords");
        Files.writeString(passwords, "alice:secret\n");
        try (Broker secured = Broker.start(BrokerConfig.defaults().inMemory()
                .onLoopback()
                .withPasswordFile(passwords).withAllowAnonymous(false))) {
            MqttClient wrong = client(MqttClient.builder().host("127.0.0.1").port(secured.port())
                    .username("alice").password("nope"));
            assertThatThrownBy(() -> wrong.blocking().connect())
                    .isInstanceOfSatisfying(ConnectionRefusedException.class,
                            e -> assertThat(e.reasonCode().v3ConnectReturnCode()).isEqualTo(4))
                    .hasMessage("Connection Refused: bad user name or password");
            MqttClient anonymous = client(MqttClient.builder().host("127.0.0.1").port(secured.port()));
            assertThatThrownBy(() -> anonymous.blocking().connect())
                    .isInstanceOfSatisfying(ConnectionRefusedException.class,
                            e -> assertThat(e.reasonCode().v3ConnectReturnCode()).isEqualTo(5));
            MqttClient right = client(MqttClient.builder().host("127.0.0.1").port(secured.port())
                    .username("alice").password("secret"));
            assertThat(right.blocking().connect().reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
    }

    @Test
    @DisplayName("1,000 QoS 1 and 1,000 QoS 2 messages published at once all complete and arrive once, in order")
    void manyInFlight() {
        MqttClient subscriber = connected("many-sub");
        List<String> received = new CopyOnWriteArrayList<>();
        subscriber.subscribe("many/#", QoS.EXACTLY_ONCE, m -> received.add(m.topic() + m.payloadAsString())).join();
        MqttClient publisher = client(builder("many-pub").maxInflight(16));
        publisher.connect().join();
        List<CompletableFuture<PublishResult>> futures = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            futures.add(publisher.publish("many/1", ("" + i).getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
            expected.add("many/1" + i);
        }
        for (int i = 0; i < 1000; i++) {
            futures.add(publisher.publish("many/2", ("" + i).getBytes(UTF_8), QoS.EXACTLY_ONCE, false));
        }
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).orTimeout(30, TimeUnit.SECONDS).join();
        await().atMost(WAIT).until(() -> received.size() == 2000);
        assertThat(received.stream().filter(s -> s.startsWith("many/1")).toList()).containsExactlyElementsOf(expected);
        assertThat(received.stream().filter(s -> s.startsWith("many/2")).distinct().count()).isEqualTo(1000);
    }
}
