package io.starling.http.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.starling.broker.Broker;
import io.starling.broker.admin.BrokerAdmin.Overview;
import io.starling.broker.admin.BrokerAdmin.SessionSummary;
import io.starling.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The broker's meters, bound to a Prometheus registry and scraped as /metrics would be, with real clients. */
class BrokerMetersTest {
    private static final Overview OVERVIEW = new Overview(2, 1, 3, 4, 1, 5, 1234);
    private static final List<SessionSummary> SESSIONS = List.of(
            new SessionSummary("a", true, false, 0, 1, 0, 0, 0),
            new SessionSummary("b", false, true, 60, 1, 3, 30, 1),
            new SessionSummary("c", false, true, 60, 2, 700, 7000, 2));

    private Broker broker;
    private PrometheusMeterRegistry registry;
    private FakeAdmin admin;
    private BrokerMeters meters;

    @BeforeEach
    void bind() throws Exception {
        broker = Broker.start(BrokerConfig.defaults().onLoopback().inMemory());
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        admin = new FakeAdmin(OVERVIEW, SESSIONS);
        meters = BrokerMeters.bind(registry, broker.metrics(), () -> admin, Duration.ZERO);
    }

    @AfterEach
    void close() {
        meters.close();
        registry.close();
        broker.close();
    }

    @Test
    @DisplayName("a 3.1.1 publisher's QoS 1 messages to a 5.0 subscriber are counted by QoS and protocol, and the closes by reason")
    void trafficOfRealClients() throws Exception {
        String uri = "tcp://127.0.0.1:" + broker.port();
        List<String> received = new CopyOnWriteArrayList<>();
        org.eclipse.paho.mqttv5.client.MqttClient subscriber =
                new org.eclipse.paho.mqttv5.client.MqttClient(uri, "sub5", new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
        try {
            MqttConnectionOptions options5 = new MqttConnectionOptions();
            options5.setCleanStart(true);
            subscriber.connect(options5);
            subscriber.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
                new org.eclipse.paho.mqttv5.common.MqttSubscription("t/#", 1)}, new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
                    (topic, message) -> received.add(new String(message.getPayload(), StandardCharsets.UTF_8))});
            MqttClient publisher = new MqttClient(uri, "pub311", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            publisher.connect(options);
            for (int i = 0; i < 3; i++) {
                publisher.publish("t/a", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> received.size() == 3);
            publisher.disconnect();
            publisher.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().connectionsClosed.sum() == 1);
        } finally {
            subscriber.disconnect();
            subscriber.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().connectionsClosed.sum() == 2);

        String scrape = registry.scrape();
        assertThat(scrape.lines()).contains(
                "starling_connections_opened_total 2.0",
                "starling_connections_closed_total{reason=\"client_disconnect\"} 2.0",
                "starling_connections_closed_total{reason=\"keep_alive_timeout\"} 0.0",
                "starling_messages_received_total{protocol=\"3.1.1\",qos=\"1\"} 3.0",
                "starling_messages_received_payload_bytes_total{protocol=\"3.1.1\",qos=\"1\"} 15.0",
                "starling_messages_received_total{protocol=\"5.0\",qos=\"1\"} 0.0",
                "starling_messages_sent_total{protocol=\"5.0\",qos=\"1\"} 3.0",
                "starling_messages_sent_payload_bytes_total{protocol=\"5.0\",qos=\"1\"} 15.0",
                "starling_messages_sent_total{protocol=\"3.1.1\",qos=\"1\"} 0.0",
                "starling_messages_dropped_total{cause=\"queue_full\"} 0.0",
                "starling_messages_dropped_total{cause=\"expired\"} 0.0",
                "starling_messages_dropped_total{cause=\"too_large\"} 0.0",
                "starling_messages_dropped_total{cause=\"not_authorized\"} 0.0",
                "starling_publishers_held_back_total 0.0",
                "starling_authentication_failures_total 0.0",
                "starling_tls_handshakes_total{result=\"succeeded\"} 0.0",
                "starling_tls_handshakes_total{result=\"failed\"} 0.0");
    }

    @Test
    @DisplayName("the broker's size comes from one overview per scrape")
    void sizeGauges() {
        String scrape = registry.scrape();
        assertThat(scrape.lines()).contains(
                "starling_connections 2.0",
                "starling_sessions{state=\"online\"} 1.0",
                "starling_sessions{state=\"offline\"} 3.0",
                "starling_subscriptions 4.0",
                "starling_shared_groups 1.0",
                "starling_retained_messages 5.0",
                "starling_retained_bytes 1234.0");
        assertThat(admin.overviews.get()).isEqualTo(1);
    }

    @Test
    @DisplayName("each sample records every session's queue depth and in-flight count into the histograms")
    void sessionHistograms() {
        meters.sampleSessions();
        String scrape = registry.scrape();
        assertThat(scrape.lines()).contains(
                "starling_session_queue_depth_bucket{le=\"1.0\"} 1",
                "starling_session_queue_depth_bucket{le=\"5.0\"} 2",
                "starling_session_queue_depth_bucket{le=\"500.0\"} 2",
                "starling_session_queue_depth_bucket{le=\"1000.0\"} 3",
                "starling_session_queue_depth_bucket{le=\"+Inf\"} 3",
                "starling_session_queue_depth_count 3",
                "starling_session_queue_depth_sum 703.0",
                "starling_session_inflight_bucket{le=\"1.0\"} 2",
                "starling_session_inflight_bucket{le=\"2.0\"} 3",
                "starling_session_inflight_count 3",
                "starling_session_inflight_sum 3.0");
    }

    @Test
    @DisplayName("each store commit is recorded into the latency and batch size histograms")
    void storeCommits() {
        broker.metrics().storeCommits.committed(3, 6, TimeUnit.MICROSECONDS.toNanos(700));
        broker.metrics().storeCommits.committed(1, 2, TimeUnit.MILLISECONDS.toNanos(3));
        String scrape = registry.scrape();
        assertThat(scrape.lines()).contains(
                "starling_store_commit_seconds_bucket{le=\"0.001\"} 1",
                "starling_store_commit_seconds_bucket{le=\"0.005\"} 2",
                "starling_store_commit_seconds_count 2",
                "starling_store_commit_seconds_sum 0.0037",
                "starling_store_commit_batch_size_bucket{le=\"1.0\"} 1",
                "starling_store_commit_batch_size_bucket{le=\"4.0\"} 2",
                "starling_store_commit_batch_size_count 2",
                "starling_store_commit_batch_size_sum 4.0",
                "starling_store_changes_total 8.0");
    }

    @Test
    @DisplayName("the JVM's meters are there as Micrometer names them, and closing removes every meter bound")
    void jvmAndClose() {
        String scrape = registry.scrape();
        assertThat(scrape).contains("jvm_memory_used_bytes{", "jvm_memory_max_bytes{", "jvm_gc_", "jvm_threads_live_threads ",
                "jvm_buffer_memory_used_bytes{id=\"direct\"}", "jvm_classes_loaded_classes ", "process_uptime_seconds ",
                "system_cpu_count ");
        meters.close();
        assertThat(registry.getMeters()).isEmpty();
        assertThat(registry.scrape()).doesNotContain("starling_", "jvm_");
    }
}
