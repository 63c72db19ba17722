package io.starling.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.admin.AdminTestClient;
import io.starling.broker.admin.AdminTestClient.Received;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterNodeTest {
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<AdminTestClient> clients = new ArrayList<>();
    private final List<Broker> brokers = new ArrayList<>();

    @AfterEach
    void closeNodes() throws InterruptedException {
        clients.forEach(AdminTestClient::close);
        for (ClusterNode node : nodes) {
            node.close();
        }
        brokers.forEach(Broker::close);
    }

    static List<Integer> freePorts(int count) throws IOException {
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

    private static BrokerConfig.Cluster config(int port, List<Integer> all) {
        return BrokerConfig.Cluster.of("127.0.0.1", port, all.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    private ClusterNode start(int port, List<Integer> all, FakePort fake) throws Exception {
        ClusterNode node = ClusterNode.start(config(port, all), fake);
        nodes.add(node);
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.events != null);
        return node;
    }

    private List<FakePort> formThree() throws Exception {
        List<Integer> ports = freePorts(3);
        List<FakePort> fakes = List.of(new FakePort(), new FakePort(), new FakePort());
        for (int i = 0; i < 3; i++) {
            start(ports.get(i), ports, fakes.get(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.members().size() == 3));
        return fakes;
    }

    private static Message v5Message(String topic, int i) {
        Properties properties = Properties.of(
                Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
                Property.of(PropertyId.CONTENT_TYPE, "text/plain"),
                Property.of(PropertyId.RESPONSE_TOPIC, "replies/" + i),
                Property.of(PropertyId.CORRELATION_DATA, Bytes.of(new byte[] {1, 2, (byte) i})),
                Property.user("k", "v" + i),
                Property.user("k", "second"));
        return new Message(topic, QoS.of(i % 3), i % 2 == 0, ("m" + i).getBytes(StandardCharsets.UTF_8), "publisher-" + (i % 2),
                properties, 1_900_000_000_000L + i);
    }

    @Test
    @DisplayName("three nodes with the same seeds form one view of three, named by bind:port")
    void formsThreeMemberView() throws Exception {
        formThree();
        Set<String> names = Set.copyOf(nodes.get(0).members());
        assertThat(names).containsExactlyInAnyOrder(nodes.get(0).nodeName(), nodes.get(1).nodeName(), nodes.get(2).nodeName());
        assertThat(nodes.get(1).members()).containsExactlyElementsOf(nodes.get(0).members());
        assertThat(nodes.get(0).nodeName()).startsWith("127.0.0.1:");
    }

    @Test
    @DisplayName("a lone seed forms a cluster of one within seconds, and a route added there completes at once")
    void aloneFormsOwnCluster() throws Exception {
        List<Integer> ports = freePorts(2);
        FakePort alone = new FakePort();
        long started = System.nanoTime();
        ClusterNode node = start(ports.get(0), ports, alone);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(node.members()).containsExactly("127.0.0.1:" + ports.get(0));
        alone.events.routeAdded("a/b").get(2, TimeUnit.SECONDS);
        assertThat(node.toString()).isEqualTo("ClusterNode[127.0.0.1:" + ports.get(0) + ", 1 members]");
    }

    @Test
    @DisplayName("routes at attach reach every node; a route added reaches every other node before its future completes")
    void routeAddedReachesOthersBeforeFutureCompletes() throws Exception {
        List<Integer> ports = freePorts(3);
        List<FakePort> fakes = List.of(new FakePort(), new FakePort(), new FakePort());
        fakes.get(0).initialRoutes.add("initial/#");
        for (int i = 0; i < 3; i++) {
            start(ports.get(i), ports, fakes.get(i));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.members().size() == 3));
        String a = nodes.get(0).nodeName();
        await().atMost(Duration.ofSeconds(5)).until(() -> fakes.get(1).routesOf(a).contains("initial/#")
                && fakes.get(2).routesOf(a).contains("initial/#"));

        CompletableFuture<Void> added = fakes.get(0).events.routeAdded("sensors/+/temp");
        added.get(10, TimeUnit.SECONDS);
        // RSVP: applied on every member before the future completed, no waiting here
        assertThat(fakes.get(1).routesOf(a)).containsExactlyInAnyOrder("initial/#", "sensors/+/temp");
        assertThat(fakes.get(2).routesOf(a)).containsExactlyInAnyOrder("initial/#", "sensors/+/temp");
        assertThat(fakes.get(0).routes).doesNotContainKey(a);

        fakes.get(0).events.routeRemoved("initial/#");
        await().atMost(Duration.ofSeconds(5)).until(() -> fakes.get(1).routesOf(a).equals(Set.of("sensors/+/temp"))
                && fakes.get(2).routesOf(a).equals(Set.of("sensors/+/temp")));
    }

    @Test
    @DisplayName("forwarded messages arrive in order, only at their node, with every field, 5.0 property and shared subscription intact")
    void forwardedInOrderIntact() throws Exception {
        List<FakePort> fakes = formThree();
        List<Message> sent = new ArrayList<>();
        List<List<String>> sentShares = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            Message message = v5Message("t/" + (i % 7), i);
            List<String> shares = i % 5 == 0 ? List.of("$share/g/t/+", "$share/h/#") : i % 5 == 1 ? List.of("$share/g/t/+") : List.of();
            sent.add(message);
            sentShares.add(shares);
            fakes.get(0).events.forward(nodes.get(1).nodeName(), message, shares);
        }
        Message plain = new Message("plain", QoS.AT_MOST_ONCE, false, new byte[0], "c311");
        fakes.get(0).events.forward(nodes.get(1).nodeName(), plain, List.of());
        sent.add(plain);
        sentShares.add(List.of());
        await().atMost(Duration.ofSeconds(20)).until(() -> fakes.get(1).delivered.size() == sent.size());
        List<Message> got = fakes.get(1).delivered;
        for (int i = 0; i < sent.size(); i++) {
            Message want = sent.get(i);
            Message have = got.get(i);
            assertThat(have.topic()).isEqualTo(want.topic());
            assertThat(have.qos()).isEqualTo(want.qos());
            assertThat(have.retain()).isEqualTo(want.retain());
            assertThat(have.payload()).isEqualTo(want.payload());
            assertThat(have.publisherId()).isEqualTo(want.publisherId());
            assertThat(have.properties()).isEqualTo(want.properties());
            assertThat(have.expiresAtMillis()).isEqualTo(want.expiresAtMillis());
        }
        assertThat(fakes.get(1).deliveredShares).containsExactlyElementsOf(sentShares);
        assertThat(fakes.get(2).delivered).isEmpty();
        ClusterStats stats = nodes.get(0).stats();
        assertThat(stats.forwardedMessages()).isEqualTo(sent.size());
        assertThat(stats.forwardedBatches()).isBetween(1L, (long) sent.size());
        assertThat(stats.forwardedBytes()).isGreaterThan(0);
        assertThat(stats.droppedMessages()).isZero();
        assertThat(nodes.get(1).stats().receivedMessages()).isEqualTo(sent.size());
    }

    /** Reads every PUBLISH {@code client} gets, acknowledging QoS 1, on a thread of its own until it is closed or quiet for 5 s. */
    private static List<Received> collect(AdminTestClient client) {
        List<Received> got = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    Received r = client.expectPublish();
                    if (r.qos() == QoS.AT_LEAST_ONCE) {
                        client.send(new PubAck(r.packetId()));
                    }
                    got.add(r);
                }
            } catch (AssertionError | RuntimeException end) {
                // closed, or nothing more came
            }
        }, "collect");
        reader.setDaemon(true);
        reader.start();
        return got;
    }

    @Test
    @DisplayName("a shared group with members on each of three brokers gets each QoS 1 message published on one of them"
            + " exactly once in all, spread over the nodes, though a plain subscriber takes every message to a node too")
    void sharedGroupOnceAcrossNodes() throws Exception {
        List<Integer> ports = freePorts(3);
        for (int i = 0; i < 3; i++) {
            Broker broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
            brokers.add(broker);
            nodes.add(ClusterNode.start(config(ports.get(i), ports), broker.cluster()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.members().size() == 3));
        // one member on the first and third nodes, two on the second, which has a plain subscriber too
        List<List<Received>> members = new ArrayList<>();
        List<Integer> memberNode = List.of(0, 1, 1, 2);
        for (int node : memberNode) {
            AdminTestClient member = AdminTestClient.connected(brokers.get(node).port(), MqttVersion.V5, "member-" + members.size());
            clients.add(member);
            // the SUBACK comes once every other node has the route
            members.add(collect(member.subscribe(1, "$share/workers/jobs/#", QoS.AT_LEAST_ONCE)));
        }
        AdminTestClient plain = AdminTestClient.connected(brokers.get(1).port(), MqttVersion.V5, "plain");
        clients.add(plain);
        List<Received> plainGot = collect(plain.subscribe(1, "jobs/#", QoS.AT_LEAST_ONCE));
        AdminTestClient publisher = AdminTestClient.connected(brokers.get(0).port(), MqttVersion.V5, "publisher");
        clients.add(publisher);
        int n = 90;
        for (int i = 0; i < n; i++) {
            publisher.publish("jobs/" + (i % 5), QoS.AT_LEAST_ONCE, false, i + 1, "job " + i);
        }
        await().atMost(Duration.ofSeconds(20)).during(Duration.ofMillis(500))
                .until(() -> members.stream().mapToInt(List::size).sum() >= n && plainGot.size() >= n);
        List<String> got = members.stream().flatMap(List::stream).map(Received::payload).toList();
        assertThat(got).doesNotHaveDuplicates().hasSize(n);
        for (int i = 0; i < memberNode.size(); i++) {
            assertThat(members.get(i)).as("member %d on node %d", i, memberNode.get(i)).isNotEmpty();
        }
        assertThat(plainGot).extracting(Received::payload).doesNotHaveDuplicates().hasSize(n);
        // only the publisher's node forwards: every message to the second node (its plain subscriber), once,
        // and to the third the messages whose turn it had
        assertThat(nodes.get(0).stats().forwardedMessages()).isEqualTo(n + members.get(3).size());
        assertThat(nodes.get(1).stats().forwardedMessages()).isZero();
        assertThat(nodes.get(2).stats().forwardedMessages()).isZero();
    }

    @Test
    @DisplayName("a retained change reaches every other node; a node that joins later gets the coordinator's snapshot")
    void retainedBroadcastAndSnapshot() throws Exception {
        List<Integer> ports = freePorts(3);
        FakePort a = new FakePort();
        FakePort b = new FakePort();
        start(ports.get(0), ports, a);
        start(ports.get(1), ports, b);
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).members().size() == 2 && nodes.get(1).members().size() == 2);
        Message temp = new Message("home/temp", QoS.AT_LEAST_ONCE, true, "21".getBytes(StandardCharsets.UTF_8), "thermo");
        a.events.retainedChanged(temp);
        await().atMost(Duration.ofSeconds(5)).until(() -> b.retained.containsKey("home/temp"));
        assertThat(b.retained.get("home/temp").payload()).isEqualTo("21".getBytes(StandardCharsets.UTF_8));
        assertThat(a.retained).isEmpty();

        // the coordinator (the first node) holds 1201 retained messages: more than two snapshot batches
        for (int i = 0; i < 1_201; i++) {
            a.snapshot.add(new Message("r/" + i, QoS.AT_MOST_ONCE, true, new byte[] {(byte) i}, "p"));
        }
        FakePort late = new FakePort();
        start(ports.get(2), ports, late);
        await().atMost(Duration.ofSeconds(20)).until(() -> late.retained.size() == 1_201);
        assertThat(late.retained.get("r/1200").payload()).isEqualTo(new byte[] {(byte) 1200});

        a.events.retainedChanged(new Message("r/5", QoS.AT_MOST_ONCE, true, new byte[0], "p"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !late.retained.containsKey("r/5"));
        assertThat(late.retained).hasSize(1_200);
    }

    @Test
    @DisplayName("a node that closes is gone from the others' views and their port within seconds; its routes with it")
    void closedNodeGone() throws Exception {
        List<FakePort> fakes = formThree();
        fakes.get(2).events.routeAdded("c/#").get(10, TimeUnit.SECONDS);
        String c = nodes.get(2).nodeName();
        assertThat(fakes.get(0).routesOf(c)).containsExactly("c/#");
        nodes.get(2).close();
        await().atMost(Duration.ofSeconds(10)).until(() -> fakes.get(0).gone.contains(c) && fakes.get(1).gone.contains(c));
        assertThat(fakes.get(0).routes).doesNotContainKey(c);
        assertThat(nodes.get(0).members()).containsExactlyInAnyOrder(nodes.get(0).nodeName(), nodes.get(1).nodeName());
        // forwarding to a node that is gone is dropped and counted
        fakes.get(0).events.forward(c, new Message("c/1", QoS.AT_MOST_ONCE, false, new byte[] {1}, "p"), List.of());
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.get(0).stats().droppedMessages() == 1);
    }

    @Test
    @DisplayName("after a split heals, the sides merge: each node gets the other side's routes and retained messages")
    void splitHealsByMerge() throws Exception {
        List<Integer> ports = freePorts(2);
        FakePort a = new FakePort();
        FakePort b = new FakePort();
        a.initialRoutes.add("a/#");
        b.initialRoutes.add("b/#");
        ClusterNode nodeA = start(ports.get(0), ports, a);
        ClusterNode nodeB = start(ports.get(1), ports, b);
        await().atMost(Duration.ofSeconds(20)).until(() -> nodeA.members().size() == 2 && nodeB.members().size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.routesOf(nodeB.nodeName()).contains("b/#"));

        // the network between them breaks: every message dropped below the protocols
        List<DISCARD> discards = new ArrayList<>();
        for (ClusterNode node : List.of(nodeA, nodeB)) {
            DISCARD discard = new DISCARD().discardAll(true);
            node.channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
            discards.add(discard);
        }
        await().atMost(Duration.ofSeconds(25)).until(() -> nodeA.members().size() == 1 && nodeB.members().size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.gone.contains(nodeB.nodeName()) && b.gone.contains(nodeA.nodeName()));
        assertThat(a.routes).doesNotContainKey(nodeB.nodeName());
        // while apart, each side retains something of its own
        a.snapshot.add(new Message("only/a", QoS.AT_MOST_ONCE, true, new byte[] {'a'}, "pa"));
        b.snapshot.add(new Message("only/b", QoS.AT_MOST_ONCE, true, new byte[] {'b'}, "pb"));

        discards.forEach(discard -> discard.discardAll(false));
        await().atMost(Duration.ofSeconds(25)).until(() -> nodeA.members().size() == 2 && nodeB.members().size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.routesOf(nodeB.nodeName()).equals(Set.of("b/#"))
                && b.routesOf(nodeA.nodeName()).equals(Set.of("a/#")));
        await().atMost(Duration.ofSeconds(5)).until(() -> a.retained.containsKey("only/b") && b.retained.containsKey("only/a"));
    }
}
