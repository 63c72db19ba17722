package io.starling.client;

import static io.starling.client.BrokerTestBed.config;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.failure;
import static io.starling.client.BrokerTestBed.mqtt5;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request/response (MQTT 5.0, 4.10) between two clients through a real broker: request() with
 * its Response Topic and Correlation Data, respond() answering, the response topic taken from
 * the broker's Response Information, timeouts, and a 3.1.1 client.
 */
class Mqtt5RequestResponseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    @TempDir
    Path dir;
    private final BrokerTestBed bed = new BrokerTestBed();

    @AfterEach
    void close() {
        bed.close();
    }

    /** A client on {@code broker} answering requests on svc/echo with {@code echo:} and the request's payload. */
    private void echoService(Broker broker) {
        done(bed.connected(broker, "echo-service").respond("svc/echo", request -> ("echo:" + request.payloadAsString()).getBytes(UTF_8)));
    }

    @Test
    @DisplayName("request() is answered by respond(): the request carries starling/responses/<client id> and printable"
            + " Correlation Data, which the response carries back")
    void requestAndResponse() throws Exception {
        Broker broker = bed.broker();
        echoService(broker);
        RecordingTracer tracer = new RecordingTracer();
        MqttClient requester = bed.connected(v5(broker.port(), "asker").packetTracer(tracer));

        MqttMessage response = done(requester.request("svc/echo", "hi".getBytes(UTF_8), TIMEOUT));

        assertThat(response.payloadAsString()).isEqualTo("echo:hi");
        assertThat(response.topic()).isEqualTo("starling/responses/asker");
        Publish request = tracer.sent(Publish.class).get(0);
        assertThat(request.topic()).isEqualTo("svc/echo");
        assertThat(request.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(request.properties().string(PropertyId.RESPONSE_TOPIC)).contains("starling/responses/asker");
        String correlation = new String(request.properties().binary(PropertyId.CORRELATION_DATA).orElseThrow().toArray(), US_ASCII);
        assertThat(correlation).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
        assertThat(response.correlationData()).hasValueSatisfying(c -> assertThat(new String(c, US_ASCII)).isEqualTo(correlation));
        assertThat(tracer.sent(Subscribe.class)).hasSize(1);
        assertThat(tracer.sent(Subscribe.class).get(0).subscriptions().get(0).topicFilter()).isEqualTo("starling/responses/asker");
    }

    @Test
    @DisplayName("concurrent requests each get their own response, through one subscription to the response topic")
    void concurrentRequests() throws Exception {
        Broker broker = bed.broker();
        echoService(broker);
        RecordingTracer tracer = new RecordingTracer();
        MqttClient requester = bed.connected(v5(broker.port(), "many").packetTracer(tracer));

        List<CompletableFuture<MqttMessage>> responses = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            responses.add(requester.request("svc/echo", ("r" + i).getBytes(UTF_8), TIMEOUT));
        }

        for (int i = 0; i < 5; i++) {
            assertThat(done(responses.get(i)).payloadAsString()).isEqualTo("echo:r" + i);
        }
        assertThat(tracer.sent(Subscribe.class)).hasSize(1);
        assertThat(tracer.sent(Publish.class)).extracting(p -> p.properties().binary(PropertyId.CORRELATION_DATA).orElseThrow())
                .doesNotHaveDuplicates().hasSize(5);
    }

    @Test
    @DisplayName("[MQTT-4.8.2-3] responders sharing a subscription ($share/workers/...) split the requests, and each"
            + " request is answered once")
    void sharedResponders() throws Exception {
        Broker broker = bed.broker();
        List<String> answeredBy = new CopyOnWriteArrayList<>();
        for (String worker : List.of("w1", "w2")) {
            done(bed.connected(broker, worker).respond("$share/workers/svc/work", request -> {
                answeredBy.add(worker);
                return (worker + ":" + request.payloadAsString()).getBytes(UTF_8);
            }));
        }
        MqttClient requester = bed.connected(broker, "boss");

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(done(requester.request("svc/work", ("job" + i).getBytes(UTF_8), TIMEOUT)).payloadAsString());
        }

        assertThat(answers).containsExactly("w1:job0", "w2:job1", "w1:job2", "w2:job3");
        assertThat(answeredBy).containsExactly("w1", "w2", "w1", "w2");
    }

    @Test
    @DisplayName("[MQTT-3.1.2-28] with requestResponseInformation the response topic is built on the broker's Response Information: <base>/<client id>")
    void responseInformation() throws Exception {
        Broker broker = bed.broker(config().withMqtt5(mqtt5(65_535, 65_535, QoS.EXACTLY_ONCE, true, 10, "replies/info")));
        echoService(broker);
        RecordingTracer tracer = new RecordingTracer();
        MqttClient requester = bed.client(v5(broker.port(), "informed").packetTracer(tracer).requestResponseInformation(true));
        assertThat(done(requester.connect()).responseInformation()).contains("replies/info");

        MqttMessage response = done(requester.request("svc/echo", "x".getBytes(UTF_8), TIMEOUT));

        assertThat(response.topic()).isEqualTo("replies/info/informed");
        assertThat(tracer.sent(Publish.class).get(0).properties().string(PropertyId.RESPONSE_TOPIC)).contains("replies/info/informed");
    }

    @Test
    @DisplayName("a request's own Response Topic and Correlation Data are used as they are")
    void ownResponseTopic() throws Exception {
        Broker broker = bed.broker();
        echoService(broker);
        MqttClient requester = bed.connected(broker, "own");

        MqttMessage response = done(requester.request(MqttMessage.builder("svc/echo").payload("mine").qos(QoS.EXACTLY_ONCE)
                .responseTopic("my/replies").correlationData("id-42".getBytes(US_ASCII)).build(), TIMEOUT));

        assertThat(response.topic()).isEqualTo("my/replies");
        assertThat(response.payloadAsString()).isEqualTo("echo:mine");
        assertThat(response.correlationData()).hasValueSatisfying(c -> assertThat(c).isEqualTo("id-42".getBytes(US_ASCII)));
    }

    @Test
    @DisplayName("a request nobody answers fails with RequestTimeoutException after its timeout")
    void timeout() throws Exception {
        Broker broker = bed.broker();
        MqttClient requester = bed.connected(broker, "patient");

        RequestTimeoutException timedOut = failure(requester.request("svc/nobody", new byte[0], Duration.ofMillis(300)),
                RequestTimeoutException.class);

        assertThat(timedOut).hasMessage("no response on starling/responses/patient within 300 ms to the request on svc/nobody");
    }

    @Test
    @DisplayName("a request whose response topic the broker will not subscribe the client to fails with the SUBACK's 0x87")
    void responseTopicRefused() throws Exception {
        Path acl = Files.write(dir.resolve("acl"), List.of("topic readwrite svc/#"));
        Broker broker = bed.broker(config().withAclFile(acl));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient requester = bed.connected(v5(broker.port(), "unheard").packetTracer(tracer));

        MqttClientException refused = failure(requester.request("svc/echo", new byte[0], TIMEOUT), MqttClientException.class);

        assertThat(refused).hasMessage("the server refused the subscription to the response topic"
                + " starling/responses/unheard: 0x87 Not authorized");
        assertThat(tracer.sent(Publish.class)).isEmpty();
    }

    @Test
    @DisplayName("a 3.1.1 client's request fails at once: request/response needs MQTT 5.0")
    void needsV5() throws Exception {
        Broker broker = bed.broker();
        MqttClient old = bed.connected(MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId("old")
                .version(MqttVersion.V3_1_1).reconnect(ReconnectPolicy.DISABLED));

        MqttClientException refused = failure(old.request("svc/echo", new byte[0], TIMEOUT), MqttClientException.class);

        assertThat(refused).hasMessage("request/response needs MQTT 5.0 (Response Topic and Correlation Data): set version(MqttVersion.V5)");
    }
}
