package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.it.PahoMqtt5InteropTest.Inbox;
import io.starling.it.PahoMqtt5InteropTest.Received;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three {@code bin/starling broker} processes on loopback with {@code cluster:} blocks naming each
 * other as seeds: messages published on one node reach subscribers on the others (3.1.1 and 5.0),
 * retained messages are on every node, a node killed with SIGKILL leaves the others serving, and a
 * node started later gets the routes and the retained messages.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Pattern HTTP_LISTENING = Pattern.compile("HTTP listener on http://127\\.0\\.0\\.1:(\\d+)/ ");

    @TempDir
    Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private List<Integer> clusterPorts = List.of();
    private final HttpClient httpClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void cleanUp() {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) {
            try {
                c.close();
            } catch (Exception e) {
                // the verdict is in; a client or process that fails to close does not change it
            }
        }
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

    private BrokerProcess node(int index) throws IOException {
        Path nodeDir = Files.createDirectories(dir.resolve("node" + index));
        StringBuilder seeds = new StringBuilder();
        for (int port : clusterPorts) {
            seeds.append("    - 127.0.0.1:").append(port).append('\n');
        }
        Path config = nodeDir.resolve("broker.yaml");
        Files.writeString(config, """
                listeners:
                  - bind: 127.0.0.1
                    port: 0
                persistence: false
                sys_interval: 0
                http:
                  port: 0
                cluster:
                  name: it-cluster
                  node_name: node-%d
                  port: %d
                  members: [node-0, node-1, node-2]
                  seeds:
                %s""".formatted(index, clusterPorts.get(index), seeds), UTF_8);
        BrokerProcess broker = BrokerProcess.start(config, nodeDir.resolve("broker.log"));
        closing.add(broker);
        return broker;
    }

    /** Waits until every broker has logged a view of {@code members} members. */
    private static void awaitView(int members, BrokerProcess... brokers) {
        for (BrokerProcess broker : brokers) {
            await("a view of " + members + " in " + broker.tcpUri()).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> lastView(broker) == members);
        }
    }

    /** Three nodes started and formed: one view of three, and a session ownership leader known to each. */
    private List<BrokerProcess> threeNodes() throws IOException {
        clusterPorts = freePorts(3);
        BrokerProcess a = node(0);
        BrokerProcess b = node(1);
        BrokerProcess c = node(2);
        awaitView(3, a, b, c);
        awaitOwnership(a, b, c);
        return List.of(a, b, c);
    }

    /** Waits until every broker has logged a session ownership leader after its last view: clients may connect. */
    private static void awaitOwnership(BrokerProcess... brokers) {
        for (BrokerProcess broker : brokers) {
            await("a session ownership leader in " + broker.tcpUri()).atMost(WAIT).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        List<String> lines = broker.log().lines().toList();
                        for (int i = lines.size() - 1; i >= 0; i--) {
                            if (lines.get(i).contains("session ownership decided by a majority")) {
                                return true;
                            }
                            if (lines.get(i).contains("session ownership has no leader")) {
                                return false;
                            }
                        }
                        return false;
                    });
        }
    }

    private static int lastView(BrokerProcess broker) {
        int members = 0;
        for (String line : broker.log().lines().toList()) {
            int at = line.indexOf(" members: ");
            int with = line.indexOf(" with ");
            if (line.contains("cluster it-cluster: view ") && at > with && with > 0) {
                members = Integer.parseInt(line.substring(with + 6, at));
            }
        }
        return members;
    }

    private static int httpPort(BrokerProcess broker) {
        Matcher listening = HTTP_LISTENING.matcher(broker.log());
        assertThat(listening.find()).as("the HTTP listener's line in the log:%n%s", broker.logTail()).isTrue();
        return Integer.parseInt(listening.group(1));
    }

    private String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = httpClient.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
        return response.body();
    }

    private MqttClient client3(BrokerProcess broker, String clientId, Inbox inbox) throws Exception {
        return client3(broker, clientId, inbox, true, new boolean[1]);
    }

    /** A 3.1.1 client with a clean or a persistent session; {@code sessionPresent[0]} is what its CONNACK said. */
    private MqttClient client3(BrokerProcess broker, String clientId, Inbox inbox, boolean cleanSession, boolean[] sessionPresent)
            throws Exception {
        MqttClient client = new MqttClient(broker.tcpUri(), clientId, new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
        client.setCallback(inbox.v3());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(false);
        sessionPresent[0] = client.connectWithResult(options).getSessionPresent();
        closing.add(() -> {
            try {
                if (client.isConnected()) {
                    client.disconnect(1000);
                }
            } finally {
                client.close(true);
            }
        });
        return client;
    }

    private MqttAsyncClient client5(BrokerProcess broker, String clientId, Inbox inbox) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient(broker.tcpUri(), clientId, new MemoryPersistence());
        client.setCallback(inbox);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        done(client.connect(options));
        closing.add(() -> {
            try {
                if (client.isConnected()) {
                    client.disconnect(1000).waitForCompletion(5000);
                }
            } finally {
                client.close(true);
            }
        });
        return client;
    }

    private static IMqttToken done(IMqttToken token) throws MqttException {
        token.waitForCompletion(WAIT.toMillis());
        return token;
    }

    private static void subscribe5(MqttAsyncClient client, String filter, int qos) throws MqttException {
        IMqttToken subAck = done(client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)}, null, null,
                new MqttProperties()));
        assertThat(subAck.getReasonCodes()).containsExactly(qos);
    }

    private static void awaitCount(Inbox inbox, int count) {
        await("" + count + " messages").atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> inbox.size() >= count);
    }

    private static List<String> texts(Inbox inbox) {
        return inbox.snapshot().stream().map(Received::text).toList();
    }

    @Test
    @DisplayName("published on A: reaches 3.1.1 and 5.0 subscribers on B and C once, in order, QoS downgraded; retained read on C; after kill -9 of C, A and B serve on")
    void publishAnywhereReachesEveryNode() throws Exception {
        List<BrokerProcess> nodes = threeNodes();
        BrokerProcess a = nodes.get(0);
        BrokerProcess b = nodes.get(1);
        BrokerProcess c = nodes.get(2);

        Inbox onB = new Inbox();
        MqttClient subB = client3(b, "sub-b", onB);
        subB.subscribe("cluster/#", 1);                       // SUBACK once every node knows the route
        Inbox onC = new Inbox();
        MqttAsyncClient subC = client5(c, "sub-c", onC);
        subscribe5(subC, "cluster/+/v", 2);

        MqttClient pub3 = client3(a, "pub-a3", new Inbox());
        for (int i = 0; i < 20; i++) {
            pub3.publish("cluster/3/v", ("three " + i).getBytes(UTF_8), 2, false);
        }
        MqttAsyncClient pub5 = client5(a, "pub-a5", new Inbox());
        for (int i = 0; i < 20; i++) {
            MqttProperties properties = new MqttProperties();
            properties.setContentType("text/plain");
            properties.setUserProperties(List.of(new UserProperty("n", Integer.toString(i))));
            done(pub5.publish("cluster/5/v", new MqttMessage(("five " + i).getBytes(UTF_8), 1, false, properties)));
        }
        List<String> three = IntStream.range(0, 20).mapToObj(i -> "three " + i).toList();
        List<String> five = IntStream.range(0, 20).mapToObj(i -> "five " + i).toList();
        List<String> all = new ArrayList<>(three);
        all.addAll(five);
        awaitCount(onB, 40);
        awaitCount(onC, 40);
        // nothing more may come: each message once
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> onB.size() == 40 && onC.size() == 40);
        assertThat(texts(onB)).containsExactlyElementsOf(all);
        assertThat(texts(onC)).containsExactlyElementsOf(all);
        // B subscribed with QoS 1: QoS 2 is downgraded; C with QoS 2 gets each as published
        assertThat(onB.snapshot()).extracting(Received::qos).containsOnly(1);
        assertThat(onC.snapshot().subList(0, 20)).extracting(Received::qos).containsOnly(2);
        assertThat(onC.snapshot().subList(20, 40)).extracting(Received::qos).containsOnly(1);
        MqttMessage fifth = onC.snapshot().get(25).message();
        assertThat(fifth.getProperties().getContentType()).isEqualTo("text/plain");
        assertThat(fifth.getProperties().getUserProperties()).extracting(UserProperty::getValue).containsExactly("5");

        // A's HTTP listener shows the cluster: three members, B's and C's routes, the 40 messages sent to each
        int http = httpPort(a);
        await("A's cluster status").atMost(WAIT).until(() -> get(http, "/api/v1/cluster").contains("\"messages\":{\"out\":80,"));
        String status = get(http, "/api/v1/cluster");
        assertThat(status).contains("\"node\":\"node-0\"", "{\"node\":\"node-1\",\"self\":false,",
                "{\"node\":\"node-2\",\"self\":false,", "\"routes\":1,\"forward_queue\":0}");
        assertThat(get(http, "/metrics").lines()).contains("starling_cluster_members 3.0",
                "starling_cluster_routes{node=\"node-1\"} 1.0", "starling_cluster_routes{node=\"node-2\"} 1.0",
                "starling_cluster_messages_forwarded_total{direction=\"out\"} 80.0");

        // retained on A, read by a new subscriber on C
        pub3.publish("cluster/retained", "kept".getBytes(UTF_8), 1, true);
        awaitCount(onB, 41);
        Inbox late = new Inbox();
        MqttAsyncClient lateC = client5(c, "late-c", late);
        await("the retained message on C").atMost(WAIT).until(() -> {
            subscribe5(lateC, "cluster/retained", 1);
            return late.size() > 0;
        });
        assertThat(late.snapshot().get(0).text()).isEqualTo("kept");
        assertThat(late.snapshot().get(0).retained()).isTrue();

        // kill -9 of C: A and B go on serving each other
        c.kill();
        awaitView(2, a, b);
        Inbox onA = new Inbox();
        MqttClient subA = client3(a, "sub-a", onA);
        subA.subscribe("after/#", 1);
        MqttClient pubB = client3(b, "pub-b", new Inbox());
        pubB.publish("after/kill", "still here".getBytes(UTF_8), 1, false);
        pub3.publish("cluster/after", "to b".getBytes(UTF_8), 1, false);
        awaitCount(onA, 1);
        assertThat(texts(onA)).containsExactly("still here");
        await().atMost(WAIT).until(() -> texts(onB).contains("to b"));
        assertThat(a.isAlive()).isTrue();
        assertThat(b.isAlive()).isTrue();
    }

    @Test
    @DisplayName("a node started later gets the others' routes and the retained messages")
    void lateNodeGetsRoutesAndRetained() throws Exception {
        clusterPorts = freePorts(3);
        BrokerProcess a = node(0);
        BrokerProcess b = node(1);
        awaitView(2, a, b);
        awaitOwnership(a, b);
        Inbox onB = new Inbox();
        MqttClient subB = client3(b, "sub-b", onB);
        subB.subscribe("late/#", 1);
        MqttClient pubA = client3(a, "pub-a", new Inbox());
        pubA.publish("late/retained", "before C".getBytes(UTF_8), 1, true);
        awaitCount(onB, 1);

        BrokerProcess c = node(2);
        awaitView(3, a, b, c);
        awaitOwnership(c);
        Inbox onC = new Inbox();
        MqttAsyncClient subC = client5(c, "sub-c", onC);
        await("the retained message on C").atMost(WAIT).until(() -> {
            subscribe5(subC, "late/retained", 1);
            return onC.size() > 0;
        });
        assertThat(onC.snapshot().get(0).text()).isEqualTo("before C");

        MqttClient pubC = client3(c, "pub-c", new Inbox());
        pubC.publish("late/from-c", "from C".getBytes(UTF_8), 1, false);
        await().atMost(WAIT).until(() -> texts(onB).contains("from C"));
        assertThat(texts(onB)).containsExactly("before C", "from C");
    }

    /**
     * Publishes and waits for the acknowledgement; false once the connection is gone. Paho 1.2's
     * synchronous publish can count a message still in flight after its token completed and refuse
     * the next one with "too many publishes in progress" (32202): that one is tried again.
     */
    private static boolean publishSync(MqttClient client, String topic, String payload, int qos) {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            try {
                client.publish(topic, payload.getBytes(UTF_8), qos, false);
                return true;
            } catch (org.eclipse.paho.client.mqttv3.MqttException e) {
                if (e.getReasonCode() != org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_MAX_INFLIGHT) {
                    return false;
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    /** A 3.1.1 client with a persistent session (Clean Session 0). */
    private MqttClient persistent3(BrokerProcess broker, String clientId, Inbox inbox, boolean[] sessionPresent) throws Exception {
        return client3(broker, clientId, inbox, false, sessionPresent);
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] a persistent session moves from A to C with its queued QoS 1 and 2 messages, once each and in order; its subscription moves too; a 5.0 connection on A takes it back with DISCONNECT 0x8E on C")
    void sessionTakeOverAcrossNodes() throws Exception {
        List<BrokerProcess> nodes = threeNodes();
        BrokerProcess a = nodes.get(0);
        BrokerProcess b = nodes.get(1);
        BrokerProcess c = nodes.get(2);

        boolean[] present = new boolean[1];
        MqttClient first = persistent3(a, "mover", new Inbox(), present);
        assertThat(present[0]).isFalse();
        first.subscribe("move/#", 2);
        first.disconnect(5000);
        MqttClient pub = client3(a, "pub-a", new Inbox());
        for (int i = 0; i < 10; i++) {
            // acknowledged (PUBACK, PUBCOMP) once queued for the offline session on A
            pub.publish("move/q", ("queued " + i).getBytes(UTF_8), i < 5 ? 1 : 2, false);
        }

        Inbox onC = new Inbox();
        MqttClient moved = persistent3(c, "mover", onC, present);
        assertThat(present[0]).as("session present on C [MQTT-3.2.2-2]").isTrue();
        awaitCount(onC, 10);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> onC.size() == 10);
        assertThat(texts(onC)).containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "queued " + i).toList());
        assertThat(onC.snapshot()).extracting(Received::qos).containsExactly(1, 1, 1, 1, 1, 2, 2, 2, 2, 2);

        // the subscription lives on C now: a message published on B reaches it there, once
        MqttClient pubB = client3(b, "pub-b", new Inbox());
        pubB.publish("move/live", "after".getBytes(UTF_8), 1, false);
        awaitCount(onC, 11);
        assertThat(texts(onC).get(10)).isEqualTo("after");

        // a 5.0 client with the same identifier on A: C disconnects it with 0x8E, A resumes the session
        Inbox onA = new Inbox();
        MqttAsyncClient back = new MqttAsyncClient(a.tcpUri(), "mover", new MemoryPersistence());
        back.setCallback(onA);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(600L);
        options.setAutomaticReconnect(false);
        IMqttToken connected = done(back.connect(options));
        closing.add(() -> back.close(true));
        assertThat(connected.getSessionPresent()).isTrue();
        await("C closed the old connection").atMost(WAIT).until(() -> !moved.isConnected());
        pubB.publish("move/back", "on A".getBytes(UTF_8), 1, false);
        await().atMost(WAIT).until(() -> texts(onA).contains("on A"));
        assertThat(texts(onC)).doesNotContain("on A");
        assertThat(c.log()).contains("taken over");
    }

    @Test
    @DisplayName("kill -9 of the node holding offline persistent sessions while a publisher there streams QoS 1 and 2 to them: after the clients move to another node, every acknowledged message arrives, none twice at QoS 2")
    void killedNodeLosesNoAcknowledgedMessage() throws Exception {
        List<BrokerProcess> nodes = threeNodes();
        BrokerProcess a = nodes.get(0);
        BrokerProcess b = nodes.get(1);
        BrokerProcess c = nodes.get(2);
        List<String> sessions = List.of("s0", "s1", "s2");
        boolean[] present = new boolean[1];
        for (String id : sessions) {
            MqttClient client = persistent3(a, id, new Inbox(), present);
            client.subscribe("stream/#", 2);
            client.disconnect(5000);
        }

        MqttClient pub = client3(a, "streamer", new Inbox());
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        Thread streaming = new Thread(() -> {
            for (int i = 0; i < 5_000; i++) {
                String payload = "m" + i;
                // returns once PUBACK (QoS 1) or PUBCOMP (QoS 2) came: acknowledged by node A
                if (!publishSync(pub, "stream/x", payload, i % 2 == 0 ? 1 : 2)) {
                    return;
                }
                acknowledged.add(payload);
            }
        }, "streamer");
        streaming.start();
        closing.add(streaming::interrupt);
        await().atMost(WAIT).until(() -> acknowledged.size() >= 200);
        a.kill();
        streaming.join(WAIT.toMillis());
        assertThat(streaming.isAlive()).isFalse();
        List<String> acked = List.copyOf(acknowledged);

        awaitView(2, b, c);
        Map<String, Inbox> inboxes = new java.util.HashMap<>();
        for (String id : sessions) {
            Inbox inbox = new Inbox();
            inboxes.put(id, inbox);
            // the session is taken over from its replica once the majority agrees: retried until then
            await("session " + id + " on C").atMost(WAIT).ignoreExceptions().until(() -> {
                persistent3(c, id, inbox, present);
                return true;
            });
            assertThat(present[0]).as("session present for %s", id).isTrue();
        }
        for (String id : sessions) {
            Inbox inbox = inboxes.get(id);
            await(id + " gets every acknowledged message").atMost(WAIT).until(() -> texts(inbox).containsAll(acked));
            Map<String, Long> counts = texts(inbox).stream()
                    .collect(java.util.stream.Collectors.groupingBy(t -> t, java.util.stream.Collectors.counting()));
            for (int i = 1; i < acked.size(); i += 2) {
                assertThat(counts.get("m" + i)).as("QoS 2 message m%d to %s", i, id).isEqualTo(1L);
            }
        }
    }

    @Test
    @DisplayName("a node joining while a publisher streams QoS 1 catches up: the others lose nothing, and its subscriber gets every message published after its SUBACK, in order")
    void nodeJoinsUnderLoad() throws Exception {
        clusterPorts = freePorts(3);
        BrokerProcess a = node(0);
        BrokerProcess b = node(1);
        awaitView(2, a, b);
        awaitOwnership(a, b);
        Inbox onB = new Inbox();
        client3(b, "sub-b", onB).subscribe("load/#", 1);
        MqttClient pub = client3(a, "pub-load", new Inbox());
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread streaming = new Thread(() -> {
            for (int i = 0; i < 20_000 && !stop.get(); i++) {
                if (!publishSync(pub, "load/x", "n" + i, 1)) {
                    return;
                }
                acknowledged.add("n" + i);
            }
        }, "streamer");
        streaming.start();
        closing.add(() -> stop.set(true));
        await().atMost(WAIT).until(() -> acknowledged.size() >= 200);

        BrokerProcess c = node(2);
        awaitView(3, a, b, c);
        awaitOwnership(c);
        Inbox onC = new Inbox();
        MqttClient subC = client3(c, "sub-c", onC);
        subC.subscribe("load/#", 1);
        int atSubAck = acknowledged.size();
        await().atMost(WAIT).until(() -> acknowledged.size() >= atSubAck + 200);
        stop.set(true);
        streaming.join(WAIT.toMillis());
        List<String> all = List.copyOf(acknowledged);

        await("B got every message").atMost(WAIT).until(() -> onB.size() >= all.size());
        assertThat(texts(onB).subList(0, all.size())).containsExactlyElementsOf(all);
        // the message in flight at the SUBACK may have been published before it: every later one must arrive
        List<String> afterSubAck = all.subList(atSubAck + 1, all.size());
        await("C got every message after its SUBACK").atMost(WAIT).until(() -> texts(onC).containsAll(afterSubAck));
        List<String> gotC = texts(onC);
        assertThat(gotC.subList(gotC.indexOf(afterSubAck.get(0)), gotC.size())).startsWith(afterSubAck.toArray(String[]::new));
    }
}
