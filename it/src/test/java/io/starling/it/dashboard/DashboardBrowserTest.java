package io.starling.it.dashboard;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.Broker;
import io.starling.broker.cluster.QuietTransport;
import io.starling.broker.cluster.ClusterStatus;
import io.starling.broker.config.BrokerConfig;
import io.starling.http.HttpListener;
import io.starling.it.browser.HeadlessChromium;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The web dashboard in a real browser: headless Chromium, driven by Selenium through chromedriver,
 * uses the pages the HTTP listener serves against a live broker with Paho clients connected, and
 * the tests check both what the pages show and what happened to the clients. Each test saves a
 * screenshot to {@code target/screenshots/dashboard-PAGE.png}, and also into the directory the
 * system property {@code dashboard.screenshots} names (docs/images for the documentation). Needs
 * Debian's {@code chromium} and {@code chromium-driver}; without them the tests are skipped, saying
 * so, except when {@code CI=true}, where they fail (as in {@code BrowserWebSocketTest}).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DashboardBrowserTest {
    private static final String HOST = "127.0.0.1";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Duration POLL = Duration.ofMillis(50);

    @TempDir
    static Path dir;
    private static Broker broker;
    private static HttpListener http;
    private static ChromeDriver browser;
    private static String base;

    private final List<MqttClient> pahoClients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        if (!HeadlessChromium.expected()) {
            return;
        }
        broker = Broker.start(BrokerConfig.defaults().inMemory().withListeners(List.of(new BrokerConfig.Listener(HOST, 0))));
        http = HttpListener.start(BrokerConfig.Http.onLoopback());
        http.attach(broker, null);
        base = "http://" + HOST + ":" + http.port();
        browser = startChromium();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (http != null) {
            http.close();
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
            browser.get("about:blank");   // leaving the page stops its polling and closes its streams
        }
        for (MqttClient client : pahoClients) {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }

    @Test
    @DisplayName("the overview shows the connection count and charts connections, message rates, drops and store latency")
    void overview() throws Exception {
        MqttClient publisher = paho("dash-overview-publisher");
        MqttClient subscriber = paho("dash-overview-subscriber");
        subscriber.subscribe("dash/overview/#", 0);
        open("/");
        awaitText("stat-connections", "2");
        assertThat(byTestId("nav-overview").getAttribute("aria-current")).isEqualTo("page");

        // messages flow while the page samples (every 2 s), so that the rate charts have something to draw
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try {
            ticker.scheduleAtFixedRate(() -> {
                try {
                    publisher.publish("dash/overview/tick", "tick".getBytes(UTF_8), 0, false);
                } catch (MqttException e) {
                    throw new IllegalStateException(e);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);
            await("4 points in every chart").atMost(WAIT.multipliedBy(2)).pollInterval(POLL).until(() -> allByTestId("chart").stream()
                    .allMatch(chart -> Integer.parseInt(chart.getAttribute("data-points")) >= 4));
            await("message rates").atMost(WAIT).pollInterval(POLL).until(() -> rate("stat-received") > 0 && rate("stat-sent") > 0);
        } finally {
            ticker.shutdownNow();
        }

        assertThat(allByTestId("chart")).extracting(chart -> chart.getAttribute("data-chart"))
                .containsExactly("connections", "messages", "drops", "latency");
        assertThat(browser.findElements(By.cssSelector("[data-testid=chart] canvas"))).hasSize(4);
        assertThat(script("return [...document.querySelectorAll('[data-testid=chart] .u-title')].map(t => t.textContent)"))
                .isEqualTo(List.of("Connections", "Messages per second", "Dropped per second", "Store commit, mean ms"));
        assertThat(byTestId("stat-connections").getText()).isEqualTo("2");
        assertThat(byTestId("stat-subscriptions").getText()).isEqualTo("1");
        assertNoError();
        screenshot("overview");
    }

    @Test
    @DisplayName("the clients page lists a connected client, finds it, shows its subscription, and Disconnect kicks it off")
    void clients() throws Exception {
        MqttClient alpha = paho("dash-alpha");
        paho("dash-beta");
        AtomicInteger alphaLost = new AtomicInteger();
        alpha.setCallback(new LostCounter(alphaLost));
        alpha.subscribe("dash/alpha/#", 1);

        open("/clients");
        awaitFirstColumn("clients", List.of("dash-alpha", "dash-beta"));
        // client id, user, address, protocol, connected at, the Disconnect button
        List<String> alphaRow = rows("clients").get(0);
        assertThat(alphaRow).hasSize(6);
        assertThat(alphaRow.get(1)).isEqualTo("–");
        assertThat(alphaRow.get(2)).matches("127\\.0\\.0\\.1:\\d+");
        assertThat(alphaRow.get(3)).isEqualTo("3.1.1");
        assertThat(alphaRow.get(5)).isEqualTo("Disconnect");
        screenshot("clients");

        byTestId("search-client_id").sendKeys("alpha");
        awaitFirstColumn("clients", List.of("dash-alpha"));
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/clients?client_id=alpha");

        byTestId("client-link").click();
        await("the details page").atMost(WAIT).pollInterval(POLL).until(() -> browser.getCurrentUrl().equals(base + "/clients/dash-alpha"));
        awaitText("client-connected", "yes");
        assertThat(byTestId("client-id").getText()).isEqualTo("dash-alpha");
        // filter, QoS, no local, retain as published, retain handling, share group
        awaitRows("client-subscriptions", List.of(List.of("dash/alpha/#", "1", "no", "no", "0", "–")));

        byTestId("disconnect").click();
        await("alpha's connection lost").atMost(WAIT).pollInterval(POLL).until(() -> alphaLost.get() == 1);
        assertThat(alpha.isConnected()).isFalse();
        await("back on the clients page").atMost(WAIT).pollInterval(POLL).until(() -> browser.getCurrentUrl().equals(base + "/clients"));
        awaitText("notice", "Disconnected dash-alpha.");
        awaitFirstColumn("clients", List.of("dash-beta"));
        assertNoError();
    }

    @Test
    @DisplayName("a retained message published from the Publish page reaches a subscriber, shows in the topic tree and is deleted")
    void retained() throws Exception {
        MqttClient subscriber = paho("dash-retained-subscriber");
        BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
        subscriber.subscribe("dash/retained/#", 1, (topic, message) -> inbox.add(describe(topic, message)));

        open("/publish");
        byTestId("publish-topic").sendKeys("dash/retained/greeting");
        byTestId("publish-payload").sendKeys("hello from the dashboard ✓");
        choose("publish-qos", "1");
        byTestId("publish-retain").click();
        byTestId("publish-submit").click();
        awaitText("publish-result", "Published to dash/retained/greeting: 1 subscriber.");
        screenshot("publish");
        await("the message at Paho").atMost(WAIT).pollInterval(POLL).until(() -> !inbox.isEmpty());
        // [MQTT-3.3.1-9] RETAIN is 0 for a message sent to an established subscription
        assertThat(inbox).containsExactly("dash/retained/greeting qos 1 retain false: hello from the dashboard ✓");

        byTestId("nav-topics").click();
        By greeting = By.cssSelector("[data-testid=topic-select][data-topic='dash/retained/greeting']");
        await("the topic in the tree").atMost(WAIT).pollInterval(POLL).until(() -> !browser.findElements(greeting).isEmpty());
        assertThat(browser.findElements(By.cssSelector("[data-testid=topic-toggle]")))
                .extracting(toggle -> toggle.getAttribute("data-topic")).containsExactly("dash", "dash/retained");
        WebElement level = browser.findElement(By.cssSelector("[data-testid=topic-toggle][data-topic='dash/retained']"));
        level.click();
        assertThat(level.getAttribute("aria-expanded")).isEqualTo("false");
        assertThat(browser.findElement(greeting).isDisplayed()).isFalse();
        level.click();
        assertThat(level.getAttribute("aria-expanded")).isEqualTo("true");
        browser.findElement(greeting).click();
        awaitText("retained-topic", "dash/retained/greeting");
        awaitText("payload", "hello from the dashboard ✓");
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/topics?filter=%23&topic=dash%2Fretained%2Fgreeting");
        choose("payload-view", "hex");
        assertThat(byTestId("payload").getText()).startsWith("68 65 6c 6c 6f 20").endsWith("e2 9c 93");
        choose("payload-view", "text");
        screenshot("topics");

        byTestId("delete-retained").click();
        awaitText("notice", "Deleted the retained message of dash/retained/greeting.");
        await("the topic gone from the tree").atMost(WAIT).pollInterval(POLL).until(() -> browser.findElements(greeting).isEmpty());
        assertThat(get("/api/v1/retained/dash%2Fretained%2Fgreeting").statusCode()).isEqualTo(404);

        // a new subscriber gets no retained message: the marker published after its SUBACK comes alone
        MqttClient late = paho("dash-retained-late");
        BlockingQueue<String> lateInbox = new LinkedBlockingQueue<>();
        late.subscribe("dash/retained/#", 1, (topic, message) -> lateInbox.add(describe(topic, message)));
        subscriber.publish("dash/retained/marker", "marker".getBytes(UTF_8), 1, false);
        await("the marker").atMost(WAIT).pollInterval(POLL).until(() -> !lateInbox.isEmpty());
        assertThat(lateInbox).containsExactly("dash/retained/marker qos 1 retain false: marker");
        assertNoError();
    }

    @Test
    @DisplayName("the live view receives, newest first, the messages a client publishes to topics matching its filter")
    void live() throws Exception {
        MqttClient publisher = paho("dash-live-publisher");
        open("/live");
        WebElement filter = byTestId("live-filter");
        filter.clear();
        filter.sendKeys("dash/live/+");
        byTestId("live-start").click();
        await("the stream open").atMost(WAIT).pollInterval(POLL).until(() -> "open".equals(byTestId("live-status").getAttribute("data-state")));
        assertThat(browser.getCurrentUrl()).isEqualTo(base + "/live?filter=dash%2Flive%2F%2B");

        publisher.publish("dash/elsewhere", "not for the live view".getBytes(UTF_8), 0, false);
        publisher.publish("dash/live/kitchen", "21.5 °C".getBytes(UTF_8), 0, false);
        publisher.publish("dash/live/hall", "19.0 °C".getBytes(UTF_8), 0, false);
        publisher.publish("dash/live/garden", "8.5 °C".getBytes(UTF_8), 0, false);

        awaitText("live-count", "3 messages");
        // one publisher's messages keep their order, so "dash/elsewhere" would have come first;
        // columns: received, topic, QoS, retain, publisher, payload
        assertThat(rows("live-messages")).extracting(row -> row.subList(1, 6)).containsExactly(
                List.of("dash/live/garden", "0", "no", "dash-live-publisher", "8.5 °C"),
                List.of("dash/live/hall", "0", "no", "dash-live-publisher", "19.0 °C"),
                List.of("dash/live/kitchen", "0", "no", "dash-live-publisher", "21.5 °C"));
        screenshot("live");

        byTestId("live-stop").click();
        assertThat(byTestId("live-status").getAttribute("data-state")).isEqualTo("stopped");
        assertNoError();
    }

    @Test
    @DisplayName("a page opened by its URL renders directly, and the back button returns to the page before")
    void deepLinks() throws Exception {
        MqttClient client = paho("dash deep/link");
        client.subscribe("dash/deep/#", 2);

        open("/clients");
        await("the clients page").atMost(WAIT).pollInterval(POLL).ignoreExceptions()
                .until(() -> browser.findElement(By.tagName("h1")).getText().equals("Clients"));
        assertThat(byTestId("nav-clients").getAttribute("aria-current")).isEqualTo("page");
        awaitFirstColumn("clients", List.of("dash deep/link"));

        // a client identifier with a space and a slash is one encoded path segment
        open("/clients/dash%20deep%2Flink");
        awaitText("client-id", "dash deep/link");
        awaitText("client-connected", "yes");

        open("/subscriptions?filter=dash%2Fdeep");
        awaitRows("subscriptions", List.of(List.of("dash deep/link", "dash/deep/#", "2", "no", "no", "0", "–")));
        assertThat(byTestId("search-filter").getAttribute("value")).isEqualTo("dash/deep");

        byTestId("nav-overview").click();
        await("the overview").atMost(WAIT).pollInterval(POLL).until(() -> browser.getCurrentUrl().equals(base + "/"));
        browser.navigate().back();
        await("the subscriptions again").atMost(WAIT).pollInterval(POLL)
                .until(() -> browser.getCurrentUrl().equals(base + "/subscriptions?filter=dash%2Fdeep"));
        awaitRows("subscriptions", List.of(List.of("dash deep/link", "dash/deep/#", "2", "no", "no", "0", "–")));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Subscriptions");
        assertNoError();
    }

    @Test
    @DisplayName("the overview shows a cluster panel (members, roles, routes, forwarding queues, traffic) once the broker is a cluster node")
    void clusterPanel() throws Exception {
        open("/");
        awaitText("nav-overview", "Overview");
        await("stats drawn").atMost(WAIT).pollInterval(POLL).ignoreExceptions().until(() -> byTestId("stat-uptime").isDisplayed());
        // no cluster: the panel stays hidden over more than one poll
        await("no cluster panel").during(Duration.ofMillis(2500)).atMost(WAIT).pollInterval(POLL)
                .until(() -> !byTestId("cluster").isDisplayed());

        ClusterStatus status = new ClusterStatus("dash", "node-a", List.of("node-b", "node-a"), Map.of(), Map.of("node-b", 4L), 0,
                new ClusterStatus.Traffic(12, 7, 3, 2, 900, 600, 1, 2, 1));
        broker.cluster().attach(new QuietTransport() {
            @Override
            public ClusterStatus status() {
                return status;
            }
        });
        broker.cluster().routesAdded("node-b", List.of("dash/remote/#", "dash/other"));
        awaitRows("cluster-members", List.of(List.of("node-b", "coordinator", "2", "4"), List.of("node-a", "this node", "0", "–")));
        assertThat(byTestId("cluster").findElement(By.tagName("h2")).getText()).isEqualTo("Cluster dash: 2 members");
        assertThat(byTestId("cluster-traffic").getText()).startsWith("Forwarded since start: 12 messages out, 7 in, 1 dropped;");
        assertNoError();
        screenshot("cluster");
    }

    // ---- the browser ----

    private static void open(String path) {
        browser.get(base + path);
    }

    private static WebElement byTestId(String testId) {
        return browser.findElement(By.cssSelector("[data-testid='" + testId + "']"));
    }

    private static List<WebElement> allByTestId(String testId) {
        return browser.findElements(By.cssSelector("[data-testid='" + testId + "']"));
    }

    /** Picks the option with {@code value} of the select with {@code testId}, as a click would. */
    private static void choose(String testId, String value) {
        byTestId(testId).findElement(By.cssSelector("option[value='" + value + "']")).click();
    }

    private static void awaitText(String testId, String text) {
        await(testId + " showing " + text).atMost(WAIT).pollInterval(POLL).ignoreExceptions()
                .untilAsserted(() -> assertThat(byTestId(testId).getText()).isEqualTo(text));
    }

    /** A rate the overview shows, 0 while it has none ("–"). */
    private static double rate(String testId) {
        String text = byTestId(testId).getText();
        return text.matches("\\d+\\.\\d") ? Double.parseDouble(text) : 0;
    }

    /** The cells' text of each row of the table (or tbody) with {@code testId}. */
    @SuppressWarnings("unchecked")
    private static List<List<String>> rows(String testId) {
        return (List<List<String>>) script("return [...document.querySelectorAll(arguments[0])]"
                + ".map(row => [...row.cells].map(cell => cell.textContent))",
                "[data-testid='" + testId + "'] tbody tr, tbody[data-testid='" + testId + "'] tr");
    }

    private static void awaitRows(String testId, List<List<String>> expected) {
        await(testId + " rows").atMost(WAIT).pollInterval(POLL).ignoreExceptions()
                .untilAsserted(() -> assertThat(rows(testId)).isEqualTo(expected));
    }

    private static void awaitFirstColumn(String testId, List<String> expected) {
        await(testId + " first column").atMost(WAIT).pollInterval(POLL).ignoreExceptions()
                .untilAsserted(() -> assertThat(rows(testId)).extracting(row -> row.get(0)).isEqualTo(expected));
    }

    private static Object script(String script, Object... arguments) {
        return browser.executeScript(script, arguments);
    }

    /** The page reported no API error. */
    private static void assertNoError() {
        assertThat(byTestId("error").isDisplayed()).as(() -> "error shown: " + byTestId("error-text").getText()).isFalse();
    }

    /** Saves what the browser shows as target/screenshots/dashboard-PAGE.png, and into ${dashboard.screenshots}. */
    private static void screenshot(String page) throws IOException {
        Path file = Path.of("target", "screenshots", "dashboard-" + page + ".png");
        Files.createDirectories(file.getParent());
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
        String copyTo = System.getProperty("dashboard.screenshots");
        if (copyTo != null && !copyTo.isBlank()) {
            Path target = Path.of(copyTo);
            Files.createDirectories(target);
            Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Headless Chromium showing exactly 1280x800. */
    private static ChromeDriver startChromium() {
        ChromeDriver driver = HeadlessChromium.start(dir.resolve("chromium-profile"), "--window-size=1280,800");
        // the window's size is not the page's: fix the viewport itself, for screenshots of exactly 1280x800
        driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
                Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
        return driver;
    }

    // ---- MQTT and HTTP ----

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

    private static String describe(String topic, MqttMessage message) {
        return topic + " qos " + message.getQos() + " retain " + message.isRetained() + ": " + new String(message.getPayload(), UTF_8);
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Counts lost connections; nothing else. */
    private record LostCounter(AtomicInteger lost) implements MqttCallback {
        @Override
        public void connectionLost(Throwable cause) {
            lost.incrementAndGet();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {}

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {}
    }
}
