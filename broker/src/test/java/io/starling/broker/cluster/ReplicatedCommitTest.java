package io.starling.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.admin.AdminTestClient;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * In a cluster, what a persistent session stores is sent to the replicas through {@link
 * ClusterEvents#replicate}, and the PUBACK that acknowledges it waits until they have it.
 */
class ReplicatedCommitTest {
    private final List<AdminTestClient> clients = new ArrayList<>();
    private Broker broker;

    @AfterEach
    void stop() {
        clients.forEach(AdminTestClient::close);
        if (broker != null) {
            broker.close();
        }
    }

    /** A transport that keeps every replication future for the test to complete. */
    private static final class Holding extends QuietTransport {
        final List<List<SessionChange>> sent = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> waiting = new CopyOnWriteArrayList<>();
        /** While false, every commit is replicated at once. */
        volatile boolean hold;

        @Override
        public CompletableFuture<Void> replicate(List<SessionChange> changes) {
            sent.add(changes);
            if (!hold) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> replicated = new CompletableFuture<>();
            waiting.add(replicated);
            return replicated;
        }

        void releaseAll() {
            waiting.forEach(f -> f.complete(null));
        }
    }

    @Test
    @DisplayName("a QoS 1 message for an offline persistent session is PUBACKed only once the replicas have its queue entry")
    void pubAckWaitsForReplicas() throws Exception {
        BrokerConfig config = BrokerConfig.defaults().onLoopback().inMemory()
                .withCluster(BrokerConfig.Cluster.of("127.0.0.1", 7800, List.of()));
        broker = Broker.start(config);
        Holding transport = new Holding();
        broker.cluster().attach(transport);

        AdminTestClient dev = AdminTestClient.connected(broker.port(), new Connect(MqttVersion.V3_1_1, "dev", false, 60));
        clients.add(dev);
        dev.subscribe(1, "q/#", QoS.AT_LEAST_ONCE);
        dev.disconnect();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> broker.admin().sessions(null, 0, 10).items()
                .stream().anyMatch(s -> s.clientId().equals("dev") && !s.online()));
        assertThat(transport.sent).anySatisfy(changes -> assertThat(changes).contains(new SessionChange.Subscribed("dev", "q/#",
                io.starling.broker.model.SubscriptionOptions.of(QoS.AT_LEAST_ONCE))));
        int before = transport.sent.size();
        transport.hold = true;

        AdminTestClient pub = AdminTestClient.connected(broker.port(), new Connect(MqttVersion.V3_1_1, "pub", true, 60));
        clients.add(pub);
        Publish publish = new Publish("q/1", QoS.AT_LEAST_ONCE, false, false, 5, Properties.EMPTY,
                io.netty.buffer.Unpooled.wrappedBuffer("kept".getBytes(StandardCharsets.UTF_8)));
        pub.send(publish);
        publish.release();

        pub.expectNothing(Duration.ofMillis(500));
        List<SessionChange> changes = transport.sent.get(transport.sent.size() - 1);
        assertThat(transport.sent.size()).isGreaterThan(before);
        assertThat(changes).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(SessionChange.MessageStored.class,
                m -> assertThat(new String(m.message().payload(), StandardCharsets.UTF_8)).isEqualTo("kept")));
        assertThat(changes).anySatisfy(c -> assertThat(c).isInstanceOfSatisfying(SessionChange.Queued.class,
                q -> assertThat(q.clientId()).isEqualTo("dev")));

        transport.releaseAll();
        assertThat(pub.expect(PubAck.class).packetId()).isEqualTo(5);
    }
}
