package io.starling.client;

import io.starling.client.internal.Callbacks;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5.0 request/response (section 4.10) on top of publish and subscribe: a request carries a
 * Response Topic and Correlation Data; the responder publishes its answer to that topic with the
 * same correlation data. The requester subscribes to each response topic once, and matches
 * answers to requests by their correlation data. Correlation data made here is a UUID in ASCII,
 * so that shell tools can echo it back. Thread-safe.
 */
final class RequestResponse {
    private static final Logger log = LoggerFactory.getLogger(RequestResponse.class);

    private final ClientCore core;
    private final Callbacks callbacks;
    /** By correlation data, as ISO-8859-1 text so that any bytes make a key. */
    private final Map<String, CompletableFuture<MqttMessage>> waiting = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<SubscribeResult>> responseTopics = new ConcurrentHashMap<>();

    RequestResponse(ClientCore core, Callbacks callbacks) {
        this.core = core;
        this.callbacks = callbacks;
    }

    CompletableFuture<MqttMessage> request(MqttMessage request, Duration timeout) {
        CompletableFuture<MqttMessage> response = new CompletableFuture<>();
        if (!core.config().version().isV5()) {
            response.completeExceptionally(new MqttClientException(
                    "request/response needs MQTT 5.0 (Response Topic and Correlation Data): set version(MqttVersion.V5)"));
            return response;
        }
        String topic = request.responseTopic().orElseGet(this::defaultResponseTopic);
        byte[] correlation = request.correlationData()
                .orElseGet(() -> UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII));
        String key = new String(correlation, StandardCharsets.ISO_8859_1);
        if (waiting.putIfAbsent(key, response) != null) {
            response.completeExceptionally(new MqttClientException("a request with this correlation data is waiting already"));
            return response;
        }
        core.schedule(() -> {
            if (waiting.remove(key, response)) {
                callbacks.fail(response, new RequestTimeoutException("no response on " + topic + " within "
                        + timeout.toMillis() + " ms to the request on " + request.topic()));
            }
        }, timeout);
        MqttMessage withReply = new MqttMessage(request.topic(), request.payload(), request.qos(), request.retain(), false,
                withReplyTo(request.properties(), topic, correlation));
        subscribed(topic).thenCompose(sub -> {
            if (!sub.allGranted()) {
                throw new MqttClientException("the server refused the subscription to the response topic " + topic + ": "
                        + ReasonCodes.describe(sub.reasonCodes().get(0), sub.reasonString().orElse(null)));
            }
            return core.publish(withReply);
        }).whenComplete((published, failure) -> {
            if (failure != null && waiting.remove(key, response)) {
                response.completeExceptionally(failure instanceof CompletionException c && c.getCause() != null
                        ? c.getCause() : failure);
            }
        });
        return response;
    }

    CompletableFuture<SubscribeResult> respond(String topicFilter, Responder responder) {
        return core.subscribe(List.of(new Subscription(topicFilter, QoS.AT_LEAST_ONCE)), Properties.EMPTY, request -> {
            Optional<String> replyTo = request.responseTopic();
            if (replyTo.isEmpty()) {
                log.debug("a message on {} has no response topic: not a request", request.topic());
                return;
            }
            byte[] answer = responder.respond(request);
            if (answer == null) {
                return;
            }
            List<Property> properties = new ArrayList<>(1);
            request.correlationData().ifPresent(c -> properties.add(Property.of(PropertyId.CORRELATION_DATA, Bytes.of(c))));
            core.publish(new MqttMessage(replyTo.get(), answer, request.qos(), false, false, new Properties(properties)))
                    .whenComplete((r, e) -> {
                        if (e != null) {
                            log.warn("the response to a request on {} could not be published: {}", request.topic(), e.getMessage());
                        }
                    });
        });
    }

    /**
     * A topic of this client's own: the client id under the server's Response Information, the
     * base of response topics the server gave (often one for every client, e.g. {@code replies/}),
     * else under {@code starling/responses/}.
     */
    private String defaultResponseTopic() {
        ConnectResult connected = core.lastConnect();
        Optional<String> given = connected == null ? Optional.empty() : connected.responseInformation();
        String base = given.filter(t -> !t.isEmpty()).orElse("starling/responses/");
        return (base.endsWith("/") ? base : base + "/") + core.clientId();
    }

    /** The subscription to a response topic, made at its first request; one that failed is tried again next time. */
    private CompletableFuture<SubscribeResult> subscribed(String topic) {
        CompletableFuture<SubscribeResult> sub = responseTopics.computeIfAbsent(topic, t -> core.subscribe(
                List.of(new Subscription(t, QoS.AT_LEAST_ONCE)), Properties.EMPTY, this::onResponse));
        sub.whenComplete((result, failure) -> {
            if (failure != null || !result.allGranted()) {
                responseTopics.remove(topic, sub);
            }
        });
        return sub;
    }

    private void onResponse(MqttMessage message) {
        Optional<byte[]> correlation = message.correlationData();
        if (correlation.isEmpty()) {
            log.debug("a message on the response topic {} has no correlation data: ignored", message.topic());
            return;
        }
        CompletableFuture<MqttMessage> request = waiting.remove(new String(correlation.get(), StandardCharsets.ISO_8859_1));
        if (request != null) {
            request.complete(message);
        }
    }

    private static Properties withReplyTo(Properties properties, String topic, byte[] correlation) {
        List<Property> all = new ArrayList<>(properties.all().size() + 2);
        for (Property p : properties.all()) {
            if (p.id() != PropertyId.RESPONSE_TOPIC && p.id() != PropertyId.CORRELATION_DATA) {
                all.add(p);
            }
        }
        all.add(Property.of(PropertyId.RESPONSE_TOPIC, topic));
        all.add(Property.of(PropertyId.CORRELATION_DATA, Bytes.of(correlation)));
        return new Properties(all);
    }
}
