package io.starling.http.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.http.ApiFixture;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every call of docs/admin-api.md against a real broker, with Paho clients and {@code java.net.http}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminApiTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private ApiFixture api;
    private final List<MqttAsyncClient> paho5 = new ArrayList<>();

    @AfterEach
    void stop() throws MqttException {
        for (MqttAsyncClient client : paho5) {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1000, false);
            }
            client.close(true);
        }
        if (api != null) {
            api.close();
        }
    }

    /** A connected Paho 5.0 client; its DISCONNECTs from the server go to {@code disconnects}. */
    private MqttAsyncClient paho5(String clientId, List<MqttDisconnectResponse> disconnects) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + api.broker.port(), clientId, new MemoryPersistence());
        paho5.add(client);
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnects.add(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {}

            @Override
            public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage message) {}

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setAutomaticReconnect(false);
        client.connect(options).waitForCompletion(10_000);
        return client;
    }

    private static List<String> field(JsonNode items, String name) {
        List<String> values = new ArrayList<>();
        items.forEach(item -> values.add(item.get(name).asText()));
        return values;
    }

    @Test
    @DisplayName("GET /api/v1/clients lists connected clients with their client_id, user, address and protocol; filters and pages")
    void clientsListed() throws Exception {
        api = new ApiFixture();
        api.paho("alpha", true, "ann", null);
        paho5("beta", new ArrayList<>());
        JsonNode all = api.get("/api/v1/clients");
        assertThat(all.get("total").asInt()).isEqualTo(2);
        assertThat(all.get("offset").asInt()).isZero();
        assertThat(all.get("limit").asInt()).isEqualTo(100);
        JsonNode alpha = all.get("items").get(0);
        assertThat(alpha.get("client_id").asText()).isEqualTo("alpha");
        assertThat(alpha.get("username").asText()).isEqualTo("ann");
        assertThat(alpha.get("protocol").asText()).isEqualTo("3.1.1");
        assertThat(alpha.get("address").asText()).startsWith("127.0.0.1:");
        assertThat(alpha.get("connected_at").asLong()).isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
        JsonNode beta = all.get("items").get(1);
        assertThat(beta.get("client_id").asText()).isEqualTo("beta");
        assertThat(beta.get("username").isNull()).isTrue();
        assertThat(beta.get("protocol").asText()).isEqualTo("5.0");

        assertThat(field(api.get("/api/v1/clients?client_id=lph").get("items"), "client_id")).containsExactly("alpha");
        assertThat(field(api.get("/api/v1/clients?user=ann").get("items"), "client_id")).containsExactly("alpha");
        assertThat(field(api.get("/api/v1/clients?address=127.0.0.1").get("items"), "client_id")).containsExactly("alpha", "beta");
        assertThat(api.get("/api/v1/clients?client_id=zzz").get("total").asInt()).isZero();
        JsonNode second = api.get("/api/v1/clients?offset=1&limit=1");
        assertThat(field(second.get("items"), "client_id")).containsExactly("beta");
        assertThat(second.get("total").asInt()).isEqualTo(2);
    }

    @Test
    @DisplayName("GET /api/v1/clients/{id} gives the connection, session and subscriptions; 404 for an unknown client")
    void clientDetails() throws Exception {
        api = new ApiFixture();
        MqttClient alpha = api.paho("a/lpha", false, null, null);
        alpha.subscribe("sensors/#", 1);
        alpha.subscribe("$share/g/jobs", 2);
        JsonNode details = api.get("/api/v1/clients/a%2Flpha");
        assertThat(details.get("client_id").asText()).isEqualTo("a/lpha");
        assertThat(details.get("connected").asBoolean()).isTrue();
        assertThat(details.get("connection").get("protocol").asText()).isEqualTo("3.1.1");
        assertThat(details.get("keep_alive_seconds").asInt()).isEqualTo(60);
        assertThat(details.get("session").get("persistent").asBoolean()).isTrue();
        assertThat(details.get("session").get("online").asBoolean()).isTrue();
        assertThat(details.get("session").get("subscriptions").asInt()).isEqualTo(2);
        assertThat(field(details.get("subscriptions"), "filter")).containsExactly("$share/g/jobs", "sensors/#");
        JsonNode shared = details.get("subscriptions").get(0);
        assertThat(shared.get("qos").asInt()).isEqualTo(2);
        assertThat(shared.get("share_group").asText()).isEqualTo("g");
        assertThat(details.get("subscriptions").get(1).get("share_group").isNull()).isTrue();

        HttpResponse<String> unknown = api.call("GET", "/api/v1/clients/nobody", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).isEqualTo("{\"error\":\"no connected client and no session with this client id\"}");
    }

    @Test
    @DisplayName("POST /api/v1/clients/{id}/disconnect sends a 5.0 client DISCONNECT 0x98 and closes it; 404 once gone")
    void disconnect() throws Exception {
        api = new ApiFixture();
        List<MqttDisconnectResponse> disconnects = Collections.synchronizedList(new ArrayList<>());
        MqttAsyncClient beta = paho5("beta", disconnects);
        HttpResponse<String> kicked = api.call("POST", "/api/v1/clients/beta/disconnect", null);
        assertThat(kicked.statusCode()).isEqualTo(200);
        assertThat(kicked.body()).isEqualTo("{\"disconnected\":true}");
        await().atMost(WAIT).until(() -> !disconnects.isEmpty());
        assertThat(disconnects.get(0).getReturnCode()).isEqualTo(0x98);
        await().atMost(WAIT).until(() -> !beta.isConnected());
        await().atMost(WAIT).until(() -> api.get("/api/v1/clients").get("total").asInt() == 0);
        assertThat(api.call("POST", "/api/v1/clients/beta/disconnect", null).statusCode()).isEqualTo(404);
        // counted under its own reason in /metrics
        assertThat(api.call("GET", "/metrics", null).body()).contains("starling_connections_closed_total{reason=\"administrative\"} 1.0");
    }

    @Test
    @DisplayName("GET /api/v1/sessions lists offline sessions with their queue; DELETE removes an offline one, 409 for a connected one")
    void sessions() throws Exception {
        api = new ApiFixture();
        MqttClient gamma = api.paho("gamma", false, null, null);
        gamma.subscribe("q/#", 1);
        gamma.disconnect();
        MqttClient online = api.paho("online", true, null, null);
        MqttClient publisher = api.paho("publisher", true, null, null);
        publisher.publish("q/1", "one".getBytes(UTF_8), 1, false);
        publisher.publish("q/2", "two".getBytes(UTF_8), 1, false);

        await().atMost(WAIT).until(() -> api.get("/api/v1/sessions?client_id=gamma").get("items").get(0).get("queued").asInt() == 2);
        JsonNode sessions = api.get("/api/v1/sessions");
        assertThat(field(sessions.get("items"), "client_id")).containsExactly("gamma", "online", "publisher");
        JsonNode offline = sessions.get("items").get(0);
        assertThat(offline.get("online").asBoolean()).isFalse();
        assertThat(offline.get("persistent").asBoolean()).isTrue();
        assertThat(offline.get("subscriptions").asInt()).isEqualTo(1);
        assertThat(offline.get("queued").asInt()).isEqualTo(2);
        assertThat(offline.get("queued_bytes").asLong()).isPositive();
        assertThat(offline.get("inflight").asInt()).isZero();
        assertThat(sessions.get("items").get(1).get("online").asBoolean()).isTrue();

        HttpResponse<String> connected = api.call("DELETE", "/api/v1/sessions/online", null);
        assertThat(connected.statusCode()).isEqualTo(409);
        assertThat(connected.body()).isEqualTo("{\"error\":\"the client is connected: disconnect it first\"}");
        assertThat(online.isConnected()).isTrue();
        HttpResponse<String> deleted = api.call("DELETE", "/api/v1/sessions/gamma", null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.body()).isEmpty();
        assertThat(api.call("DELETE", "/api/v1/sessions/gamma", null).statusCode()).isEqualTo(404);
        assertThat(field(api.get("/api/v1/sessions").get("items"), "client_id")).containsExactly("online", "publisher");
        // the session is gone: gamma comes back to nothing
        List<MqttMessage> inbox = ApiFixture.inbox();
        MqttClient back = api.paho("gamma", false, null, inbox);
        publisher.publish("q/3", "three".getBytes(UTF_8), 1, false);
        assertThat(back.isConnected()).isTrue();
        assertThat(inbox).isEmpty();
    }

    @Test
    @DisplayName("GET /api/v1/subscriptions lists by client and by filter part")
    void subscriptions() throws Exception {
        api = new ApiFixture();
        api.paho("one", true, null, null).subscribe(new String[] {"a/b", "c/#"}, new int[] {0, 1});
        api.paho("two", true, null, null).subscribe("a/+", 2);
        JsonNode all = api.get("/api/v1/subscriptions");
        assertThat(all.get("total").asInt()).isEqualTo(3);
        assertThat(field(all.get("items"), "filter")).containsExactly("a/b", "c/#", "a/+");
        assertThat(field(all.get("items"), "client_id")).containsExactly("one", "one", "two");
        JsonNode first = all.get("items").get(0);
        assertThat(first.get("qos").asInt()).isZero();
        assertThat(first.get("no_local").asBoolean()).isFalse();
        assertThat(first.get("retain_as_published").asBoolean()).isFalse();
        assertThat(first.get("retain_handling").asInt()).isZero();
        assertThat(field(api.get("/api/v1/subscriptions?client_id=two").get("items"), "filter")).containsExactly("a/+");
        assertThat(field(api.get("/api/v1/subscriptions?filter=a/").get("items"), "client_id")).containsExactly("one", "two");
    }

    @Test
    @DisplayName("retained messages: browsed by filter, read as text or base64, deleted (a new subscriber then gets none)")
    void retained() throws Exception {
        api = new ApiFixture();
        MqttClient publisher = api.paho("publisher", true, null, null);
        publisher.publish("r/a", "alpha".getBytes(UTF_8), 1, true);
        publisher.publish("r/bin", new byte[] {(byte) 0xff, 0x00, 0x41}, 0, true);
        publisher.publish("other", "x".getBytes(UTF_8), 0, true);
        await().atMost(WAIT).until(() -> api.get("/api/v1/retained").get("total").asInt() == 3);

        JsonNode browsed = api.get("/api/v1/retained?filter=r%2F%23");
        assertThat(field(browsed.get("items"), "topic")).containsExactly("r/a", "r/bin");
        assertThat(browsed.get("items").get(0).get("qos").asInt()).isEqualTo(1);
        assertThat(browsed.get("items").get(0).get("payload_bytes").asInt()).isEqualTo(5);
        assertThat(browsed.get("items").get(0).get("publisher_id").asText()).isEqualTo("publisher");

        JsonNode text = api.get("/api/v1/retained/r%2Fa");
        assertThat(text.get("topic").asText()).isEqualTo("r/a");
        assertThat(text.get("payload").asText()).isEqualTo("alpha");
        assertThat(text.get("payload_base64").asText()).isEqualTo("YWxwaGE=");
        JsonNode binary = api.get("/api/v1/retained/r%2Fbin");
        assertThat(binary.get("payload").isNull()).isTrue();
        assertThat(binary.get("payload_base64").asText()).isEqualTo("/wBB");

        HttpResponse<String> deleted = api.call("DELETE", "/api/v1/retained/r%2Fa", null);
        assertThat(deleted.statusCode()).isEqualTo(204);
        HttpResponse<String> gone = api.call("GET", "/api/v1/retained/r%2Fa", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.body()).isEqualTo("{\"error\":\"no retained message on this topic\"}");
        assertThat(api.call("DELETE", "/api/v1/retained/r%2Fa", null).statusCode()).isEqualTo(404);
        List<MqttMessage> inbox = ApiFixture.inbox();
        api.paho("late", true, null, inbox).subscribe("r/#", 1);
        await().atMost(WAIT).until(() -> inbox.size() == 1);
        assertThat(inbox.get(0).getPayload()).containsExactly(0xff, 0x00, 0x41);
    }

    @Test
    @DisplayName("POST /api/v1/publish reaches subscribers at the QoS asked, retained if asked; bad topics, QoS and bodies are 400")
    void publish() throws Exception {
        api = new ApiFixture();
        List<MqttMessage> inbox = ApiFixture.inbox();
        api.paho("reader", true, null, inbox).subscribe("p/#", 2);
        HttpResponse<String> published = api.call("POST", "/api/v1/publish", "{\"topic\":\"p/x\",\"payload\":\"hello\",\"qos\":1,\"retain\":true}");
        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.body()).isEqualTo("{\"subscribers\":1}");
        await().atMost(WAIT).until(() -> inbox.size() == 1);
        assertThat(ApiFixture.text(inbox.get(0))).isEqualTo("hello");
        assertThat(inbox.get(0).getQos()).isEqualTo(1);
        assertThat(api.get("/api/v1/retained/p%2Fx").get("payload").asText()).isEqualTo("hello");

        assertThat(api.call("POST", "/api/v1/publish", "{\"topic\":\"p/b\",\"payload_base64\":\"AAE=\"}").body())
                .isEqualTo("{\"subscribers\":1}");
        await().atMost(WAIT).until(() -> inbox.size() == 2);
        assertThat(inbox.get(1).getPayload()).containsExactly(0, 1);
        assertThat(inbox.get(1).getQos()).isZero();

        assertThat(api.call("POST", "/api/v1/publish", "{\"topic\":\"p/#\",\"payload\":\"x\"}").statusCode()).isEqualTo(400);
        assertThat(api.call("POST", "/api/v1/publish", "{\"topic\":\"\",\"payload\":\"x\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> badQos = api.call("POST", "/api/v1/publish", "{\"topic\":\"p/x\",\"qos\":3}");
        assertThat(badQos.statusCode()).isEqualTo(400);
        assertThat(badQos.body()).isEqualTo("{\"error\":\"QoS must be 0, 1 or 2, not 3\"}");
        assertThat(api.call("POST", "/api/v1/publish", "{\"payload\":\"x\"}").body()).isEqualTo("{\"error\":\"topic is needed\"}");
        assertThat(api.call("POST", "/api/v1/publish", "not json").statusCode()).isEqualTo(400);
        assertThat(api.call("POST", "/api/v1/publish", "{\"topic\":\"p/x\",\"retain\":\"yes\"}").body())
                .isEqualTo("{\"error\":\"retain must be true or false\"}");
        assertThat(inbox).hasSize(2);
    }

    @Test
    @DisplayName("POST /api/v1/reload runs the reload and gives its warnings; a broken file is a 400 with its message")
    void reload() throws Exception {
        AtomicInteger reloads = new AtomicInteger();
        List<Boolean> broken = new ArrayList<>(List.of(false));
        api = new ApiFixture(BrokerConfig.defaults().inMemory().onLoopback(), () -> {
            reloads.incrementAndGet();
            if (broken.get(0)) {
                throw new ConfigException("starling.yaml", 3, "max_queued_messages", "must be 0 or more, not -1");
            }
            return List.of("passwd: clear-text password for ann (line 1)");
        });
        HttpResponse<String> done = api.call("POST", "/api/v1/reload", null);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(done.body()).isEqualTo("{\"reloaded\":true,\"warnings\":[\"passwd: clear-text password for ann (line 1)\"]}");
        broken.set(0, true);
        HttpResponse<String> refused = api.call("POST", "/api/v1/reload", null);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).isEqualTo("{\"error\":\"starling.yaml:3: max_queued_messages: must be 0 or more, not -1\"}");
        assertThat(reloads.get()).isEqualTo(2);
    }

    @Test
    @DisplayName("POST /api/v1/reload on a broker without a configuration file is 503")
    void reloadWithoutFile() throws Exception {
        api = new ApiFixture();
        HttpResponse<String> response = api.call("POST", "/api/v1/reload", null);
        assertThat(response.statusCode()).isEqualTo(503);
    }

    @Test
    @DisplayName("GET /api/v1/stream sends each message on a matching topic as a Server-Sent Event, and none on others")
    void stream() throws Exception {
        api = new ApiFixture();
        CompletableFuture<HttpResponse<Stream<String>>> opened = api.httpClient().sendAsync(
                HttpRequest.newBuilder(api.uri("/api/v1/stream?filter=live%2F%2B")).build(), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> response = opened.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream; charset=utf-8");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> response.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        MqttClient publisher = api.paho("streamer", true, null, null);
        // the watch is in place once the response head came
        publisher.publish("elsewhere", "no".getBytes(UTF_8), 0, false);
        publisher.publish("live/one", "yes".getBytes(UTF_8), 1, false);
        await().atMost(WAIT).until(() -> lines.stream().anyMatch(line -> line.startsWith("data: ")));
        List<String> data = lines.stream().filter(line -> line.startsWith("data: ")).toList();
        assertThat(data).hasSize(1);
        JsonNode event = ApiFixture.json(data.get(0).substring("data: ".length()));
        assertThat(event.get("topic").asText()).isEqualTo("live/one");
        assertThat(event.get("payload").asText()).isEqualTo("yes");
        assertThat(event.get("qos").asInt()).isEqualTo(1);
        assertThat(event.get("publisher_id").asText()).isEqualTo("streamer");
        assertThat(lines).contains("event: message");
        assertThat(api.call("GET", "/api/v1/stream", null).statusCode()).isEqualTo(400);
        assertThat(api.call("GET", "/api/v1/stream?filter=a%2F%23%2Fb", null).statusCode()).isEqualTo(400);
    }

    @Test
    @DisplayName("GET /api/v1/overview counts connections, sessions, subscriptions, shared groups, retained messages and messages")
    void overview() throws Exception {
        api = new ApiFixture();
        MqttClient one = api.paho("one", false, null, null);
        one.subscribe(new String[] {"a/#", "$share/g/b"}, new int[] {1, 1});
        api.paho("two", true, null, null).subscribe("$share/g/b", 0);
        MqttClient gone = api.paho("gone", false, null, null);
        gone.subscribe("c", 1);
        gone.disconnect();
        one.publish("a/r", "kept".getBytes(UTF_8), 1, true);
        await().atMost(WAIT).until(() -> api.get("/api/v1/overview").get("retained_messages").asInt() == 1);
        JsonNode overview = api.get("/api/v1/overview");
        assertThat(overview.get("connections").asInt()).isEqualTo(2);
        assertThat(overview.get("sessions_online").asInt()).isEqualTo(2);
        assertThat(overview.get("sessions_offline").asInt()).isEqualTo(1);
        assertThat(overview.get("subscriptions").asInt()).isEqualTo(4);
        assertThat(overview.get("shared_groups").asInt()).isEqualTo(1);
        assertThat(overview.get("retained_bytes").asLong()).isPositive();
        assertThat(overview.get("messages_received").asLong()).isEqualTo(1);
        assertThat(overview.get("messages_sent").asLong()).isEqualTo(1);
        assertThat(overview.get("dropped").get("queue_full").asLong()).isZero();
        assertThat(overview.get("uptime_seconds").asLong()).isNotNegative();
        // in memory: nothing is committed to a store
        assertThat(overview.get("store_commits").asLong()).isZero();
        assertThat(overview.get("store_commit_seconds_total").asDouble()).isZero();
    }
}
