package io.starling.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.admin.AdminTestClient;
import io.starling.broker.admin.AdminTestClient.Received;
import io.starling.broker.cluster.SessionHandoverTest;
import io.starling.broker.cluster.SessionState;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.PubAck;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session another cluster node handed over is in this node's store as soon as it is adopted. */
class AdoptedSessionTest {
    private final List<Broker> brokers = new ArrayList<>();
    private final List<AdminTestClient> clients = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        clients.forEach(AdminTestClient::close);
        brokers.forEach(Broker::close);
    }

    private Broker start(BrokerConfig config) throws IOException {
        Broker broker = Broker.start(config);
        brokers.add(broker);
        return broker;
    }

    private BrokerConfig onDisk() {
        BrokerConfig config = BrokerConfig.defaults().onLoopback();
        return config.withStorage(config.storage().onDisk(dir.resolve("c"), config.storage().fsync()));
    }

    @Test
    @DisplayName("an adopted session, its subscription and its queued messages survive a restart of the node that adopted it")
    void adoptedSessionSurvivesRestart() throws Exception {
        Broker a = start(BrokerConfig.defaults().inMemory().onLoopback());
        Broker c = start(onDisk());
        SessionHandoverTest.offlineSessionWithTwoMessages(a, clients);
        SessionState state = a.cluster().release("dev", false).get(5, TimeUnit.SECONDS).orElseThrow();
        c.cluster().adopt(state).get(5, TimeUnit.SECONDS);
        c.close();
        brokers.remove(c);

        Broker again = start(onDisk());
        AdminTestClient dev = AdminTestClient.connected(again.port(), SessionHandoverTest.persistent311("dev"));
        clients.add(dev);
        Received one = dev.expectPublish();
        assertThat(one.topic()).isEqualTo("q/1");
        assertThat(one.payload()).isEqualTo("one");
        dev.send(new PubAck(one.packetId()));
        Received two = dev.expectPublish();
        assertThat(two.topic()).isEqualTo("q/2");
        assertThat(two.payload()).isEqualTo("two");
        assertThat(again.admin().overview().subscriptions()).isEqualTo(1);
    }
}
