package io.starling.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.Broker;
import io.starling.broker.auth.PasswordHash;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP listener itself: probes, credentials, origins, errors and TLS, against a real broker. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpListenerTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private HttpListener http;
    private Broker broker;

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).GET(), headers);
    }

    private HttpResponse<String> send(HttpRequest.Builder request, String... headers) throws IOException, InterruptedException {
        if (headers.length > 0) {
            request.headers(headers);
        }
        return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.port() + path);
    }

    private void startBroker() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
    }

    @Test
    @DisplayName("readiness says 503 STARTING until the broker is attached, then 200 READY, then 503 STOPPING; liveness is always 200")
    void probesFollowTheBroker() throws Exception {
        http = HttpListener.start(BrokerConfig.Http.onLoopback());
        HttpResponse<String> live = get("/health/live");
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
        HttpResponse<String> starting = get("/health/ready");
        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.body()).isEqualTo("{\"status\":\"STARTING\"}");
        HttpResponse<String> api = get("/api/v1/clients");
        assertThat(api.statusCode()).isEqualTo(503);
        assertThat(api.body()).isEqualTo("{\"error\":\"the broker is starting\"}");

        startBroker();
        http.attach(broker, null);
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"READY\"}");
        assertThat(ready.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");

        http.stopping();
        HttpResponse<String> stopping = get("/health/ready");
        assertThat(stopping.statusCode()).isEqualTo(503);
        assertThat(stopping.body()).isEqualTo("{\"status\":\"STOPPING\"}");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("an unknown path is 404 and a known path with another method 405, both with a JSON error")
    void unknownPathsAndMethods() throws Exception {
        startBroker();
        http = HttpListener.start(BrokerConfig.Http.onLoopback());
        http.attach(broker, null);
        HttpResponse<String> missing = get("/api/v1/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).isEqualTo("{\"error\":\"no such path\"}");
        HttpResponse<String> wrongMethod = send(HttpRequest.newBuilder(uri("/health/live")).DELETE());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.body()).isEqualTo("{\"error\":\"DELETE is not allowed on this path\"}");
        HttpResponse<String> badNumber = get("/api/v1/sessions?limit=0");
        assertThat(badNumber.statusCode()).isEqualTo(400);
        assertThat(badNumber.body()).isEqualTo("{\"error\":\"limit must be a whole number from 1 to 1000, not '0'\"}");
    }

    @Test
    @DisplayName("with a password file and a token file: 401 without credentials, in with Basic or Bearer, probes stay open")
    void credentials() throws Exception {
        Path passwords = dir.resolve("admins");
        Files.writeString(passwords, "admin:" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, "s3cret".getBytes(UTF_8), 1000).encoded() + "\n");
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "# API tokens\ngrafana:" + TOKEN + "\n");
        startBroker();
        http = HttpListener.start(BrokerConfig.Http.onLoopback().withCredentials(passwords, tokens, null));
        http.attach(broker, null);

        HttpResponse<String> anonymous = get("/metrics");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().allValues("www-authenticate"))
                .containsExactly("Basic realm=\"starling\", charset=\"UTF-8\"", "Bearer realm=\"starling\"");
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        assertThat(get("/health/ready").statusCode()).isEqualTo(200);

        assertThat(get("/metrics", "Authorization", basic("admin", "s3cret")).statusCode()).isEqualTo(200);
        // the second time from memory: the same answer
        assertThat(get("/metrics", "Authorization", basic("admin", "s3cret")).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", "Authorization", basic("admin", "wrong")).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", basic("nobody", "s3cret")).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", "Basic !!!").statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", "Authorization", "Bearer " + TOKEN.substring(1)).statusCode()).isEqualTo(401);
        assertThat(get("/", "Authorization", "Bearer x").statusCode()).isEqualTo(401);
    }

    @Test
    @DisplayName("a reload reads the files again: a removed token stops working, a new one works; a broken file changes nothing")
    void reloadReadsTheFilesAgain() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "grafana:" + TOKEN + "\n");
        startBroker();
        http = HttpListener.start(BrokerConfig.Http.onLoopback().withCredentials(null, tokens, null));
        http.attach(broker, null);
        assertThat(get("/metrics", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);

        String other = "ffffffffffffffffffffffffffffffff";
        Files.writeString(tokens, "ci:" + other + "\n");
        http.reloadFiles();
        assertThat(get("/metrics", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(401);
        assertThat(get("/metrics", "Authorization", "Bearer " + other).statusCode()).isEqualTo(200);

        Files.writeString(tokens, "ci:short\n");
        assertThatThrownBy(http::reloadFiles).isInstanceOf(ConfigException.class).hasMessageStartingWith(tokens + ":1: the token of 'ci'");
        assertThat(get("/metrics", "Authorization", "Bearer " + other).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("a change sent by another site's page (its Origin) is refused with 403; the same origin passes")
    void crossSiteChangesRefused() throws Exception {
        startBroker();
        http = HttpListener.start(BrokerConfig.Http.onLoopback());
        http.attach(broker, null);
        HttpResponse<String> crossSite = send(HttpRequest.newBuilder(uri("/api/v1/clients/x/disconnect")).POST(HttpRequest.BodyPublishers.noBody()),
                "Origin", "http://evil.example");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(crossSite.body()).isEqualTo("{\"error\":\"cross-site request refused: Origin http://evil.example is not this server\"}");
        // a GET with a foreign Origin changes nothing and is answered
        assertThat(get("/health/live", "Origin", "http://evil.example").statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("an HTTP listener off loopback without credentials or allow_anonymous does not start")
    void openOffLoopbackRefused() {
        BrokerConfig.Http open = new BrokerConfig.Http("0.0.0.0", 0, null, null, null, null);
        assertThatThrownBy(() -> HttpListener.start(open)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("the HTTP listener 0.0.0.0:0 is not on loopback");
    }

    @Test
    @DisplayName("a port in use is a clear IOException naming the address")
    void portInUse() throws Exception {
        http = HttpListener.start(BrokerConfig.Http.onLoopback());
        BrokerConfig.Http same = new BrokerConfig.Http("127.0.0.1", http.port(), null, null, null, null);
        assertThatThrownBy(() -> HttpListener.start(same)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("cannot listen for HTTP on 127.0.0.1:" + http.port());
    }

    @Test
    @DisplayName("with a tls block the listener speaks HTTPS with the configured certificate")
    void https() throws Exception {
        TestCertificates certificates = TestCertificates.create(dir);
        TestCertificates.Issued server = certificates.server();
        startBroker();
        http = HttpListener.start(new BrokerConfig.Http("127.0.0.1", 0, BrokerConfig.Tls.pem(server.certFile(), server.keyFile()), null, null, null));
        http.attach(broker, null);
        HttpClient tlsClient = HttpClient.newBuilder().sslContext(certificates.clientContext(null)).build();
        HttpResponse<String> ready = tlsClient.send(HttpRequest.newBuilder(URI.create("https://localhost:" + http.port() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("{\"status\":\"READY\"}");
        assertThatThrownBy(() -> get("/health/live")).isInstanceOf(IOException.class);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
    }

}
