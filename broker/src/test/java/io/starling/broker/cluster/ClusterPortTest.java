package io.starling.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.admin.AdminTestClient;
import io.starling.broker.admin.AdminTestClient.Received;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.admin.BrokerAdmin.AdminMessage;
import io.starling.broker.admin.BrokerAdmin.Overview;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterPort} between three real brokers on loopback, bridged by {@link InMemoryTransport},
 * with real MQTT clients: routes, forwarding, loop prevention, SUBACK after the route is known, and
 * retained messages replicated.
 */
class ClusterPortTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(300);

    private final List<Broker> brokers = new ArrayList<>();
    private final List<AdminTestClient> clients = new ArrayList<>();
    private InMemoryTransport transport;
    private InMemoryTransport.Node a;
    private InMemoryTransport.Node b;
    private InMemoryTransport.Node c;

    @BeforeEach
    void start() throws IOException {
        transport = new InMemoryTransport();
        a = transport.join("A", broker());
        b = transport.join("B", broker());
        c = transport.join("C", broker());
    }

    @AfterEach
    void stop() {
        clients.forEach(AdminTestClient::close);
        // brokers first: their sessions ending still withdraw routes through the transport
        brokers.forEach(Broker::close);
        transport.close();
    }

    private Broker broker() throws IOException {
        Broker broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
        brokers.add(broker);
        return broker;
    }

    private AdminTestClient client(InMemoryTransport.Node node, String clientId) {
        AdminTestClient client = AdminTestClient.connected(node.broker.port(), MqttVersion.V5, clientId);
        clients.add(client);
        return client;
    }

    /** Waits until every node has handed on what it said. */
    private void drain() {
        a.drain();
        b.drain();
        c.drain();
    }

    private static Received receive(AdminTestClient client) {
        Received r = client.expectPublish();
        if (r.qos() == QoS.AT_LEAST_ONCE) {
            client.send(new PubAck(r.packetId()));
        }
        return r;
    }

    @Test
    @DisplayName("a QoS 1 publish on A reaches subscribers on B and C, downgraded to their QoS, RETAIN 0 as a live message")
    void forwardsWithDowngrade() {
        AdminTestClient onB = client(b, "sub-b").subscribe(1, "t/#", QoS.AT_MOST_ONCE);
        AdminTestClient onC = client(c, "sub-c").subscribe(1, "t/+", QoS.AT_LEAST_ONCE);
        client(a, "pub").publish("t/x", QoS.AT_LEAST_ONCE, true, 7, "hello");

        Received gotB = receive(onB);
        assertThat(gotB.topic()).isEqualTo("t/x");
        assertThat(gotB.qos()).isEqualTo(QoS.AT_MOST_ONCE);
        assertThat(gotB.retain()).isFalse();
        assertThat(gotB.payload()).isEqualTo("hello");
        Received gotC = receive(onC);
        assertThat(gotC.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(gotC.retain()).isFalse();
        assertThat(gotC.payload()).isEqualTo("hello");
        onB.expectNothing(QUIET);
        onC.expectNothing(QUIET);
        assertThat(a.forwardedTo("B")).isEqualTo(1);
        assertThat(a.forwardedTo("C")).isEqualTo(1);
        assertThat(b.forwarded()).isZero();
        assertThat(c.forwarded()).isZero();
        assertThat(a.broker.metrics().messagesForwardedOut.sum()).isEqualTo(2);
        assertThat(b.broker.metrics().messagesForwardedIn.sum()).isEqualTo(1);
        // a forwarded message is not one a client sent to B
        assertThat(b.broker.metrics().messagesReceived.sum()).isZero();
        assertThat(a.broker.metrics().messagesReceived.sum()).isEqualTo(1);
    }

    @Test
    @DisplayName("a message matching two filters of B (one client's, and another's) goes to B once; none to C, which has no route")
    void oncePerNode() {
        AdminTestClient both = client(b, "both").subscribe(1, "m/#", QoS.AT_LEAST_ONCE).subscribe(2, "m/x", QoS.AT_LEAST_ONCE);
        AdminTestClient other = client(b, "other").subscribe(1, "+/x", QoS.AT_MOST_ONCE);
        client(a, "pub").publish("m/x", QoS.AT_LEAST_ONCE, false, 1, "once");

        assertThat(receive(both).payload()).isEqualTo("once");
        assertThat(receive(other).payload()).isEqualTo("once");
        both.expectNothing(QUIET);
        other.expectNothing(QUIET);
        drain();
        assertThat(a.forwardedTo("B")).isEqualTo(1);
        assertThat(a.forwardedTo("C")).isZero();
        assertThat(b.routesAdded).containsExactly("m/#", "m/x", "+/x");
    }

    @Test
    @DisplayName("the route is withdrawn exactly when B's last subscriber to it goes, and the forwards stop")
    void unsubscribeStopsForwards() {
        AdminTestClient first = client(b, "first").subscribe(1, "u/1", QoS.AT_LEAST_ONCE);
        AdminTestClient second = client(b, "second").subscribe(1, "u/1", QoS.AT_LEAST_ONCE);
        assertThat(b.routesAdded).containsExactly("u/1");
        AdminTestClient publisher = client(a, "pub");

        first.send(new Unsubscribe(2, List.of("u/1")));
        assertThat(first.expect(UnsubAck.class).packetId()).isEqualTo(2);
        assertThat(b.routesRemoved).isEmpty();
        publisher.publish("u/1", QoS.AT_LEAST_ONCE, false, 1, "one");
        assertThat(receive(second).payload()).isEqualTo("one");
        first.expectNothing(QUIET);
        assertThat(a.forwardedTo("B")).isEqualTo(1);

        // a clean session ends with its connection: its subscriptions go, and with them the route
        second.disconnect();
        await().atMost(WAIT).until(() -> b.routesRemoved.size() == 1);
        assertThat(b.routesRemoved).containsExactly("u/1");
        drain();
        publisher.publish("u/1", QoS.AT_LEAST_ONCE, false, 2, "two");
        drain();
        assertThat(a.forwardedTo("B")).isEqualTo(1);
        assertThat(b.broker.metrics().messagesForwardedIn.sum()).isEqualTo(1);
    }

    @Test
    @DisplayName("100 QoS 1 messages of one publisher on A arrive in order on B and C")
    void ordering() {
        AdminTestClient onB = client(b, "sub-b").subscribe(1, "o/#", QoS.AT_LEAST_ONCE);
        AdminTestClient onC = client(c, "sub-c").subscribe(1, "o/#", QoS.EXACTLY_ONCE);
        AdminTestClient publisher = client(a, "pub");
        for (int i = 0; i < 100; i++) {
            publisher.publish("o/" + (i % 3), QoS.AT_LEAST_ONCE, false, i + 1, Integer.toString(i));
        }
        for (int i = 0; i < 100; i++) {
            assertThat(receive(onB).payload()).as("message %d on B", i).isEqualTo(Integer.toString(i));
            Received onCMessage = receive(onC);
            assertThat(onCMessage.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
            assertThat(onCMessage.payload()).as("message %d on C", i).isEqualTo(Integer.toString(i));
        }
        assertThat(a.forwardedTo("B")).isEqualTo(100);
        assertThat(a.forwardedTo("C")).isEqualTo(100);
    }

    @Test
    @DisplayName("the SUBACK waits until the other nodes know the route")
    void subAckWaitsForTheRoute() {
        b.holdRoutes = true;
        AdminTestClient onB = client(b, "sub-b");
        onB.send(new Subscribe(1, List.of(new Subscription("w/1", QoS.AT_LEAST_ONCE))));
        await().atMost(WAIT).until(() -> b.held.size() == 1);
        onB.expectNothing(QUIET);
        // a second subscriber to the same filter waits for the same announcement
        AdminTestClient again = client(b, "again");
        again.send(new Subscribe(3, List.of(new Subscription("w/1", QoS.AT_MOST_ONCE))));
        again.expectNothing(QUIET);
        assertThat(b.routesAdded).containsExactly("w/1");

        b.held.get(0).complete(null);
        SubAck ack = onB.expect(SubAck.class);
        assertThat(ack.packetId()).isEqualTo(1);
        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1);
        assertThat(again.expect(SubAck.class).reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_0);
        client(a, "pub").publish("w/1", QoS.AT_LEAST_ONCE, false, 1, "known");
        assertThat(receive(onB).payload()).isEqualTo("known");
    }

    @Test
    @DisplayName("a SUBACK whose route is never confirmed is sent after 5 s all the same")
    void subAckAfterTheBound() {
        b.holdRoutes = true;
        AdminTestClient onB = client(b, "sub-b");
        long sent = System.nanoTime();
        onB.send(new Subscribe(1, List.of(new Subscription("n/1", QoS.AT_LEAST_ONCE))));
        onB.expectNothing(Duration.ofMillis(4_500));
        SubAck ack = onB.expect(SubAck.class);
        long waitedMillis = (System.nanoTime() - sent) / 1_000_000;
        assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1);
        assertThat(waitedMillis).isBetween(4_900L, 7_000L);
        // the route was known meanwhile (only its confirmation was held): messages reach it
        client(a, "pub").publish("n/1", QoS.AT_LEAST_ONCE, false, 1, "late");
        assertThat(receive(onB).payload()).isEqualTo("late");
    }

    @Test
    @DisplayName("a forwarded message is never forwarded again: with subscribers on every node, A forwards once to each, B and C none")
    void noLoop() {
        AdminTestClient onA = client(a, "sub-a").subscribe(1, "l/#", QoS.AT_LEAST_ONCE);
        AdminTestClient onB = client(b, "sub-b").subscribe(1, "l/#", QoS.AT_LEAST_ONCE);
        AdminTestClient onC = client(c, "sub-c").subscribe(1, "l/+", QoS.AT_LEAST_ONCE);
        client(a, "pub").publish("l/x", QoS.AT_LEAST_ONCE, false, 1, "loop?");
        assertThat(receive(onA).payload()).isEqualTo("loop?");
        assertThat(receive(onB).payload()).isEqualTo("loop?");
        assertThat(receive(onC).payload()).isEqualTo("loop?");
        onA.expectNothing(QUIET);
        onB.expectNothing(QUIET);
        onC.expectNothing(QUIET);
        drain();
        assertThat(a.forwardedTo("B")).isEqualTo(1);
        assertThat(a.forwardedTo("C")).isEqualTo(1);
        assertThat(b.forwarded()).isZero();
        assertThat(c.forwarded()).isZero();
    }

    @Test
    @DisplayName("a retained message set on A is replicated to B (a new subscriber gets it with RETAIN 1), and so is its removal; no ping-pong")
    void retainedReplicated() {
        AdminTestClient publisher = client(a, "pub");
        publisher.publish("r/1", QoS.AT_LEAST_ONCE, true, 1, "kept", Properties.of(Property.of(PropertyId.CONTENT_TYPE, "text/plain")));
        drain();
        assertThat(a.retainedChanges).extracting(Message::topic).containsExactly("r/1");
        assertThat(b.retainedChanges).isEmpty();
        assertThat(c.retainedChanges).isEmpty();
        assertThat(b.broker.cluster().retainedSnapshot()).extracting(Message::topic).containsExactly("r/1");
        // $SYS retained messages are each node's own
        assertThat(a.broker.cluster().retainedSnapshot()).extracting(Message::topic).containsExactly("r/1");

        AdminTestClient onB = client(b, "sub-b").subscribe(1, "r/#", QoS.AT_LEAST_ONCE);
        Received got = receive(onB);
        assertThat(got.topic()).isEqualTo("r/1");
        assertThat(got.retain()).isTrue();
        assertThat(got.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(got.payload()).isEqualTo("kept");
        assertThat(got.properties().string(PropertyId.CONTENT_TYPE)).contains("text/plain");

        // the removal goes to B too; onB gets it live (as an empty message) since it subscribes there
        publisher.publish("r/1", QoS.AT_LEAST_ONCE, true, 2, "");
        drain();
        assertThat(receive(onB).payload()).isEmpty();
        assertThat(b.broker.cluster().retainedSnapshot()).isEmpty();
        assertThat(c.broker.cluster().retainedSnapshot()).isEmpty();
        client(c, "late").subscribe(1, "r/#", QoS.AT_LEAST_ONCE).expectNothing(QUIET);
        assertThat(b.retainedChanges).isEmpty();
        assertThat(a.retainedChanges).hasSize(2);
    }

    @Test
    @DisplayName("the operator's publish and deleteRetained on A are replicated as retained changes")
    void adminRetainedReplicated() {
        a.broker.admin().publish(new AdminMessage("op/1", "by hand".getBytes(StandardCharsets.UTF_8), 1, true)).join();
        drain();
        assertThat(c.broker.cluster().retainedSnapshot()).extracting(Message::topic).containsExactly("op/1");
        assertThat(a.broker.admin().deleteRetained("op/1")).isTrue();
        drain();
        assertThat(c.broker.cluster().retainedSnapshot()).isEmpty();
        assertThat(a.retainedChanges).extracting(m -> m.payload().length).containsExactly(7, 0);
        assertThat(c.retainedChanges).isEmpty();
    }

    @Test
    @DisplayName("retainedReplicated does not call retainedChanged")
    void replicatedIsNotChangedAgain() {
        b.broker.cluster().retainedReplicated(new Message("x/1", QoS.AT_LEAST_ONCE, true, "v".getBytes(StandardCharsets.UTF_8), "p"));
        assertThat(b.broker.cluster().retainedSnapshot()).extracting(Message::topic).containsExactly("x/1");
        assertThat(b.retainedChanges).isEmpty();
        drain();
        assertThat(a.broker.cluster().retainedSnapshot()).isEmpty();
    }

    @Test
    @DisplayName("nodeGone forgets the node's routes: nothing more is forwarded there")
    void nodeGone() {
        AdminTestClient onB = client(b, "sub-b").subscribe(1, "g/1", QoS.AT_LEAST_ONCE);
        AdminTestClient publisher = client(a, "pub");
        publisher.publish("g/1", QoS.AT_LEAST_ONCE, false, 1, "before");
        assertThat(receive(onB).payload()).isEqualTo("before");
        a.broker.cluster().nodeGone("B");
        publisher.publish("g/1", QoS.AT_LEAST_ONCE, false, 2, "after");
        onB.expectNothing(QUIET);
        assertThat(a.forwardedTo("B")).isEqualTo(1);
    }

    @Test
    @DisplayName("other nodes' routes count in no overview: subscriptions and shared groups are this node's own")
    void countsUnaffected() {
        client(b, "sub-b").subscribe(1, "c/#", QoS.AT_LEAST_ONCE).subscribe(2, "$share/g/c/1", QoS.AT_LEAST_ONCE);
        client(c, "sub-c").subscribe(1, "c/#", QoS.AT_LEAST_ONCE);
        drain();
        Overview onA = a.broker.admin().overview();
        assertThat(onA.subscriptions()).isZero();
        assertThat(onA.sharedGroups()).isZero();
        Overview onB = b.broker.admin().overview();
        assertThat(onB.subscriptions()).isEqualTo(2);
        assertThat(onB.sharedGroups()).isEqualTo(1);
        assertThat(a.broker.admin().subscriptions(null, null, 0, 100).total()).isZero();
    }

    @Test
    @DisplayName("a shared subscription on B gets the messages published on A, forwarded with the group named")
    void sharedOnB() {
        AdminTestClient onB = client(b, "sub-b").subscribe(1, "$share/g/s/#", QoS.AT_LEAST_ONCE);
        assertThat(b.routesAdded).containsExactly("$share/g/s/#");
        client(a, "pub").publish("s/1", QoS.AT_LEAST_ONCE, false, 1, "shared");
        assertThat(receive(onB).payload()).isEqualTo("shared");
        onB.expectNothing(QUIET);
        assertThat(a.forwardedTo("B")).isEqualTo(1);
        assertThat(a.sharesTo("B")).containsExactly(List.of("$share/g/s/#"));
        assertThat(a.forwardedTo("C")).isZero();
    }

    /** Reads every PUBLISH {@code client} gets, acknowledging QoS 1, on a thread of its own until it is closed or quiet for 5 s. */
    private static List<Received> collect(AdminTestClient client) {
        List<Received> got = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try {
                while (true) {
                    got.add(receive(client));
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
    @DisplayName("a shared group with members on A, B and C gets each message published on A once in all, spread over the"
            + " nodes; B, with a plain subscriber too, gets one forward per message")
    void sharedGroupSpansNodes() {
        int n = 60;
        List<Received> onA = collect(client(a, "m-a").subscribe(1, "$share/g/s/#", QoS.AT_LEAST_ONCE));
        List<Received> onB = collect(client(b, "m-b").subscribe(1, "$share/g/s/#", QoS.AT_LEAST_ONCE));
        List<Received> onC = collect(client(c, "m-c").subscribe(1, "$share/g/s/#", QoS.AT_MOST_ONCE));
        List<Received> plainB = collect(client(b, "plain-b").subscribe(1, "s/+", QoS.AT_LEAST_ONCE));
        drain();
        AdminTestClient publisher = client(a, "pub");
        for (int i = 0; i < n; i++) {
            publisher.publish("s/" + (i % 4), QoS.AT_LEAST_ONCE, false, i + 1, Integer.toString(i));
        }
        // at least n: a copy too many shows below as a duplicate
        await().atMost(WAIT).during(QUIET).until(() -> onA.size() + onB.size() + onC.size() >= n && plainB.size() >= n);

        List<String> group = new ArrayList<>();
        for (List<Received> member : List.of(onA, onB, onC)) {
            member.forEach(r -> group.add(r.payload()));
        }
        assertThat(group).doesNotHaveDuplicates().hasSize(n);
        // round robin over A's own member and the two other nodes
        assertThat(onA).isNotEmpty();
        assertThat(onB).isNotEmpty();
        assertThat(onC).isNotEmpty();
        assertThat(onC).extracting(Received::qos).containsOnly(QoS.AT_MOST_ONCE);
        assertThat(onB).extracting(Received::qos).containsOnly(QoS.AT_LEAST_ONCE);
        // B's plain route takes every message there once, naming the group when B has its turn
        assertThat(plainB).extracting(Received::payload).doesNotHaveDuplicates().hasSize(n);
        drain();
        assertThat(a.forwardedTo("B")).isEqualTo(n);
        assertThat(a.sharesTo("B").stream().filter(shares -> !shares.isEmpty())).hasSize(onB.size())
                .allMatch(shares -> shares.equals(List.of("$share/g/s/#")));
        assertThat(a.forwardedTo("C")).isEqualTo(onC.size());
        assertThat(b.forwarded()).isZero();
        assertThat(c.forwarded()).isZero();
    }

    @Test
    @DisplayName("a group with members on B and C only: messages published on A go to one of them, alternately")
    void sharedGroupElsewhere() {
        int n = 20;
        List<Received> onB = collect(client(b, "m-b").subscribe(1, "$share/w/e/#", QoS.AT_LEAST_ONCE));
        List<Received> onC = collect(client(c, "m-c").subscribe(1, "$share/w/e/#", QoS.AT_LEAST_ONCE));
        drain();
        AdminTestClient publisher = client(a, "pub");
        for (int i = 0; i < n; i++) {
            publisher.publish("e/1", QoS.AT_LEAST_ONCE, false, i + 1, Integer.toString(i));
        }
        await().atMost(WAIT).during(QUIET).until(() -> onB.size() + onC.size() >= n);
        assertThat(onB).hasSize(n / 2);
        assertThat(onC).hasSize(n / 2);
        assertThat(a.forwardedTo("B") + a.forwardedTo("C")).isEqualTo(n);
    }

    @Test
    @DisplayName("a forward for a plain route reaches no group member of the node; one naming the group reaches one local"
            + " member, taking turns")
    void forwardedToGroupsOnlyWhenNamed() {
        AdminTestClient m1 = client(b, "m1").subscribe(1, "$share/g/f/#", QoS.AT_LEAST_ONCE);
        AdminTestClient m2 = client(b, "m2").subscribe(1, "$share/g/f/#", QoS.AT_LEAST_ONCE);
        // A's member makes A a member of the group on B too, after B's two: it takes no turn in what B was picked for
        AdminTestClient onA = client(a, "m-a").subscribe(1, "$share/g/f/#", QoS.AT_LEAST_ONCE);
        AdminTestClient plain = client(b, "plain").subscribe(1, "f/#", QoS.AT_LEAST_ONCE);
        drain();
        ClusterPort port = b.broker.cluster();

        port.deliverForwarded(message("f/1", "plain route"), List.of()).join();
        assertThat(receive(plain).payload()).isEqualTo("plain route");
        m1.expectNothing(QUIET);
        m2.expectNothing(QUIET);

        // a group B has no member of gets nothing; the plain subscriber gets it all the same
        port.deliverForwarded(message("f/2", "other group"), List.of("$share/nobody/f/#")).join();
        assertThat(receive(plain).payload()).isEqualTo("other group");
        m1.expectNothing(QUIET);
        m2.expectNothing(QUIET);

        List<Received> got1 = collect(m1);
        List<Received> got2 = collect(m2);
        for (int i = 0; i < 4; i++) {
            port.deliverForwarded(message("f/3", "turn " + i), List.of("$share/g/f/#")).join();
            assertThat(receive(plain).payload()).isEqualTo("turn " + i);
        }
        await().atMost(WAIT).during(QUIET).until(() -> got1.size() + got2.size() >= 4);
        assertThat(got1).hasSize(2);
        assertThat(got2).hasSize(2);
        onA.expectNothing(QUIET);
        assertThat(b.forwarded()).isZero();
    }

    private static Message message(String topic, String payload) {
        return new Message(topic, QoS.AT_LEAST_ONCE, false, payload.getBytes(StandardCharsets.UTF_8), "elsewhere");
    }

    @Test
    @DisplayName("a node that leaves a group (or the cluster) takes no more turns in it here")
    void groupMemberGone() {
        List<Received> onA = collect(client(a, "m-a").subscribe(1, "$share/g/x/#", QoS.AT_LEAST_ONCE));
        AdminTestClient memberB = client(b, "m-b").subscribe(1, "$share/g/x/#", QoS.AT_LEAST_ONCE);
        List<Received> onC = collect(client(c, "m-c").subscribe(1, "$share/g/x/#", QoS.AT_LEAST_ONCE));
        drain();
        memberB.disconnect();
        await().atMost(WAIT).until(() -> b.routesRemoved.contains("$share/g/x/#"));
        drain();
        a.broker.cluster().nodeGone("C");
        AdminTestClient publisher = client(a, "pub");
        for (int i = 0; i < 6; i++) {
            publisher.publish("x/1", QoS.AT_LEAST_ONCE, false, i + 1, Integer.toString(i));
        }
        await().atMost(WAIT).during(QUIET).until(() -> onA.size() >= 6);
        assertThat(onA).hasSize(6);
        assertThat(onC).isEmpty();
        assertThat(a.forwarded()).isZero();
    }

    @Test
    @DisplayName("MQTT 5.0 properties survive forwarding: user properties and content type")
    void properties() {
        AdminTestClient onB = client(b, "sub-b").subscribe(1, "p/#", QoS.AT_LEAST_ONCE);
        client(a, "pub").publish("p/1", QoS.AT_LEAST_ONCE, false, 1, "{}", Properties.of(
                Property.user("k", "v"), Property.user("k", "w"), Property.of(PropertyId.CONTENT_TYPE, "application/json")));
        Received got = receive(onB);
        assertThat(got.properties().userProperties()).containsExactly(new UserProperty("k", "v"), new UserProperty("k", "w"));
        assertThat(got.properties().string(PropertyId.CONTENT_TYPE)).contains("application/json");
    }

    @Test
    @DisplayName("routes a broker had before it attached are returned by attach, and announced")
    void routesBeforeAttach() throws IOException {
        Broker d = broker();
        AdminTestClient onD = AdminTestClient.connected(d.port(), MqttVersion.V5, "sub-d");
        clients.add(onD);
        onD.subscribe(1, "pre/#", QoS.AT_LEAST_ONCE).subscribe(2, "pre/#", QoS.AT_MOST_ONCE);
        InMemoryTransport.Node dNode = transport.join("D", d);
        assertThat(dNode.routesAdded).containsExactly("pre/#");
        client(a, "pub").publish("pre/1", QoS.AT_LEAST_ONCE, false, 1, "hi");
        Received got = onD.expectPublish();
        assertThat(got.payload()).isEqualTo("hi");
        assertThat(got.qos()).isEqualTo(QoS.AT_MOST_ONCE);
        assertThat(a.forwardedTo("D")).isEqualTo(1);
    }

    private AdminTestClient persistent(InMemoryTransport.Node node, String clientId, boolean cleanStart) {
        AdminTestClient client = AdminTestClient.connected(node.broker.port(), new Connect(MqttVersion.V5, clientId, cleanStart, 60,
                null, null, null, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 300L))));
        clients.add(client);
        return client;
    }

    @Test
    @DisplayName("an offline persistent session keeps its route (its messages queue); deleting the session withdraws it")
    void persistentSessionRoutes() {
        persistent(b, "keeper", false).subscribe(1, "q/#", QoS.AT_LEAST_ONCE).disconnect();
        await().atMost(WAIT).until(() -> b.broker.admin().sessions("keeper", 0, 10).items().stream().noneMatch(s -> s.online()));
        client(a, "pub").publish("q/1", QoS.AT_LEAST_ONCE, false, 1, "queued");
        drain();
        assertThat(a.forwardedTo("B")).isEqualTo(1);
        assertThat(b.routesRemoved).isEmpty();

        AdminTestClient back = persistent(b, "keeper", false);
        assertThat(receive(back).payload()).isEqualTo("queued");
        back.disconnect();
        await().atMost(WAIT).until(() -> b.broker.admin().sessions("keeper", 0, 10).items().stream().noneMatch(s -> s.online()));
        assertThat(b.broker.admin().deleteSession("keeper")).isEqualTo(BrokerAdmin.SessionDeletion.DELETED);
        assertThat(b.routesRemoved).containsExactly("q/#");
    }

    @Test
    @DisplayName("a take-over with clean start drops the old session's subscriptions, and its routes")
    void cleanStartTakeOver() {
        persistent(b, "taken", false).subscribe(1, "k/#", QoS.AT_LEAST_ONCE);
        AdminTestClient again = persistent(b, "taken", true);
        await().atMost(WAIT).until(() -> b.routesRemoved.size() == 1);
        assertThat(b.routesRemoved).containsExactly("k/#");
        assertThat(b.routesAdded).containsExactly("k/#");
        again.subscribe(2, "k/#", QoS.AT_LEAST_ONCE);
        assertThat(b.routesAdded).containsExactly("k/#", "k/#");
    }
}
