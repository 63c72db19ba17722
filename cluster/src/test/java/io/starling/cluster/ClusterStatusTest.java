package io.starling.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.admin.BrokerAdmin.AdminMessage;
import io.starling.broker.cluster.ClusterStatus;
import io.starling.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Broker.cluster().status()} of a real broker in a two-node cluster, the other node a {@link FakePort}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterStatusTest {
    private Broker broker;
    private ClusterNode a;
    private ClusterNode b;

    @AfterEach
    void close() throws InterruptedException {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static BrokerConfig.Cluster config(int port, List<Integer> all) {
        return BrokerConfig.Cluster.of("127.0.0.1", port, all.stream().map(p -> "127.0.0.1:" + p).toList());
    }

    @Test
    @DisplayName("the status shows the members with their coordinator, the routes per node, the traffic both ways and the queues")
    void membersRoutesAndTraffic() throws Exception {
        broker = Broker.start(BrokerConfig.defaults().onLoopback().inMemory());
        assertThat(broker.cluster().status()).as("no transport attached yet").isEmpty();

        List<Integer> ports = ClusterNodeTest.freePorts(2);
        a = ClusterNode.start(config(ports.get(0), ports), broker.cluster());
        FakePort other = new FakePort();
        b = ClusterNode.start(config(ports.get(1), ports), other);
        await().atMost(Duration.ofSeconds(20)).until(() -> a.members().size() == 2 && b.members().size() == 2);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.cluster().status().isPresent() && other.events != null);

        ClusterStatus seen = broker.cluster().status().orElseThrow();
        assertThat(seen.node()).isEqualTo(a.nodeName());
        assertThat(seen.cluster()).isEqualTo(BrokerConfig.Cluster.DEFAULT_NAME);
        assertThat(seen.members()).containsExactlyElementsOf(b.members()).containsExactlyInAnyOrder(a.nodeName(), b.nodeName());
        assertThat(seen.coordinator()).isEqualTo(seen.members().get(0));
        assertThat(seen.routes()).isEmpty();
        assertThat(seen.forwardQueue()).isEqualTo(Map.of(b.nodeName(), 0L));
        assertThat(seen.traffic()).isEqualTo(ClusterStatus.Traffic.NONE);

        // the other node announces two routes: this broker holds them
        other.events.routeAdded("t/#").get(10, TimeUnit.SECONDS);
        other.events.routeAdded("$share/g/jobs").get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.cluster().status().orElseThrow().routes().equals(Map.of(b.nodeName(), 2)));

        for (int i = 0; i < 3; i++) {
            broker.admin().publish(new AdminMessage("t/" + i, "hello".getBytes(StandardCharsets.UTF_8), 1, false)).get(5, TimeUnit.SECONDS);
        }
        broker.admin().publish(new AdminMessage("config/x", "on".getBytes(StandardCharsets.UTF_8), 0, true)).get(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> other.delivered.size() == 3 && other.retained.containsKey("config/x"));

        ClusterStatus.Traffic out = broker.cluster().status().orElseThrow().traffic();
        ClusterStatus.Traffic in = other.events.status().traffic();
        assertThat(out.messagesOut()).isEqualTo(3);
        assertThat(out.batchesOut()).isBetween(1L, 3L);
        assertThat(out.bytesOut()).isGreaterThan(3 * "hello".length());
        assertThat(out.retainedOut()).isEqualTo(1);
        assertThat(out.dropped()).isZero();
        assertThat(in.messagesIn()).isEqualTo(3);
        assertThat(in.batchesIn()).isEqualTo(out.batchesOut());
        assertThat(in.bytesIn()).isEqualTo(out.bytesOut());
        assertThat(in.retainedIn()).isEqualTo(1);
        assertThat(broker.cluster().status().orElseThrow().forwardQueue()).isEqualTo(Map.of(b.nodeName(), 0L));
        assertThat(broker.cluster().status().orElseThrow().replicationQueue()).isZero();

        // the route withdrawn, then the node gone: its routes and its queue leave the status
        other.events.routeRemoved("t/#");
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.cluster().status().orElseThrow().routes().equals(Map.of(b.nodeName(), 1)));
        b.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> broker.cluster().status().orElseThrow().members().equals(List.of(a.nodeName())));
        ClusterStatus alone = broker.cluster().status().orElseThrow();
        assertThat(alone.routes()).isEmpty();
        assertThat(alone.forwardQueue()).isEmpty();
        assertThat(alone.coordinator()).isEqualTo(a.nodeName());
    }
}
