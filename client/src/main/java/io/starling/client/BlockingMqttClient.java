package io.starling.client;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The operations of an {@link MqttClient}, each waiting for its completion, up to a timeout (60 s
 * unless {@link #withTimeout} says otherwise). A failure is thrown as {@link MqttClientException};
 * a timeout too, though the operation itself goes on (a QoS 1 message may still be delivered).
 * Do not call these from a listener running on the I/O thread.
 */
public final class BlockingMqttClient implements AutoCloseable {
    private final MqttClient client;
    private final Duration timeout;

    BlockingMqttClient(MqttClient client) {
        this(client, Duration.ofSeconds(60));
    }

    private BlockingMqttClient(MqttClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** This facade with another timeout per operation. */
    public BlockingMqttClient withTimeout(Duration timeout) {
        return new BlockingMqttClient(client, timeout);
    }

    /** The asynchronous client behind this facade. */
    public MqttClient async() {
        return client;
    }

    public ConnectResult connect() {
        return await(client.connect(), "connect");
    }

    /** Publishes; returns the server's answer (a 5.0 refusal is thrown as {@link PublishRefusedException}). */
    public PublishResult publish(MqttMessage message) {
        return await(client.publish(message), "publish");
    }

    public PublishResult publish(String topic, byte[] payload, QoS qos, boolean retain) {
        return await(client.publish(topic, payload, qos, retain), "publish");
    }

    public SubscribeResult subscribe(String topicFilter, QoS qos, MessageListener listener) {
        return await(client.subscribe(topicFilter, qos, listener), "subscribe");
    }

    public SubscribeResult subscribe(List<Subscription> subscriptions, @Nullable MessageListener listener) {
        return await(client.subscribe(subscriptions, listener), "subscribe");
    }

    /** Subscribes with MQTT 5.0 SUBSCRIBE properties (see {@link MqttClient#subscribe(List, Properties, MessageListener)}). */
    public SubscribeResult subscribe(List<Subscription> subscriptions, Properties properties, @Nullable MessageListener listener) {
        return await(client.subscribe(subscriptions, properties, listener), "subscribe");
    }

    public UnsubscribeResult unsubscribe(String... topicFilters) {
        return await(client.unsubscribe(topicFilters), "unsubscribe");
    }

    /** Sends a request and returns its response (MQTT 5.0; see {@link MqttClient#request(MqttMessage, Duration)}). */
    public MqttMessage request(MqttMessage request, Duration responseTimeout) {
        return await(client.request(request, responseTimeout), "request");
    }

    public void disconnect() {
        await(client.disconnect(), "disconnect");
    }

    public void disconnect(ReasonCode reasonCode, Properties properties) {
        await(client.disconnect(reasonCode, properties), "disconnect");
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() {
        client.close();
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof MqttClientException mce) {
                throw mce;
            }
            // CompletableFuture always gives a cause, but ExecutionException may be made without one
            Throwable failure = cause != null ? cause : e;
            throw new MqttClientException(what + " failed: " + failure, failure);
        } catch (TimeoutException e) {
            throw new MqttClientException(what + " did not complete within " + timeout);
        } catch (CancellationException e) {
            throw new MqttClientException(what + " was cancelled", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MqttClientException(what + " was interrupted", e);
        }
    }
}
