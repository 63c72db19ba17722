package io.starling.broker.internal.transport;

import static io.starling.broker.internal.transport.WebSocketTransportTest.CONNACK;
import static io.starling.broker.internal.transport.WebSocketTransportTest.connect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection limits on a live broker: {@code max_connections} of the broker and of a listener,
 * {@code max_connection_rate}, and replacing them while it runs. A refused connection is closed
 * before anything is read from it; an admitted one is answered CONNACK.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectionLimitTest {
    private Broker broker;
    private final List<Socket> open = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : open) {
            socket.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static BrokerConfig config(int brokerMax, BrokerConfig.Listener... listeners) {
        BrokerConfig.Limits d = BrokerConfig.Limits.defaults();
        return BrokerConfig.defaults().inMemory().withListeners(List.of(listeners)).withLimits(new BrokerConfig.Limits(brokerMax,
                d.maxTopicLevels(), d.maxTopicLength(), d.maxSubscriptionsPerClient(), d.maxInboundMessageRate(),
                d.maxInboundByteRate(), d.maxInflightBytes(), d.maxQueuedBytes(), d.stuckClientTimeout()));
    }

    private static BrokerConfig.Listener listener(int maxConnections, int maxConnectionRate) {
        return new BrokerConfig.Listener("127.0.0.1", 0).withConnectionLimits(maxConnections, maxConnectionRate);
    }

    private int port(int listener) {
        return broker.addresses().get(listener).getPort();
    }

    /**
     * Connects to {@code listener} and sends CONNECT: true when CONNACK comes (the socket is kept
     * open), false when the broker closes the connection instead.
     */
    private boolean connects(int listener, String clientId) throws IOException {
        Socket socket = new Socket("127.0.0.1", port(listener));
        socket.setSoTimeout(5000);
        try {
            socket.getOutputStream().write(connect(clientId));
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(4);
            if (answer.length == 0) {
                socket.close();
                return false;
            }
            assertThat(answer).containsExactly(CONNACK);
            open.add(socket);
            return true;
        } catch (SocketException reset) {
            socket.close();
            return false;
        }
    }

    /** Closes the {@code index}th open connection and waits until the broker has seen it close. */
    private void closeOne(int index) throws IOException {
        long closed = broker.metrics().connectionsClosed.sum();
        open.remove(index).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.metrics().connectionsClosed.sum() == closed + 1);
    }

    @Test
    @DisplayName("the broker's max_connections counts the connections of every listener")
    void brokerMax() throws Exception {
        broker = Broker.start(config(2, listener(0, 0), listener(0, 0)));
        assertThat(connects(0, "limit-a1")).isTrue();
        assertThat(connects(1, "limit-b1")).isTrue();
        assertThat(connects(0, "limit-a2")).isFalse();
        assertThat(connects(1, "limit-b2")).isFalse();
        assertThat(broker.metrics().connectionsRefusedAtLimit.sum()).isEqualTo(2);
        closeOne(0);
        assertThat(connects(1, "limit-b3")).as("a closed connection makes room").isTrue();
        assertThat(connects(0, "limit-a3")).isFalse();
        assertThat(broker.metrics().connectionsRefusedAtLimit.sum()).isEqualTo(3);
        assertThat(broker.metrics().connectionsOpened.sum()).as("refused ones never reach a pipeline").isEqualTo(3);
    }

    @Test
    @DisplayName("a listener's max_connections limits that listener only")
    void listenerMax() throws Exception {
        broker = Broker.start(config(0, listener(1, 0), listener(0, 0)));
        assertThat(connects(0, "listener-a1")).isTrue();
        assertThat(connects(0, "listener-a2")).isFalse();
        assertThat(connects(1, "listener-b1")).isTrue();
        assertThat(connects(1, "listener-b2")).isTrue();
        assertThat(connects(1, "listener-b3")).isTrue();
        assertThat(broker.metrics().connectionsRefusedAtLimit.sum()).isEqualTo(1);
    }

    @Test
    @DisplayName("max_connection_rate: within a second, one connection a second lets one of three through")
    void rate() throws Exception {
        broker = Broker.start(config(0, listener(0, 1)));
        long start = System.nanoTime();
        int accepted = 0;
        for (int i = 0; i < 3; i++) {
            accepted += connects(0, "rate-" + i) ? 1 : 0;
        }
        long elapsedSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        // exactly one when the three took less than a second, as they do but on a machine stalled for seconds
        assertThat(accepted).isBetween(1, (int) Math.min(3, 1 + elapsedSeconds));
        assertThat(broker.metrics().connectionsRefusedByRate.sum()).isEqualTo(3 - accepted);
        assertThat(broker.metrics().connectionsRefusedAtLimit.sum()).isZero();
    }

    @Test
    @DisplayName("a reload: raised, lowered and removed limits apply to the next connections")
    void reload() throws Exception {
        BrokerConfig config = config(0, listener(1, 0));
        broker = Broker.start(config);
        assertThat(connects(0, "reload-1")).isTrue();
        assertThat(connects(0, "reload-2")).isFalse();

        broker.reload(config(0, listener(2, 0)));
        assertThat(connects(0, "reload-3")).isTrue();
        assertThat(connects(0, "reload-4")).isFalse();

        broker.reload(config(1, listener(0, 0)));
        assertThat(connects(0, "reload-5")).as("the broker's limit of 1 is exceeded already").isFalse();
        assertThat(open).as("lowering a limit closes nothing").hasSize(2);

        broker.reload(config(0, listener(0, 0)));
        assertThat(connects(0, "reload-6")).isTrue();
        assertThat(broker.metrics().connectionsRefusedAtLimit.sum()).isEqualTo(3);
    }
}
