package io.starling.it.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.testing.TestCertificates;
import io.starling.it.browser.HeadlessChromium;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * MQTT over WebSocket from a real browser: headless Chromium, driven by Selenium through
 * chromedriver, opens {@code mqtt-page.html} (served here over HTTP), whose hand-written MQTT 3.1.1
 * client speaks through the browser's own {@code WebSocket} to the broker's ws and wss listeners;
 * Paho on the plain TCP listener is the other end. Needs Debian's {@code chromium} and
 * {@code chromium-driver} ({@code /usr/bin/chromium}, {@code /usr/bin/chromedriver}), which
 * {@code .ci/run} installs; without them the tests are skipped, saying so, except when
 * {@code CI=true}, where they fail.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrowserWebSocketTest {
    private static final String HOST = "127.0.0.1";
    private static final String PAGE = "/mqtt-page.html";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(20);

    /** Three payloads: multi-byte UTF-8, and Remaining Lengths of two and of three bytes. */
    private static final List<String> PAYLOADS = List.of(
            "grüße aus dem Browser ✓",
            "x".repeat(300),
            "0123456789".repeat(2_000));

    @TempDir
    static Path dir;
    private static Broker broker;
    private static HttpServer pages;
    private static ChromeDriver browser;

    private final List<MqttClient> pahoClients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        if (!HeadlessChromium.expected()) {
            return;
        }
        TestCertificates.Issued server = TestCertificates.create(dir.resolve("certs")).server();
        BrokerConfig.Listener tcp = new BrokerConfig.Listener(HOST, 0);
        broker = Broker.start(BrokerConfig.defaults().inMemory().withListeners(List.of(
                tcp,
                tcp.withWebSocket("/mqtt"),
                tcp.withWebSocket("/mqtt").withTls(BrokerConfig.Tls.pem(server.certFile(), server.keyFile())))));
        pages = servePage();
        browser = startChromium(server.certificate());
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (pages != null) {
            pages.stop(0);
        }
        if (broker != null) {
            broker.close();
        }
    }

    // Checked before each test rather than once in @BeforeAll: Surefire reports a class skipped in
    // @BeforeAll as zero tests run, silently, and a developer without the browser should be told.
    @BeforeEach
    void needsBrowser() {
        assumeTrue(HeadlessChromium.expected(), HeadlessChromium.MISSING);
    }

    @AfterEach
    void closeClients() throws MqttException {
        if (browser != null) {
            browser.get("about:blank");   // leaving the page closes its WebSocket
        }
        for (MqttClient client : pahoClients) {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }

    @Test
    @DisplayName("the browser subscribes over ws and receives what a TCP client publishes, byte for byte")
    void browserReceives() throws Exception {
        openPage("ws", "browser-receives", "mqtt");
        assertThat(script("return mqtt.subscribe('browser/#')")).isEqualTo(1L);
        await("SUBACK").atMost(WAIT).pollInterval(POLL).untilAsserted(() -> assertThat(script("return mqtt.subAcks"))
                .isEqualTo(List.of(Map.of("id", 1L, "codes", List.of(0L)))));

        MqttClient publisher = paho("browser-receives-tcp");
        publisher.publish("elsewhere/news", "not for the browser".getBytes(UTF_8), 0, false);
        for (int i = 0; i < PAYLOADS.size(); i++) {
            publisher.publish("browser/news/" + i, PAYLOADS.get(i).getBytes(UTF_8), 0, false);
        }

        await("3 messages in the page").atMost(WAIT).pollInterval(POLL)
                .until(() -> ((List<?>) script("return mqtt.received")).size() >= PAYLOADS.size());
        List<Map<String, Object>> expected = new ArrayList<>();
        for (int i = 0; i < PAYLOADS.size(); i++) {
            expected.add(Map.of("topic", "browser/news/" + i, "payload", PAYLOADS.get(i),
                    "bytes", (long) PAYLOADS.get(i).getBytes(UTF_8).length, "qos", 0L, "retain", 0L, "dup", 0L));
        }
        // one publisher's QoS 0 messages keep their order, so "elsewhere/news" would have come first
        assertThat(script("return mqtt.received")).isEqualTo(expected);
        assertThat(script("return mqtt.errors")).isEqualTo(List.of());
    }

    @Test
    @DisplayName("the browser publishes over ws and a TCP subscriber receives it, byte for byte")
    void browserPublishes() throws Exception {
        MqttClient subscriber = paho("browser-publishes-tcp");
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("from-browser/#", 0, (topic, message) -> inbox.add(topic + " qos " + message.getQos()
                + (message.isRetained() ? " retained " : " ") + new String(message.getPayload(), UTF_8)));
        openPage("ws", "browser-publishes", "mqtt");

        for (int i = 0; i < PAYLOADS.size(); i++) {
            browser.executeScript("mqtt.publish(arguments[0], arguments[1])", "from-browser/" + i, PAYLOADS.get(i));
        }

        await("3 messages at Paho").atMost(WAIT).pollInterval(POLL).until(() -> inbox.size() >= PAYLOADS.size());
        assertThat(inbox).containsExactly(
                "from-browser/0 qos 0 " + PAYLOADS.get(0),
                "from-browser/1 qos 0 " + PAYLOADS.get(1),
                "from-browser/2 qos 0 " + PAYLOADS.get(2));
        assertThat(script("return mqtt.errors")).isEqualTo(List.of());
    }

    @ParameterizedTest(name = "offered {0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "mqtt          | mqtt",
            "mqttv3.1,mqtt | mqtt",
            "mqttv3.1      | mqttv3.1"})
    @DisplayName("[MQTT-6.0.0-4] the subprotocol the browser sees is the one the broker chose")
    void subprotocol(String offered, String chosen) {
        openPage("ws", "browser-subprotocol-" + offered.replace(',', '-'), offered);

        assertThat(script("return mqtt.protocol")).isEqualTo(chosen);
        assertThat(script("return mqtt.connAck")).isEqualTo(Map.of("sessionPresent", 0L, "returnCode", 0L));
    }

    @Test
    @DisplayName("over wss the browser subscribes, receives and publishes")
    void secureWebSocket() throws Exception {
        MqttClient tcp = paho("browser-wss-tcp");
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        tcp.subscribe("wss/up", 0, (topic, message) -> inbox.add(new String(message.getPayload(), UTF_8)));
        openPage("wss", "browser-wss", "mqtt");
        assertThat(script("return mqtt.protocol")).isEqualTo("mqtt");
        assertThat(script("return mqtt.subscribe('wss/down')")).isEqualTo(1L);
        await("SUBACK").atMost(WAIT).pollInterval(POLL).untilAsserted(() -> assertThat(script("return mqtt.subAcks"))
                .isEqualTo(List.of(Map.of("id", 1L, "codes", List.of(0L)))));

        tcp.publish("wss/down", PAYLOADS.get(0).getBytes(UTF_8), 0, false);
        browser.executeScript("mqtt.publish('wss/up', arguments[0])", PAYLOADS.get(2));

        await("a message in the page").atMost(WAIT).pollInterval(POLL)
                .until(() -> !((List<?>) script("return mqtt.received")).isEmpty());
        assertThat(script("return mqtt.received.map(m => m.payload)")).isEqualTo(List.of(PAYLOADS.get(0)));
        await("a message at Paho").atMost(WAIT).pollInterval(POLL).until(() -> !inbox.isEmpty());
        assertThat(inbox).containsExactly(PAYLOADS.get(2));
    }

    /**
     * Opens the page on the ws or wss listener with {@code clientId}, offering the comma-separated
     * {@code protocols}, and waits for its CONNACK.
     */
    private static void openPage(String scheme, String clientId, String protocols) {
        int port = broker.addresses().get(scheme.equals("ws") ? 1 : 2).getPort();
        String socket = scheme + "://" + HOST + ":" + port + "/mqtt";
        browser.get("http://" + HOST + ":" + pages.getAddress().getPort() + PAGE
                + "?url=" + URLEncoder.encode(socket, UTF_8)
                + "&client=" + URLEncoder.encode(clientId, UTF_8)
                + "&protocols=" + URLEncoder.encode(protocols, UTF_8));
        await("CONNACK in the page").atMost(WAIT).pollInterval(POLL).untilAsserted(() -> assertThat(script("return mqtt.state"))
                .as(() -> "page errors " + script("return mqtt.errors") + ", close code " + script("return mqtt.closeCode"))
                .isEqualTo("connected"));
    }


    private static Object script(String script) {
        return browser.executeScript(script);
    }

    private MqttClient paho(String clientId) throws MqttException {
        MqttClient client = new MqttClient("tcp://" + HOST + ":" + broker.addresses().get(0).getPort(), clientId,
                new MemoryPersistence());
        pahoClients.add(client);
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout((int) WAIT.toSeconds());
        client.setTimeToWait(WAIT.toMillis());
        client.connect(options);
        return client;
    }

    /** Serves the page, and nothing else, on an ephemeral loopback port. */
    private static HttpServer servePage() throws IOException {
        byte[] page;
        try (InputStream in = BrowserWebSocketTest.class.getResourceAsStream("mqtt-page.html")) {
            assertThat(in).as("mqtt-page.html beside this class").isNotNull();
            page = in.readAllBytes();
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(HOST, 0), 0);
        server.createContext("/", exchange -> respond(exchange, page));
        server.start();
        return server;
    }

    private static void respond(HttpExchange exchange, byte[] page) throws IOException {
        try {
            if (exchange.getRequestURI().getPath().equals(PAGE)) {
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                exchange.getResponseBody().write(page);
            } else {
                exchange.sendResponseHeaders(404, -1);
            }
        } finally {
            exchange.close();
        }
    }

    /**
     * Headless Chromium with a profile of its own, quiet (no sync, updates or first-run pages),
     * trusting the wss listener's certificate by its public key: Chromium takes a SHA-256 of the
     * certificate's SubjectPublicKeyInfo, which it honours only with a --user-data-dir. Every other
     * certificate error still fails, unlike with --ignore-certificate-errors.
     */
    private static ChromeDriver startChromium(X509Certificate serverCertificate) throws Exception {
        String spki = Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(serverCertificate.getPublicKey().getEncoded()));
        return HeadlessChromium.start(dir.resolve("chromium-profile"), "--ignore-certificate-errors-spki-list=" + spki);
    }
}
