package io.starling.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.http.api.ConfigurationReload;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;

/** A broker with its HTTP listener on loopback, Paho 3.1.1 clients, and JSON over {@code java.net.http}; closes all of it. */
public final class ApiFixture implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final Broker broker;
    public final HttpListener http;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<MqttClient> mqttClients = new ArrayList<>();

    public ApiFixture(BrokerConfig config, @Nullable ConfigurationReload reload) throws IOException {
        http = HttpListener.start(BrokerConfig.Http.onLoopback());
        try {
            broker = Broker.start(config);
        } catch (IOException | RuntimeException e) {
            http.close();
            throw e;
        }
        http.attach(broker, reload);
    }

    public ApiFixture() throws IOException {
        this(BrokerConfig.defaults().inMemory().onLoopback(), null);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + http.port() + path);
    }

    /** The answer to {@code method path} with {@code json} as the body (null: none). */
    public HttpResponse<String> call(String method, String path, @Nullable String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(15))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            request.header("Content-Type", "application/json");
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET {@code path}, which must answer 200, as JSON. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = call("GET", path, null);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    public static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    public HttpClient httpClient() {
        return client;
    }

    /** A connected Paho 3.1.1 client whose messages go to {@code inbox} (null: none kept). */
    public MqttClient paho(String clientId, boolean cleanSession, @Nullable String username, @Nullable List<MqttMessage> inbox)
            throws MqttException {
        MqttClient paho = new MqttClient("tcp://127.0.0.1:" + broker.port(), clientId, new MemoryPersistence());
        mqttClients.add(paho);
        paho.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {}

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                if (inbox != null) {
                    inbox.add(message);
                }
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {}
        });
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(cleanSession);
        options.setAutomaticReconnect(false);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        if (username != null) {
            options.setUserName(username);
            options.setPassword("unused".toCharArray());
        }
        paho.connect(options);
        return paho;
    }

    public static List<MqttMessage> inbox() {
        return Collections.synchronizedList(new ArrayList<>());
    }

    public static String text(MqttMessage message) {
        return new String(message.getPayload(), UTF_8);
    }

    @Override
    public void close() {
        for (MqttClient paho : mqttClients) {
            try {
                if (paho.isConnected()) {
                    paho.disconnectForcibly(0, 1000);
                }
                paho.close(true);
            } catch (MqttException e) {
                // closing anyway
            }
        }
        http.close();
        broker.close();
    }
}
