package io.starling.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import io.starling.broker.Broker;
import io.starling.broker.admin.AdminTestClient;
import io.starling.broker.config.BrokerConfig;
import io.starling.cluster.replication.Replicator;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TP;
import org.jgroups.stack.ProtocolStack;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent sessions replicated to a backup node before their messages are acknowledged, and
 * taken over from the replica when their node leaves: three real brokers, each with its cluster
 * node, over real JGroups channels on loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReplicationTest {
    private final List<Broker> brokers = new ArrayList<>();
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final List<AdminTestClient> clients = new ArrayList<>();
    @TempDir
    Path raftDirs;

    @AfterEach
    void stop() throws InterruptedException {
        clients.forEach(AdminTestClient::close);
        for (ClusterNode node : nodes) {
            node.close();
        }
        brokers.forEach(Broker::close);
    }

    private void formThree() throws Exception {
        List<Integer> ports = ClusterNodeTest.freePorts(3);
        List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        for (int i = 0; i < 3; i++) {
            BrokerConfig.Cluster cluster = BrokerConfig.Cluster.of("127.0.0.1", ports.get(i), seeds);
            Broker broker = Broker.start(BrokerConfig.defaults().onLoopback().inMemory().withCluster(cluster));
            brokers.add(broker);
            nodes.add(ClusterNode.start(cluster, raftDirs.resolve("n" + i), broker.cluster()));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.members().size() == 3));
        await().atMost(Duration.ofSeconds(20)).until(() -> nodes.stream().allMatch(n -> n.ownership().leader() != null));
    }

    private AdminTestClient connect(int node, Connect connect) {
        AdminTestClient client = AdminTestClient.connected(brokers.get(node).port(), connect);
        clients.add(client);
        return client;
    }

    private int indexOf(String nodeName) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).nodeName().equals(nodeName)) {
                return i;
            }
        }
        throw new IllegalArgumentException(nodeName);
    }

    @Test
    @DisplayName("a persistent session's queued QoS 1 and 2 messages are on the backup before PUBACK/PUBCOMP; when its node leaves, the backup takes the session over and its client resumes it on the third node, every message once, in order")
    void sessionSurvivesItsNode() throws Exception {
        formThree();
        Connect persistent = new Connect(MqttVersion.V3_1_1, "dev", false, 60);
        AdminTestClient dev = connect(0, persistent).subscribe(1, "q/#", QoS.EXACTLY_ONCE);
        dev.disconnect();
        await().atMost(Duration.ofSeconds(5)).until(() -> brokers.get(0).admin().sessions(null, 0, 10).items().stream()
                .anyMatch(s -> s.clientId().equals("dev") && !s.online()));
        AdminTestClient pub = connect(0, new Connect(MqttVersion.V3_1_1, "pub", true, 60));
        for (int i = 0; i < 5; i++) {
            pub.publish("q/1", QoS.AT_LEAST_ONCE, false, i + 1, "one " + i);
        }
        for (int i = 0; i < 5; i++) {
            Publish publish = new Publish("q/2", QoS.EXACTLY_ONCE, false, false, 10 + i, Properties.EMPTY,
                    Unpooled.wrappedBuffer(("two " + i).getBytes(StandardCharsets.UTF_8)));
            pub.send(publish);
            assertThat(pub.expect(PubRec.class).packetId()).isEqualTo(10 + i);
            pub.send(new PubRel(10 + i));
            assertThat(pub.expect(PubComp.class).packetId()).isEqualTo(10 + i);
        }
        // acknowledged, so already on the backup: the replica holds the session
        String origin = nodes.get(0).nodeName();
        String backupName = Replicator.backupsOf(origin, Set.copyOf(nodes.get(0).members()), 2).get(0);
        ClusterNode backup = nodes.get(indexOf(backupName));
        assertThat(backup.replicas().clientIdsOf(origin)).containsExactly("dev");

        // the node leaves: its backup takes the session over (claimed in the owners table)
        nodes.get(0).close();
        await().atMost(Duration.ofSeconds(20)).until(() -> backupName.equals(backup.ownership().knownOwner("dev")));
        clients.forEach(AdminTestClient::close);
        brokers.get(0).close();

        int third = 3 - indexOf(backupName);   // the node neither the origin (0) nor the backup
        AdminTestClient resumed = connect(third, persistent);
        List<String> got = new ArrayList<>();
        int released = 0;
        while (got.size() < 10 || released < 5) {
            io.starling.codec.packet.Packet packet = resumed.expect(io.starling.codec.packet.Packet.class);
            if (packet instanceof Publish p) {
                got.add(p.payload().toString(StandardCharsets.UTF_8));
                p.release();
                resumed.send(p.qos() == QoS.AT_LEAST_ONCE ? new PubAck(p.packetId()) : new PubRec(p.packetId()));
            } else if (packet instanceof PubRel rel) {
                resumed.send(new PubComp(rel.packetId()));
                released++;
            }
        }
        assertThat(got).containsExactly("one 0", "one 1", "one 2", "one 3", "one 4", "two 0", "two 1", "two 2", "two 3", "two 4");
        resumed.expectNothing(Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> nodes.get(third).nodeName().equals(nodes.get(third).ownership().knownOwner("dev")));
        // the replica of the node that left is used up; the session's new node replicates it to its own backup
        assertThat(backup.replicas().clientIdsOf(origin)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> backup.replicas().clientIdsOf(nodes.get(third).nodeName()).contains("dev"));
    }

    @Test
    @DisplayName("a backup that joins later gets a snapshot of the sessions there are, and acknowledged changes after it")
    void newBackupGetsSnapshot() throws Exception {
        formThree();
        AdminTestClient dev = connect(1, new Connect(MqttVersion.V3_1_1, "early", false, 60)).subscribe(1, "e/#", QoS.AT_LEAST_ONCE);
        dev.disconnect();
        String origin = nodes.get(1).nodeName();
        String backupName = Replicator.backupsOf(origin, Set.copyOf(nodes.get(1).members()), 2).get(0);
        ClusterNode backup = nodes.get(indexOf(backupName));
        await().atMost(Duration.ofSeconds(5)).until(() -> backup.replicas().clientIdsOf(origin).contains("early"));
        // the backup leaves: the third node becomes the backup and gets the session in a snapshot
        int backupIndex = indexOf(backupName);
        nodes.get(backupIndex).close();
        ClusterNode next = nodes.get(3 - 1 - backupIndex);
        await().atMost(Duration.ofSeconds(20)).until(() -> next.replicas().clientIdsOf(origin).contains("early"));
    }

    @Test
    @DisplayName("a node cut off from the majority closes its clients' connections; its persistent session is resumed on the majority side from the replica; after the merge the cut-off node drops its stale copy")
    void partitionKeepsOneOwner() throws Exception {
        formThree();
        ClusterNode cut = nodes.get(2);
        Connect persistent = new Connect(MqttVersion.V5, "roamer", false, 60, null, null, null,
                Properties.of(io.starling.codec.property.Property.of(io.starling.codec.property.PropertyId.SESSION_EXPIRY_INTERVAL, 600)));
        AdminTestClient roamer = connect(2, persistent).subscribe(1, "r/#", QoS.AT_LEAST_ONCE);
        AdminTestClient pubC = connect(2, new Connect(MqttVersion.V3_1_1, "pub-c", true, 60));
        pubC.publish("r/1", QoS.AT_LEAST_ONCE, false, 1, "before the split");
        AdminTestClient.Received first = roamer.expectPublish();
        assertThat(first.payload()).isEqualTo("before the split");
        roamer.send(new PubAck(first.packetId()));
        pubC.publish("r/2", QoS.AT_LEAST_ONCE, false, 2, "in flight");
        AdminTestClient.Received unacked = roamer.expectPublish();
        assertThat(unacked.payload()).isEqualTo("in flight");

        DISCARD discard = new DISCARD().discardAll(true);
        cut.channel().getProtocolStack().insertProtocol(discard, ProtocolStack.Position.ABOVE, TP.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> cut.members().size() == 1);
        // [MQTT-4.13.1-1] the cut-off node tells the 5.0 client why before it closes
        io.starling.codec.packet.Disconnect told = roamer.expect(io.starling.codec.packet.Disconnect.class);
        assertThat(told.reasonCode()).isEqualTo(io.starling.codec.packet.ReasonCode.USE_ANOTHER_SERVER);
        roamer.expectClosed();

        // on the majority side the session resumes, with the message still to acknowledge
        AdminTestClient back = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (back == null) {
            try {
                back = connect(0, persistent);
            } catch (AssertionError refused) {
                // Server unavailable until the majority's view has lost the cut-off node
                if (System.nanoTime() > deadline) {
                    throw refused;
                }
                Thread.sleep(200);
            }
        }
        AdminTestClient.Received again = back.expectPublish();
        assertThat(again.payload()).isEqualTo("in flight");
        assertThat(again.packetId()).isEqualTo(unacked.packetId());
        back.send(new PubAck(again.packetId()));
        await().atMost(Duration.ofSeconds(5)).until(() -> nodes.get(0).nodeName().equals(nodes.get(1).ownership().knownOwner("roamer")));

        discard.discardAll(false);
        await().atMost(Duration.ofSeconds(40)).until(() -> nodes.stream().allMatch(n -> n.members().size() == 3));
        // the cut-off node had kept the session offline; once it has the majority again it lets it go
        await().atMost(Duration.ofSeconds(20)).until(() -> brokers.get(2).admin().sessions(null, 0, 10).items().stream()
                .noneMatch(s -> s.clientId().equals("roamer")));
        assertThat(brokers.get(0).admin().sessions(null, 0, 10).items()).extracting(s -> s.clientId()).contains("roamer");
    }
}
