package io.starling.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What the MQTT 5.0 client tests run against: real Starling brokers on 127.0.0.1 ephemeral ports,
 * {@link TcpProxy}s in front of them, and the clients under test, all closed by {@link #close()}
 * (clients first, then proxies, then brokers).
 */
final class BrokerTestBed implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    /** Short delays, so that a cut-off client is back within a second. */
    static final ReconnectPolicy FAST = ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(200));

    private final List<Broker> brokers = new ArrayList<>();
    private final List<TcpProxy> proxies = new ArrayList<>();
    private final List<MqttClient> clients = new ArrayList<>();

    /** An in-memory broker's configuration with one listener on 127.0.0.1, any free port. */
    static BrokerConfig config() {
        return BrokerConfig.defaults().inMemory().onLoopback();
    }

    /** The broker's MQTT 5.0 offers: the defaults but for these. */
    static BrokerConfig.Mqtt5 mqtt5(int maxKeepAlive, int receiveMaximum, QoS maximumQos, boolean retainAvailable,
            int topicAliasMaximum, String responseInformation) {
        return new BrokerConfig.Mqtt5(maxKeepAlive, receiveMaximum, maximumQos, retainAvailable, topicAliasMaximum,
                responseInformation);
    }

    Broker broker() throws IOException {
        return broker(config());
    }

    Broker broker(BrokerConfig config) throws IOException {
        Broker broker = Broker.start(config);
        brokers.add(broker);
        return broker;
    }

    TcpProxy proxy(int targetPort) throws IOException {
        TcpProxy proxy = new TcpProxy(targetPort);
        proxies.add(proxy);
        return proxy;
    }

    /** An MQTT 5.0 client of {@code port} on 127.0.0.1 that does not reconnect by itself. */
    static MqttClientBuilder v5(int port, String clientId) {
        return MqttClient.builder().host("127.0.0.1").port(port).version(MqttVersion.V5).clientId(clientId)
                .reconnect(ReconnectPolicy.DISABLED);
    }

    MqttClient client(MqttClientBuilder builder) {
        MqttClient client = builder.build();
        clients.add(client);
        return client;
    }

    /** A client connected with {@code builder}. */
    MqttClient connected(MqttClientBuilder builder) {
        MqttClient client = client(builder);
        done(client.connect());
        return client;
    }

    /** An MQTT 5.0 client connected to {@code broker} as {@code clientId}. */
    MqttClient connected(Broker broker, String clientId) {
        return connected(v5(broker.port(), clientId));
    }

    /** The value {@code future} completes with, waiting up to {@link #WAIT}. */
    static <T> T done(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("the future failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the future did not complete within " + WAIT, e);
        }
    }

    /** Why {@code future} failed, waiting up to {@link #WAIT}; an assertion error if it completes. */
    static Throwable failure(CompletableFuture<?> future) {
        try {
            Object value = future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            throw new AssertionError("the future completed with " + value + " instead of failing");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("the future did not fail within " + WAIT, e);
        }
    }

    /** Asserts that {@code future} failed with {@code type}, and returns the failure. */
    static <E extends Throwable> E failure(CompletableFuture<?> future, Class<E> type) {
        Throwable cause = failure(future);
        assertThat(cause).isInstanceOf(type);
        return type.cast(cause);
    }

    @Override
    public void close() {
        clients.forEach(MqttClient::close);
        for (TcpProxy proxy : proxies) {
            try {
                proxy.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        brokers.forEach(Broker::close);
    }
}
