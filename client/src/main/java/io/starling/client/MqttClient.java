package io.starling.client;

import io.starling.client.internal.SharedFilters;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.PacketType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * An MQTT client with an asynchronous API: every operation returns at once with a {@link
 * CompletableFuture} that completes when the protocol says the operation is done, or fails with
 * an {@link MqttClientException}. All methods are thread-safe.
 *
 * <pre>{@code
 * try (MqttClient client = MqttClient.builder().host("localhost").clientId("sensor-7").build()) {
 *     client.connect().join();
 *     client.subscribe("alerts/#", QoS.AT_LEAST_ONCE, m -> System.out.println(m.payloadAsString())).join();
 *     client.publish("sensors/7/temp", "21.5".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> The protocol runs on one Netty I/O thread per client. Message listeners,
 * connection listeners and the completion of every future run on the callback executor (by
 * default one thread of the client's own), so a callback may block or call the client without
 * stalling the connection.
 *
 * <p><b>Connection loss.</b> Publishes made while disconnected, or beyond the in-flight window,
 * wait in a buffer of {@link MqttClientBuilder#maxBufferedMessages} messages and are sent once
 * connected; one more fails with {@link MessageBufferFullException}. With a {@link
 * ReconnectPolicy} enabled (the default) the client reconnects after losing an established
 * connection. On a persistent session (clean session false) that the server kept, it re-sends
 * every unacknowledged PUBLISH with DUP set, and PUBREL, under the same packet identifiers
 * [MQTT-4.4.0-1]; if the session is new (clean session, or the server lost it), it re-subscribes
 * every subscription and publishes the unacknowledged messages afresh. SUBSCRIBE and UNSUBSCRIBE
 * made while disconnected wait for the connection too.
 */
public final class MqttClient implements AutoCloseable {
    private final ClientCore core;

    MqttClient(MqttClientConfig config) {
        this.core = new ClientCore(config);
    }

    /** A builder with the defaults of {@link MqttClientBuilder}. */
    public static MqttClientBuilder builder() {
        return new MqttClientBuilder();
    }

    public MqttClientConfig config() {
        return core.config();
    }

    /**
     * Opens the connection and sends CONNECT; completes with the CONNACK. A refusing CONNACK fails
     * it with {@link ConnectionRefusedException}; a network error or the connect timeout with
     * {@link MqttClientException}. Not retried by the reconnect policy.
     */
    public CompletableFuture<ConnectResult> connect() {
        return core.connect();
    }

    /**
     * Publishes a message. Completes at QoS 0 when the PUBLISH was written to the socket, at QoS 1
     * on PUBACK, at QoS 2 on PUBCOMP, with the server's reason code (MQTT 5.0). A reason code of
     * 0x80 or more fails it with {@link PublishRefusedException}; a message the server said it
     * does not take (too large, QoS above its maximum, retain unavailable) fails at once with
     * {@link ServerLimitException}.
     */
    public CompletableFuture<PublishResult> publish(MqttMessage message) {
        return core.publish(message);
    }

    /** Publishes {@code payload} to {@code topic}. */
    public CompletableFuture<PublishResult> publish(String topic, byte[] payload, QoS qos, boolean retain) {
        return core.publish(new MqttMessage(topic, payload, qos, retain));
    }

    /** Subscribes to one filter; its messages go to {@code listener}. Completes with the SUBACK. */
    public CompletableFuture<SubscribeResult> subscribe(String topicFilter, QoS qos, MessageListener listener) {
        return core.subscribe(List.of(new Subscription(topicFilter, qos)), Properties.EMPTY, listener);
    }

    /** Subscribes to one filter; its messages go to the client's global message listener. */
    public CompletableFuture<SubscribeResult> subscribe(String topicFilter, QoS qos) {
        return core.subscribe(List.of(new Subscription(topicFilter, qos)), Properties.EMPTY, null);
    }

    /**
     * Subscribes to several filters in one SUBSCRIBE. Their messages go to {@code listener}, or to
     * the global listener if it is null. A message that matches the filters of several
     * subscriptions reaches each of their listeners once; the global listener gets the messages
     * that no subscription's listener took.
     */
    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> subscriptions, @Nullable MessageListener listener) {
        if (subscriptions.isEmpty()) {
            throw new IllegalArgumentException("[MQTT-3.8.3-3] a SUBSCRIBE has at least one topic filter");
        }
        requireValid(subscriptions, Properties.EMPTY);
        return core.subscribe(List.copyOf(subscriptions), Properties.EMPTY, listener);
    }

    /**
     * Subscribes with MQTT 5.0 SUBSCRIBE properties: a Subscription Identifier ({@code
     * Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 7)}, given back on every message it
     * matches) and user properties. Each {@link Subscription} carries its options: QoS, No Local,
     * Retain As Published and Retain Handling. A shared subscription is a filter like any other:
     * {@code $share/group/sensors/#}.
     */
    public CompletableFuture<SubscribeResult> subscribe(List<Subscription> subscriptions, Properties properties,
            @Nullable MessageListener listener) {
        if (subscriptions.isEmpty()) {
            throw new IllegalArgumentException("[MQTT-3.8.3-3] a SUBSCRIBE has at least one topic filter");
        }
        properties.requireAllowedIn(PacketType.SUBSCRIBE, false);
        requireValid(subscriptions, properties);
        return core.subscribe(List.copyOf(subscriptions), properties, listener);
    }

    /**
     * Refuses what the server would answer with a Protocol Error, and a reconnecting client would
     * then send again and again: No Local on a shared subscription [MQTT-3.8.3-4], Subscription Identifier 0.
     */
    private static void requireValid(List<Subscription> subscriptions, Properties properties) {
        for (Subscription s : subscriptions) {
            if (s.noLocal() && SharedFilters.isShared(s.topicFilter())) {
                throw new IllegalArgumentException("[MQTT-3.8.3-4] No Local on the shared subscription " + s.topicFilter()
                        + " is a protocol error");
            }
        }
        if (properties.integer(PropertyId.SUBSCRIPTION_IDENTIFIER).orElse(1) == 0) {
            throw new IllegalArgumentException("a Subscription Identifier is 1 to 268435455, not 0");
        }
    }

    /** Unsubscribes from filters; completes with the UNSUBACK. */
    public CompletableFuture<UnsubscribeResult> unsubscribe(String... topicFilters) {
        if (topicFilters.length == 0) {
            throw new IllegalArgumentException("[MQTT-3.10.3-2] an UNSUBSCRIBE has at least one topic filter");
        }
        return core.unsubscribe(List.of(topicFilters), Properties.EMPTY);
    }

    /** Unsubscribes with MQTT 5.0 UNSUBSCRIBE properties (user properties). */
    public CompletableFuture<UnsubscribeResult> unsubscribe(List<String> topicFilters, Properties properties) {
        if (topicFilters.isEmpty()) {
            throw new IllegalArgumentException("[MQTT-3.10.3-2] an UNSUBSCRIBE has at least one topic filter");
        }
        properties.requireAllowedIn(PacketType.UNSUBSCRIBE, false);
        return core.unsubscribe(List.copyOf(topicFilters), properties);
    }

    /**
     * Sends DISCONNECT (the server then discards the will) and closes the connection; no
     * reconnect follows. Completes when the connection is closed. Unsent buffered publishes fail.
     */
    public CompletableFuture<Void> disconnect() {
        return core.disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.EMPTY);
    }

    /**
     * Disconnects with an MQTT 5.0 reason code and properties: {@link
     * ReasonCode#DISCONNECT_WITH_WILL_MESSAGE} asks the server to publish the will anyway; a
     * Session Expiry Interval property changes how long the server keeps the session (it cannot
     * become non-zero if the CONNECT's was zero, section 3.14.2.2.2).
     */
    public CompletableFuture<Void> disconnect(ReasonCode reasonCode, Properties properties) {
        if (!reasonCode.isAllowedIn(PacketType.DISCONNECT)) {
            throw new IllegalArgumentException(reasonCode + " is not a DISCONNECT reason code");
        }
        properties.requireAllowedIn(PacketType.DISCONNECT, false);
        return core.disconnect(reasonCode, properties);
    }

    /**
     * Re-authenticates on the open connection with the configured {@link EnhancedAuthentication}
     * (MQTT 5.0 AUTH 0x19); completes when the server answers AUTH 0x00 Success. A refusing server
     * closes the connection, failing the future.
     */
    public CompletableFuture<Void> reauthenticate() {
        return core.reauthenticate();
    }

    /**
     * Sends a request and completes with its response (MQTT 5.0 request/response): the request is
     * published at QoS 1 with a Response Topic and Correlation Data (a printable UUID), and the
     * first message on the response topic with the same correlation data completes the future.
     * The response topic is {@code <base>/<client id>}, where the base is the Response Information
     * the server gave, when the client asked for it with {@link
     * MqttClientBuilder#requestResponseInformation}, else {@code starling/responses}; the client
     * subscribes to it once, at the first request.
     * Fails with {@link RequestTimeoutException} when no response comes within {@code timeout}.
     */
    public CompletableFuture<MqttMessage> request(String topic, byte[] payload, Duration timeout) {
        return core.requests().request(new MqttMessage(topic, payload, QoS.AT_LEAST_ONCE, false), timeout);
    }

    /**
     * Sends {@code request} (with its own properties and QoS; its Response Topic and Correlation
     * Data, when it has them, are used as they are) and completes with the response.
     */
    public CompletableFuture<MqttMessage> request(MqttMessage request, Duration timeout) {
        return core.requests().request(request, timeout);
    }

    /**
     * Answers requests: subscribes to {@code topicFilter} at QoS 1 and, for each message with a
     * Response Topic, publishes what {@code responder} returns to that topic, with the request's
     * Correlation Data, at the request's QoS. A null answer sends nothing; a message without a
     * Response Topic is not a request and is ignored. Completes with the SUBACK.
     */
    public CompletableFuture<SubscribeResult> respond(String topicFilter, Responder responder) {
        return core.requests().respond(topicFilter, responder);
    }

    /** The client identifier in use: the configured one, or the one the server assigned (5.0). */
    public String clientId() {
        return core.clientId();
    }

    /** Whether a connection is open and accepted by the server right now. */
    public boolean isConnected() {
        return core.isConnected();
    }

    /** The same client with methods that wait. */
    public BlockingMqttClient blocking() {
        return new BlockingMqttClient(this);
    }

    /**
     * Disconnects if connected (waiting up to a few seconds for the DISCONNECT to be written), then
     * releases the client's threads. Pending futures fail. The client cannot be used again.
     */
    @Override
    public void close() {
        core.close();
    }
}
