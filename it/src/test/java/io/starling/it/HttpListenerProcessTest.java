package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/starling broker} with an {@code http:} block: the probes, {@code /metrics} behind a
 * bearer token, and the configuration reloaded both by {@code POST /api/v1/reload} and by SIGHUP,
 * which read the token file again.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HttpListenerProcessTest {
    private static final Pattern HTTP_LISTENING = Pattern.compile("HTTP listener on http://127\\.0\\.0\\.1:(\\d+)/ ");
    private static final String FIRST = "11111111111111111111111111111111";
    private static final String SECOND = "22222222222222222222222222222222";
    private static final String THIRD = "33333333333333333333333333333333";

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpResponse<String> call(int port, String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(15)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("the launcher serves probes openly, /metrics with a token only, and reloads the token file on POST /api/v1/reload and on SIGHUP")
    void probesMetricsAndReload() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "prometheus:" + FIRST + "\n", UTF_8);
        Path config = dir.resolve("broker.yaml");
        String yaml = """
                listeners:
                  - bind: 127.0.0.1
                    port: 0
                persistence: false
                http:
                  port: 0
                  token_file: tokens
                """;
        Files.writeString(config, yaml, UTF_8);
        try (BrokerProcess broker = BrokerProcess.start(config, dir.resolve("broker.log"))) {
            Matcher listening = HTTP_LISTENING.matcher(broker.log());
            assertThat(listening.find()).as("the HTTP listener's line in the log:%n%s", broker.logTail()).isTrue();
            int port = Integer.parseInt(listening.group(1));
            assertThat(broker.log()).contains("; credentials required");

            assertThat(call(port, "GET", "/health/live", null).statusCode()).isEqualTo(200);
            HttpResponse<String> ready = call(port, "GET", "/health/ready", null);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("{\"status\":\"READY\"}");
            assertThat(call(port, "GET", "/metrics", null).statusCode()).isEqualTo(401);

            MqttClient paho = new MqttClient(broker.tcpUri(), "http-process", new MemoryPersistence());
            paho.connect();
            HttpResponse<String> metrics = call(port, "GET", "/metrics", FIRST);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            assertThat(metrics.body()).contains("jvm_memory_used_bytes", "starling_");
            assertThat(call(port, "GET", "/api/v1/clients?client_id=http-process", FIRST).body()).contains("\"client_id\":\"http-process\"");
            paho.disconnect();
            paho.close();

            Files.writeString(tokens, "prometheus:" + SECOND + "\n", UTF_8);
            HttpResponse<String> reloaded = call(port, "POST", "/api/v1/reload", FIRST);
            assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
            assertThat(reloaded.body()).isEqualTo("{\"reloaded\":true,\"warnings\":[]}");
            assertThat(call(port, "GET", "/metrics", FIRST).statusCode()).isEqualTo(401);
            assertThat(call(port, "GET", "/metrics", SECOND).statusCode()).isEqualTo(200);

            Files.writeString(config, yaml + "max_queued_messages: -1\n", UTF_8);
            HttpResponse<String> broken = call(port, "POST", "/api/v1/reload", SECOND);
            assertThat(broken.statusCode()).isEqualTo(400);
            assertThat(broken.body()).isEqualTo("{\"error\":\"" + config + ":8: max_queued_messages: must be 0 or more, not -1\"}");
            assertThat(call(port, "GET", "/metrics", SECOND).statusCode()).isEqualTo(200);

            Files.writeString(config, yaml, UTF_8);
            Files.writeString(tokens, "prometheus:" + THIRD + "\n", UTF_8);
            broker.hangUp();
            await("SIGHUP read the token file again").atMost(Duration.ofSeconds(15))
                    .until(() -> call(port, "GET", "/metrics", THIRD).statusCode() == 200);
            assertThat(call(port, "GET", "/metrics", SECOND).statusCode()).isEqualTo(401);
            assertThat(broker.isAlive()).isTrue();
        }
    }

    @Test
    @DisplayName("started with SIGHUP ignored (nohup), the broker says SIGHUP will not reload, and POST /api/v1/reload still does")
    void sighupIgnoredUnderNohup() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "prometheus:" + FIRST + "\n", UTF_8);
        Path config = dir.resolve("broker.yaml");
        Files.writeString(config, """
                listeners:
                  - bind: 127.0.0.1
                    port: 0
                persistence: false
                http:
                  port: 0
                  token_file: tokens
                """, UTF_8);
        Path log = dir.resolve("nohup.log");
        Process process = new ProcessBuilder("nohup", ProjectRoot.LAUNCHER.toString(), "broker", "-c", config.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try {
            BrokerProcess.awaitListening(process, log, BrokerProcess.START);
            await().atMost(Duration.ofSeconds(15)).until(() -> Files.readString(log, UTF_8).contains("SIGHUP is ignored by this process"));
            Matcher listening = HTTP_LISTENING.matcher(Files.readString(log, UTF_8));
            assertThat(listening.find()).isTrue();
            int port = Integer.parseInt(listening.group(1));
            Files.writeString(tokens, "prometheus:" + SECOND + "\n", UTF_8);
            assertThat(call(port, "POST", "/api/v1/reload", FIRST).statusCode()).isEqualTo(200);
            assertThat(call(port, "GET", "/metrics", SECOND).statusCode()).isEqualTo(200);
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
