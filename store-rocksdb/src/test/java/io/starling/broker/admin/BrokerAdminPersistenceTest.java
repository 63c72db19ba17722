package io.starling.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.admin.BrokerAdmin.AdminMessage;
import io.starling.broker.admin.BrokerAdmin.SessionDeletion;
import io.starling.broker.admin.BrokerAdmin.SessionSummary;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link BrokerAdmin} with the RocksDB store: what the admin API deletes stays deleted after a
 * restart, and what it publishes is stored for offline persistent sessions like a client's message.
 */
class BrokerAdminPersistenceTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final BrokerConfig config = persistentConfig();
    private Broker broker;

    private static BrokerConfig persistentConfig() {
        BrokerConfig defaults = BrokerConfig.defaults();
        Path dir = Path.of("target", "test-data", UUID.randomUUID().toString());
        return defaults.onLoopback().withStorage(defaults.storage().onDisk(dir, defaults.storage().fsync()));
    }

    @BeforeEach
    void start() throws IOException {
        broker = Broker.start(config);
        assertThat(broker.persistence().enabled()).isTrue();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private void restart() throws IOException {
        broker.close();
        broker = Broker.start(config);
    }

    private void awaitOffline(String clientId) {
        await().atMost(WAIT).until(() -> broker.admin().sessions(clientId, 0, 10).items().stream()
                .anyMatch(s -> s.clientId().equals(clientId) && !s.online()));
    }

    @Test
    @DisplayName("a retained message deleted through the admin API is gone from the store too")
    void deletedRetainedStaysDeleted() throws Exception {
        try (AdminTestClient publisher = AdminTestClient.connected(broker.port(), MqttVersion.V3_1_1, "publisher")) {
            publisher.publish("keep", QoS.AT_LEAST_ONCE, true, 1, "kept");
            publisher.publish("drop", QoS.AT_LEAST_ONCE, true, 2, "dropped");
        }
        assertThat(broker.admin().deleteRetained("drop")).isTrue();

        restart();

        assertThat(broker.admin().retained("#", 0, 10).items()).extracting(BrokerAdmin.RetainedSummary::topic).containsExactly("keep");
        try (AdminTestClient subscriber = AdminTestClient.connected(broker.port(), MqttVersion.V3_1_1, "subscriber")) {
            subscriber.subscribe(1, "#", QoS.AT_LEAST_ONCE);
            assertThat(subscriber.expectPublish().topic()).isEqualTo("keep");
            subscriber.expectNothing(Duration.ofMillis(300));
        }
    }

    @Test
    @DisplayName("an admin publish is stored for an offline persistent session before it completes; a deleted session stays deleted")
    void publishStoredAndSessionDeleted() throws Exception {
        for (String clientId : new String[] {"kept", "deleted"}) {
            try (AdminTestClient client = AdminTestClient.connected(broker.port(), new Connect(MqttVersion.V3_1_1, clientId, false, 30))) {
                client.subscribe(1, "jobs/#", QoS.AT_LEAST_ONCE);
                client.disconnect();
            }
            awaitOffline(clientId);
        }
        int reached = broker.admin().publish(new AdminMessage("jobs/1", "job".getBytes(StandardCharsets.UTF_8), 1, false))
                .get(5, TimeUnit.SECONDS);
        assertThat(reached).isEqualTo(2);
        assertThat(broker.admin().deleteSession("deleted")).isEqualTo(SessionDeletion.DELETED);

        restart();

        assertThat(broker.admin().sessions(null, 0, 10).items()).extracting(SessionSummary::clientId).containsExactly("kept");
        assertThat(broker.admin().client("kept").orElseThrow().session().queued()).isEqualTo(1);
        try (AdminTestClient kept = AdminTestClient.connected(broker.port(), new Connect(MqttVersion.V3_1_1, "kept", false, 30))) {
            AdminTestClient.Received job = kept.expectPublish();
            assertThat(job.topic()).isEqualTo("jobs/1");
            assertThat(job.payload()).isEqualTo("job");
        }
    }
}
