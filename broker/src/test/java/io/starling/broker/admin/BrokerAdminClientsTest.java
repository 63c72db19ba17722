package io.starling.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.admin.BrokerAdmin.ClientDetails;
import io.starling.broker.admin.BrokerAdmin.ClientQuery;
import io.starling.broker.admin.BrokerAdmin.ClientSummary;
import io.starling.broker.admin.BrokerAdmin.Page;
import io.starling.broker.admin.BrokerAdmin.SessionDeletion;
import io.starling.broker.admin.BrokerAdmin.SessionSummary;
import io.starling.broker.admin.BrokerAdmin.SubscriptionInfo;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link BrokerAdmin} on clients and sessions, against a real broker and real clients. */
class BrokerAdminClientsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long NEVER = 0xFFFF_FFFFL;

    private Broker broker;
    private BrokerAdmin admin;

    @BeforeEach
    void start() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
        admin = broker.admin();
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private AdminTestClient connect(MqttVersion version, String clientId, boolean cleanStart, String username) {
        return AdminTestClient.connected(broker.port(), new Connect(version, clientId, cleanStart, 30, username, null, null,
                Properties.EMPTY));
    }

    /** A 5.0 client whose session outlives the connection by {@code expiry} s, with a will on will/{clientId} after {@code willDelay} s. */
    private AdminTestClient connect5WithWill(String clientId, long expiry, long willDelay) {
        Will will = new Will("will/" + clientId, Bytes.of(("gone " + clientId).getBytes(StandardCharsets.UTF_8)), QoS.AT_LEAST_ONCE,
                false, Properties.of(Property.of(PropertyId.WILL_DELAY_INTERVAL, willDelay)));
        return AdminTestClient.connected(broker.port(), new Connect(MqttVersion.V5, clientId, true, 45, null, null, will,
                Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, expiry))));
    }

    private void awaitOffline(String clientId) {
        await().atMost(WAIT).until(() -> admin.sessions(clientId, 0, 10).items().stream()
                .anyMatch(s -> s.clientId().equals(clientId) && !s.online()));
    }

    @Test
    @DisplayName("clients() lists connected clients with their identifier, user name, address, protocol and connection time")
    void clientsWithExactFields() throws IOException {
        long before = System.currentTimeMillis();
        try (AdminTestClient alpha = connect(MqttVersion.V3_1_1, "alpha", true, "ann");
                AdminTestClient beta = connect(MqttVersion.V5, "beta", true, null);
                AdminTestClient gamma = connect(MqttVersion.V3_1, "gamma", true, null);
                Socket silent = new Socket()) {
            // a connection that has not sent CONNECT is not a client yet
            silent.connect(new InetSocketAddress("127.0.0.1", broker.port()));
            long after = System.currentTimeMillis();

            Page<ClientSummary> page = admin.clients(ClientQuery.ALL, 0, 100);

            assertThat(page.total()).isEqualTo(3);
            assertThat(page.offset()).isZero();
            assertThat(page.limit()).isEqualTo(100);
            assertThat(page.items()).extracting(ClientSummary::clientId).containsExactly("alpha", "beta", "gamma");
            assertThat(page.items()).allSatisfy(c -> assertThat(c.connectedAtMillis()).isBetween(before, after));
            assertThat(page.items()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("connectedAtMillis").containsExactly(
                    new ClientSummary("alpha", "ann", "127.0.0.1:" + alpha.localPort(), "3.1.1", 0),
                    new ClientSummary("beta", null, "127.0.0.1:" + beta.localPort(), "5.0", 0),
                    new ClientSummary("gamma", null, "127.0.0.1:" + gamma.localPort(), "3.1", 0));
        }
    }

    @Test
    @DisplayName("clients() filters by parts of the identifier, user name and address, and pages in client identifier order")
    void clientFiltersAndPaging() {
        List<AdminTestClient> connected = List.of(
                connect(MqttVersion.V3_1_1, "sensor-3", true, "plant"),
                connect(MqttVersion.V3_1_1, "sensor-1", true, "plant"),
                connect(MqttVersion.V5, "sensor-2", true, "office"),
                connect(MqttVersion.V5, "pump-1", true, "plant"),
                connect(MqttVersion.V3_1_1, "sensor-4", true, null));
        try {
            Page<ClientSummary> sensors = admin.clients(new ClientQuery("sensor", null, null), 1, 2);
            assertThat(sensors.items()).extracting(ClientSummary::clientId).containsExactly("sensor-2", "sensor-3");
            assertThat(sensors.total()).isEqualTo(4);
            assertThat(sensors.offset()).isEqualTo(1);
            assertThat(sensors.limit()).isEqualTo(2);

            assertThat(admin.clients(new ClientQuery(null, "lan", null), 0, 100).items()).extracting(ClientSummary::clientId)
                    .containsExactly("pump-1", "sensor-1", "sensor-3");
            assertThat(admin.clients(new ClientQuery("sensor", "plant", null), 0, 100).items()).extracting(ClientSummary::clientId)
                    .containsExactly("sensor-1", "sensor-3");
            String address = "127.0.0.1:" + connected.get(2).localPort();
            assertThat(admin.clients(new ClientQuery(null, null, address), 0, 100).items()).extracting(ClientSummary::clientId)
                    .containsExactly("sensor-2");
            Page<ClientSummary> beyond = admin.clients(ClientQuery.ALL, 10, 5);
            assertThat(beyond.items()).isEmpty();
            assertThat(beyond.total()).isEqualTo(5);
        } finally {
            connected.forEach(AdminTestClient::close);
        }
    }

    @Test
    @DisplayName("an offline persistent session shows its subscriptions, queued QoS 1 messages and expiry; a connected one its in-flight messages")
    void sessionDetails() {
        try (AdminTestClient keeper = connect(MqttVersion.V3_1_1, "keeper", false, null)) {
            keeper.subscribe(1, "q/#", QoS.AT_LEAST_ONCE);
            keeper.subscribe(2, "$share/g/s/+", QoS.AT_MOST_ONCE);
            keeper.disconnect();
        }
        awaitOffline("keeper");
        try (AdminTestClient publisher = connect(MqttVersion.V3_1_1, "publisher", true, null);
                AdminTestClient slow = connect5WithWill("slow", 0, 0)) {
            slow.subscribe(1, "q/#", QoS.AT_LEAST_ONCE);
            publisher.publish("q/1", QoS.AT_LEAST_ONCE, false, 1, "one");
            publisher.publish("q/2", QoS.AT_LEAST_ONCE, false, 2, "two!");
            publisher.publish("q/3", QoS.AT_LEAST_ONCE, false, 3, "three");
            // the slow client receives and never acknowledges: three in flight to it
            assertThat(List.of(slow.expectPublish(), slow.expectPublish(), slow.expectPublish()))
                    .extracting(AdminTestClient.Received::payload).containsExactly("one", "two!", "three");

            await().atMost(WAIT).until(() -> admin.client("keeper").orElseThrow().session().queued() == 3);
            ClientDetails keeper = admin.client("keeper").orElseThrow();
            assertThat(keeper.clientId()).isEqualTo("keeper");
            assertThat(keeper.connection()).isNull();
            assertThat(keeper.keepAliveSeconds()).isZero();
            // a 3.1.1 persistent session under the default session_expiry: never expires
            assertThat(keeper.session()).isEqualTo(new SessionSummary("keeper", false, true, NEVER, 2, 3, 12, 0));
            assertThat(keeper.subscriptions()).containsExactly(
                    new SubscriptionInfo("keeper", "$share/g/s/+", 0, false, false, 0, "g"),
                    new SubscriptionInfo("keeper", "q/#", 1, false, false, 0, null));

            ClientDetails slowDetails = admin.client("slow").orElseThrow();
            assertThat(slowDetails.connection()).isNotNull();
            assertThat(slowDetails.connection().protocol()).isEqualTo("5.0");
            assertThat(slowDetails.keepAliveSeconds()).isEqualTo(45);
            assertThat(slowDetails.session()).isEqualTo(new SessionSummary("slow", true, false, 0, 1, 0, 0, 3));

            Page<SessionSummary> sessions = admin.sessions(null, 0, 100);
            assertThat(sessions.items()).extracting(SessionSummary::clientId).containsExactly("keeper", "publisher", "slow");
            assertThat(admin.sessions("ee", 0, 100).items()).extracting(SessionSummary::clientId).containsExactly("keeper");
            assertThat(admin.sessions(null, 1, 1).items()).extracting(SessionSummary::clientId).containsExactly("publisher");
            assertThat(admin.sessions(null, 1, 1).total()).isEqualTo(3);

            assertThat(admin.subscriptions(null, null, 0, 100).items()).containsExactly(
                    new SubscriptionInfo("keeper", "$share/g/s/+", 0, false, false, 0, "g"),
                    new SubscriptionInfo("keeper", "q/#", 1, false, false, 0, null),
                    new SubscriptionInfo("slow", "q/#", 1, false, false, 0, null));
            assertThat(admin.subscriptions(null, "q/", 1, 100).items()).containsExactly(
                    new SubscriptionInfo("slow", "q/#", 1, false, false, 0, null));
            assertThat(admin.subscriptions(null, "q/", 1, 100).total()).isEqualTo(2);
            assertThat(admin.subscriptions("slow", null, 0, 100).items()).extracting(SubscriptionInfo::filter).containsExactly("q/#");
            assertThat(admin.subscriptions("nobody", null, 0, 100).total()).isZero();
            assertThat(admin.client("nobody")).isEmpty();
        }
    }

    @Test
    @DisplayName("disconnect() sends a 5.0 client DISCONNECT 0x98, publishes its will and keeps its persistent session")
    void disconnectFiveClient() {
        try (AdminTestClient watcher = connect(MqttVersion.V3_1_1, "watcher", true, null);
                AdminTestClient victim = connect5WithWill("victim", 300, 0)) {
            watcher.subscribe(1, "will/#", QoS.AT_LEAST_ONCE);
            victim.subscribe(1, "news/#", QoS.AT_LEAST_ONCE);

            assertThat(admin.disconnect("victim")).isTrue();

            Disconnect disconnect = victim.expect(Disconnect.class);
            assertThat(disconnect.reasonCode()).isEqualTo(ReasonCode.ADMINISTRATIVE_ACTION);
            victim.expectClosed();
            AdminTestClient.Received will = watcher.expectPublish();
            assertThat(will.topic()).isEqualTo("will/victim");
            assertThat(will.payload()).isEqualTo("gone victim");
            awaitOffline("victim");
            ClientDetails details = admin.client("victim").orElseThrow();
            assertThat(details.connection()).isNull();
            assertThat(details.session()).isEqualTo(new SessionSummary("victim", false, true, 300, 1, 0, 0, 0));
            assertThat(admin.clients(ClientQuery.ALL, 0, 100).items()).extracting(ClientSummary::clientId).containsExactly("watcher");
        }
        assertThat(admin.disconnect("nobody")).isFalse();
    }

    @Test
    @DisplayName("disconnect() closes a 3.1.1 client's connection, which has no DISCONNECT to receive")
    void disconnectThreeClient() {
        try (AdminTestClient client = connect(MqttVersion.V3_1_1, "old", true, null)) {
            assertThat(admin.disconnect("old")).isTrue();
            client.expectClosed();
            await().atMost(WAIT).until(() -> admin.clients(ClientQuery.ALL, 0, 100).total() == 0);
            // a clean session ends with its connection
            await().atMost(WAIT).until(() -> admin.client("old").isEmpty());
        }
    }

    @Test
    @DisplayName("deleteSession() removes an offline session and publishes its pending will; refuses a connected one")
    void deleteSession() {
        assertThat(admin.deleteSession("nobody")).isEqualTo(SessionDeletion.NOT_FOUND);
        try (AdminTestClient watcher = connect(MqttVersion.V3_1_1, "watcher", true, null)) {
            watcher.subscribe(1, "will/#", QoS.AT_LEAST_ONCE);
            assertThat(admin.deleteSession("watcher")).isEqualTo(SessionDeletion.CONNECTED);

            try (AdminTestClient leaving = connect5WithWill("leaving", 300, 100)) {
                leaving.subscribe(1, "jobs/#", QoS.AT_LEAST_ONCE);
            }
            awaitOffline("leaving");
            // the will waits for its delay of 100 s
            watcher.expectNothing(Duration.ofMillis(200));
            assertThat(admin.overview().subscriptions()).isEqualTo(2);

            assertThat(admin.deleteSession("leaving")).isEqualTo(SessionDeletion.DELETED);

            AdminTestClient.Received will = watcher.expectPublish();
            assertThat(will.topic()).isEqualTo("will/leaving");
            assertThat(will.payload()).isEqualTo("gone leaving");
            assertThat(admin.client("leaving")).isEmpty();
            assertThat(admin.sessions(null, 0, 100).items()).extracting(SessionSummary::clientId).containsExactly("watcher");
            assertThat(admin.overview().subscriptions()).isEqualTo(1);
            assertThat(admin.deleteSession("leaving")).isEqualTo(SessionDeletion.NOT_FOUND);
        }
        // a client coming back finds no session
        try (AdminTestClient back = AdminTestClient.connected(broker.port(), new Connect(MqttVersion.V5, "leaving", false, 30, null,
                null, null, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 300L))))) {
            assertThat(admin.client("leaving").orElseThrow().subscriptions()).isEmpty();
        }
    }
}
