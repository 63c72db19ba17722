package io.starling.http.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.starling.broker.Broker;
import io.starling.broker.cluster.QuietTransport;
import io.starling.broker.cluster.ClusterStatus;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.http.ApiFixture;
import io.starling.http.HttpListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster in {@code /metrics} and {@code GET /api/v1/cluster}: a real broker and HTTP listener,
 * with a transport that reports a status the test sets (the routes are the broker's own).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterApiTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private @Nullable HttpListener http;
    private @Nullable Broker broker;
    private @Nullable MqttClient paho;

    @AfterEach
    void stop() throws Exception {
        if (paho != null) {
            paho.disconnectForcibly(0, 1000);
            paho.close();
        }
        if (http != null) {
            http.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A transport that forwards nowhere, confirms every route at once and reports {@link #status}. */
    private static final class Reporting extends QuietTransport {
        final List<String> forwardedTo = new CopyOnWriteArrayList<>();
        volatile ClusterStatus status;

        Reporting(ClusterStatus status) {
            this.status = status;
        }

        @Override
        public void forward(String node, Message message, List<String> shares) {
            forwardedTo.add(node);
        }

        @Override
        public ClusterStatus status() {
            return status;
        }
    }

    private HttpResponse<String> get(String path, boolean withToken) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path))
                .timeout(Duration.ofSeconds(10)).GET();
        if (withToken) {
            request.header("Authorization", "Bearer " + TOKEN);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> clusterLines() throws Exception {
        HttpResponse<String> metrics = get("/metrics", true);
        assertThat(metrics.statusCode()).isEqualTo(200);
        return metrics.body().lines().filter(line -> line.startsWith("starling_cluster_")).toList();
    }

    @Test
    @DisplayName("without a cluster: /api/v1/cluster says enabled false and /metrics has no cluster family but the forwarded counts")
    void noCluster() throws Exception {
        try (ApiFixture api = new ApiFixture()) {
            assertThat(api.get("/api/v1/cluster").toString()).isEqualTo("{\"enabled\":false}");
            HttpResponse<String> metrics = api.call("GET", "/metrics", null);
            assertThat(metrics.body().lines().filter(line -> line.startsWith("starling_cluster_")))
                    .containsExactlyInAnyOrder(
                            "starling_cluster_messages_forwarded_total{direction=\"in\"} 0.0",
                            "starling_cluster_messages_forwarded_total{direction=\"out\"} 0.0");
        }
    }

    @Test
    @DisplayName("a cluster attached after the HTTP listener: its members, routes per node, queues and traffic in /metrics and /api/v1/cluster, behind the credentials")
    void clusterAttached() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "grafana:" + TOKEN + "\n");
        http = HttpListener.start(BrokerConfig.Http.onLoopback().withCredentials(null, tokens, null));
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
        http.attach(broker, null);
        assertThat(clusterLines()).noneMatch(line -> line.startsWith("starling_cluster_members"));

        // attached as the CLI does, after the HTTP listener
        Reporting transport = new Reporting(new ClusterStatus("prod", "a", List.of("b", "a", "c"), Map.of(),
                Map.of("b", 7L, "c", 0L), 2, new ClusterStatus.Traffic(11, 12, 3, 4, 1500, 1600, 5, 6, 1)));
        broker.cluster().attach(transport);
        broker.cluster().routesAdded("b", List.of("x/#", "y", "$share/g/z"));
        paho = new MqttClient("tcp://127.0.0.1:" + broker.port(), "local", new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        paho.connect(options);
        paho.subscribe(new String[] {"local/1", "local/2"}, new int[] {1, 1});
        paho.publish("x/1", "to b".getBytes(UTF_8), 1, false);
        await().atMost(Duration.ofSeconds(5)).until(() -> transport.forwardedTo.equals(List.of("b")));

        assertThat(get("/api/v1/cluster", false).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", false).statusCode()).isEqualTo(401);
        assertThat(clusterLines()).containsExactlyInAnyOrder(
                "starling_cluster_members 3.0",
                "starling_cluster_routes{node=\"a\"} 2.0",
                "starling_cluster_routes{node=\"b\"} 3.0",
                "starling_cluster_forward_queue{node=\"b\"} 7.0",
                "starling_cluster_forward_queue{node=\"c\"} 0.0",
                "starling_cluster_replication_queue 2.0",
                "starling_cluster_batches_total{direction=\"out\"} 3.0",
                "starling_cluster_batches_total{direction=\"in\"} 4.0",
                "starling_cluster_bytes_total{direction=\"out\"} 1500.0",
                "starling_cluster_bytes_total{direction=\"in\"} 1600.0",
                "starling_cluster_retained_replicated_total{direction=\"out\"} 5.0",
                "starling_cluster_retained_replicated_total{direction=\"in\"} 6.0",
                "starling_cluster_forward_drops_total 1.0",
                "starling_cluster_messages_forwarded_total{direction=\"out\"} 1.0",
                "starling_cluster_messages_forwarded_total{direction=\"in\"} 0.0");

        HttpResponse<String> answer = get("/api/v1/cluster", true);
        assertThat(answer.statusCode()).isEqualTo(200);
        JsonNode json = ApiFixture.json(answer.body());
        assertThat(json.get("enabled").asBoolean()).isTrue();
        assertThat(json.get("cluster").asText()).isEqualTo("prod");
        assertThat(json.get("node").asText()).isEqualTo("a");
        assertThat(json.get("coordinator").asText()).isEqualTo("b");
        assertThat(json.get("members").toString()).isEqualTo("["
                + "{\"node\":\"b\",\"self\":false,\"coordinator\":true,\"routes\":3,\"forward_queue\":7},"
                + "{\"node\":\"a\",\"self\":true,\"coordinator\":false,\"routes\":2,\"forward_queue\":null},"
                + "{\"node\":\"c\",\"self\":false,\"coordinator\":false,\"routes\":0,\"forward_queue\":0}]");
        assertThat(json.get("replication_queue").asLong()).isEqualTo(2);
        assertThat(json.get("messages").toString()).isEqualTo("{\"out\":11,\"in\":12,\"dropped\":1}");
        assertThat(json.get("batches").toString()).isEqualTo("{\"out\":3,\"in\":4}");
        assertThat(json.get("bytes").toString()).isEqualTo("{\"out\":1500,\"in\":1600}");
        assertThat(json.get("retained_replicated").toString()).isEqualTo("{\"out\":5,\"in\":6}");

        // c leaves and b's routes go: their series leave /metrics; the counters follow the transport
        transport.status = new ClusterStatus("prod", "a", List.of("b", "a"), Map.of(), Map.of("b", 0L), 0,
                new ClusterStatus.Traffic(11, 12, 3, 9, 1500, 2600, 5, 6, 1));
        broker.cluster().nodeGone("b");
        List<String> after = clusterLines();
        assertThat(after).contains("starling_cluster_members 2.0", "starling_cluster_routes{node=\"a\"} 2.0",
                "starling_cluster_forward_queue{node=\"b\"} 0.0", "starling_cluster_batches_total{direction=\"in\"} 9.0",
                "starling_cluster_bytes_total{direction=\"in\"} 2600.0");
        assertThat(after).noneMatch(line -> line.startsWith("starling_cluster_routes{node=\"b\"}")
                || line.startsWith("starling_cluster_forward_queue{node=\"c\"}"));
        assertThat(ApiFixture.json(get("/api/v1/cluster", true).body()).get("members").get(0).get("routes").asInt()).isZero();
    }
}
