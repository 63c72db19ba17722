package io.starling.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.cluster.SessionState;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Session ownership decided by jgroups-raft, and sessions handed between nodes, over real JGroups channels. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SessionOwnershipTest {
    private final List<ClusterNode> nodes = new ArrayList<>();
    @TempDir
    Path raftDirs;

    @AfterEach
    void closeNodes() throws InterruptedException {
        for (ClusterNode node : nodes) {
            node.close();
        }
    }

    private List<FakePort> formThree() throws Exception {
        List<Integer> ports = ClusterNodeTest.freePorts(3);
        List<FakePort> fakes = List.of(new FakePort(), new FakePort(), new FakePort());
        List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        for (int i = 0; i < 3; i++) {
            BrokerConfig.Cluster config = BrokerConfig.Cluster.of("127.0.0.1", ports.get(i), seeds);
            nodes.add(ClusterNode.start(config, raftDirs.resolve("n" + i), fakes.get(i)));
        }
        for (FakePort fake : fakes) {
            await().atMost(Duration.ofSeconds(5)).until(() -> fake.events != null);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(node -> node.members().size() == 3));
        // a leader is elected once a majority is in the view
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(node -> node.ownership().leader() != null));
        return fakes;
    }

    private static SessionState state(String clientId) {
        Message queued = new Message("q/1", QoS.EXACTLY_ONCE, false, "two".getBytes(StandardCharsets.UTF_8), "pub");
        Message inflight = new Message("q/0", QoS.AT_LEAST_ONCE, true, "one".getBytes(StandardCharsets.UTF_8), "pub");
        return new SessionState(clientId, 3600, Map.of("q/#", SubscriptionOptions.of(QoS.EXACTLY_ONCE)),
                List.of(new SessionState.Delivery(inflight, QoS.AT_LEAST_ONCE, true, new int[] {7}, 12, false),
                        new SessionState.Delivery(queued, QoS.EXACTLY_ONCE, false, new int[0], 0, false)),
                Set.of(3, 4));
    }

    @Test
    @DisplayName("a client connecting on another node takes its session over: the owner releases it, the new node adopts its state")
    void takeOverHandsTheSessionOver() throws Exception {
        List<FakePort> fakes = formThree();
        FakePort a = fakes.get(0);
        FakePort c = fakes.get(2);
        a.events.claim("dev-1", false).get(10, TimeUnit.SECONDS);
        assertThat(a.released).isEmpty();
        a.sessions.put("dev-1", state("dev-1"));

        c.events.claim("dev-1", false).get(15, TimeUnit.SECONDS);

        assertThat(a.released).containsExactly("dev-1");
        assertThat(c.adopted).hasSize(1);
        SessionState adopted = c.adopted.get(0);
        assertThat(adopted.subscriptions()).isEqualTo(state("dev-1").subscriptions());
        assertThat(adopted.inbound()).containsExactlyInAnyOrder(3, 4);
        assertThat(adopted.deliveries()).extracting(d -> d.message().topic(), SessionState.Delivery::packetId, SessionState.Delivery::qos)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("q/0", 12, QoS.AT_LEAST_ONCE),
                        org.assertj.core.groups.Tuple.tuple("q/1", 0, QoS.EXACTLY_ONCE));
        assertThat(adopted.deliveries().get(0).subscriptionIds()).containsExactly(7);
        assertThat(new String(adopted.deliveries().get(1).message().payload(), StandardCharsets.UTF_8)).isEqualTo("two");
        // every member agrees on the owner
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.stream()
                .allMatch(node -> nodes.get(2).nodeName().equals(node.ownership().knownOwner("dev-1"))));
    }

    @Test
    @DisplayName("a clean start on another node closes the old connection but hands nothing over")
    void cleanStartTakesNothing() throws Exception {
        List<FakePort> fakes = formThree();
        fakes.get(0).events.claim("dev-2", false).get(10, TimeUnit.SECONDS);
        fakes.get(0).sessions.put("dev-2", state("dev-2"));
        fakes.get(1).events.claim("dev-2", true).get(15, TimeUnit.SECONDS);
        assertThat(fakes.get(0).released).containsExactly("dev-2 clean");
        assertThat(fakes.get(1).adopted).isEmpty();
    }

    @Test
    @DisplayName("a client coming back to the node that owns its session is not handed anything, and nobody is asked")
    void reconnectToOwnerAsksNobody() throws Exception {
        List<FakePort> fakes = formThree();
        fakes.get(1).events.claim("dev-3", false).get(10, TimeUnit.SECONDS);
        fakes.get(1).events.claim("dev-3", false).get(10, TimeUnit.SECONDS);
        for (FakePort fake : fakes) {
            assertThat(fake.released).isEmpty();
            assertThat(fake.adopted).isEmpty();
        }
    }

    @Test
    @DisplayName("claims of one client id from every node at once: each is granted in turn, and each new owner takes it from the one before")
    void concurrentClaimsAreSerialized() throws Exception {
        List<FakePort> fakes = formThree();
        List<CompletableFuture<Void>> claims = new ArrayList<>();
        for (FakePort fake : fakes) {
            claims.add(fake.events.claim("dev-4", false));
        }
        CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        // one claim found no owner; each of the two others found one owner and asked it
        int asked = fakes.stream().mapToInt(f -> f.released.size()).sum();
        assertThat(asked).isEqualTo(2);
        String owner = nodes.get(0).ownership().knownOwner("dev-4");
        assertThat(owner).isIn(nodes.stream().map(ClusterNode::nodeName).toList());
    }

    @Test
    @DisplayName("the minority side of a split cannot claim a session (its client is refused); the majority can; after the merge the minority can again")
    void minorityCannotClaim() throws Exception {
        List<FakePort> fakes = formThree();
        ClusterNode cut = nodes.get(2);
        DISCARD discard = new DISCARD().discardAll(true);
        cut.channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        await().atMost(Duration.ofSeconds(25)).until(() -> cut.members().size() == 1 && nodes.get(0).members().size() == 2);

        assertThatThrownBy(() -> fakes.get(2).events.claim("dev-5", false).get(15, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
        fakes.get(0).events.claim("dev-5", false).get(15, TimeUnit.SECONDS);
        // a follower applies the entry once it hears the commit index, with the leader's next message
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.get(0).nodeName().equals(nodes.get(1).ownership().knownOwner("dev-5")));

        discard.discardAll(false);
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(node -> node.members().size() == 3));
        fakes.get(0).sessions.put("dev-5", state("dev-5"));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            fakes.get(2).events.claim("dev-5", false).get(10, TimeUnit.SECONDS);
            return true;
        });
        assertThat(fakes.get(0).released).contains("dev-5");
        assertThat(fakes.get(2).adopted).extracting(SessionState::clientId).contains("dev-5");
    }

    @Test
    @DisplayName("a session that ends is released: its client id leaves the owners table")
    void endedSessionIsReleased() throws Exception {
        List<FakePort> fakes = formThree();
        fakes.get(0).events.claim("dev-6", true).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.get(1).ownership().knownOwner("dev-6") != null);
        fakes.get(0).events.sessionEnded("dev-6");
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().allMatch(node -> node.ownership().knownOwner("dev-6") == null));
    }
}
