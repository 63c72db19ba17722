package io.starling.broker.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link ConnectionLimits} and its {@link ConnectionRate} on a clock the test moves. */
class ConnectionLimitsTest {
    private long now = 1_000_000_000L;

    private ConnectionLimits limits(int brokerMax, BrokerConfig.Listener... listeners) {
        return new ConnectionLimits(config(brokerMax, listeners), () -> now);
    }

    private static BrokerConfig config(int brokerMax, BrokerConfig.Listener... listeners) {
        BrokerConfig.Limits defaults = BrokerConfig.Limits.defaults();
        BrokerConfig.Limits limits = new BrokerConfig.Limits(brokerMax, defaults.maxTopicLevels(), defaults.maxTopicLength(),
                defaults.maxSubscriptionsPerClient(), defaults.maxInboundMessageRate(), defaults.maxInboundByteRate(),
                defaults.maxInflightBytes(), defaults.maxQueuedBytes(), defaults.stuckClientTimeout());
        return BrokerConfig.defaults().inMemory().withListeners(List.of(listeners)).withLimits(limits);
    }

    private static BrokerConfig.Listener listener(int maxConnections, int maxConnectionRate) {
        return new BrokerConfig.Listener("127.0.0.1", 0).withConnectionLimits(maxConnections, maxConnectionRate);
    }

    /** Admits {@code n} connections on {@code listener}; returns each verdict (null: admitted). */
    private static List<ConnectionLimits.Refusal> admit(ConnectionLimits.Listener listener, int n) {
        List<ConnectionLimits.Refusal> verdicts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            verdicts.add(listener.admit());
        }
        return verdicts;
    }

    @Test
    @DisplayName("no limits: every connection is admitted and counted open")
    void unlimited() {
        ConnectionLimits limits = limits(0, listener(0, 0));
        assertThat(admit(limits.listener(0), 1000)).containsOnlyNulls();
        assertThat(limits.open()).isEqualTo(1000);
        assertThat(limits.listener(0).open()).isEqualTo(1000);
    }

    @Test
    @DisplayName("the broker's max_connections counts every listener; a close makes room for one more")
    void brokerMax() {
        ConnectionLimits limits = limits(3, listener(0, 0), listener(0, 0));
        assertThat(admit(limits.listener(0), 2)).containsOnlyNulls();
        assertThat(admit(limits.listener(1), 2)).containsExactly(null, ConnectionLimits.Refusal.BROKER_FULL);
        assertThat(limits.listener(0).admit()).isEqualTo(ConnectionLimits.Refusal.BROKER_FULL);
        assertThat(limits.open()).isEqualTo(3);
        limits.listener(0).closed();
        assertThat(limits.listener(1).admit()).isNull();
        assertThat(limits.listener(1).admit()).isEqualTo(ConnectionLimits.Refusal.BROKER_FULL);
        assertThat(limits.listener(0).open()).isEqualTo(1);
        assertThat(limits.listener(1).open()).isEqualTo(2);
    }

    @Test
    @DisplayName("a listener's max_connections limits that listener only")
    void listenerMax() {
        ConnectionLimits limits = limits(0, listener(2, 0), listener(0, 0));
        assertThat(admit(limits.listener(0), 3)).containsExactly(null, null, ConnectionLimits.Refusal.LISTENER_FULL);
        assertThat(admit(limits.listener(1), 5)).containsOnlyNulls();
        assertThat(limits.open()).isEqualTo(7);
    }

    @Test
    @DisplayName("max_connection_rate: a burst of one second's worth, then the rate; a refused connection takes no token")
    void rate() {
        ConnectionLimits limits = limits(0, listener(0, 4));
        ConnectionLimits.Listener listener = limits.listener(0);
        assertThat(admit(listener, 6)).containsExactly(null, null, null, null, ConnectionLimits.Refusal.RATE,
                ConnectionLimits.Refusal.RATE);
        assertThat(limits.open()).as("refused connections are not counted open").isEqualTo(4);
        now += TimeUnit.MILLISECONDS.toNanos(249);
        assertThat(listener.admit()).as("a quarter second less a millisecond: no token yet").isEqualTo(ConnectionLimits.Refusal.RATE);
        now += TimeUnit.MILLISECONDS.toNanos(1);
        assertThat(listener.admit()).as("a quarter second: one token").isNull();
        now += TimeUnit.SECONDS.toNanos(60);
        assertThat(admit(listener, 5)).as("a long pause refills to one second's worth only")
                .containsExactly(null, null, null, null, ConnectionLimits.Refusal.RATE);
    }

    @Test
    @DisplayName("a connection refused for a count takes no token from the rate")
    void countBeforeRate() {
        ConnectionLimits limits = limits(0, listener(1, 2));
        ConnectionLimits.Listener listener = limits.listener(0);
        assertThat(admit(listener, 3)).containsExactly(null, ConnectionLimits.Refusal.LISTENER_FULL,
                ConnectionLimits.Refusal.LISTENER_FULL);
        listener.closed();
        assertThat(listener.admit()).as("the second token is still there").isNull();
    }

    @Test
    @DisplayName("reload: new limits apply to the connections accepted after it; those open stay counted")
    void reload() {
        ConnectionLimits limits = limits(0, listener(1, 0), listener(0, 1));
        assertThat(limits.listener(0).admit()).isNull();
        assertThat(limits.listener(0).admit()).isEqualTo(ConnectionLimits.Refusal.LISTENER_FULL);
        assertThat(limits.listener(1).admit()).isNull();
        assertThat(limits.listener(1).admit()).isEqualTo(ConnectionLimits.Refusal.RATE);

        limits.reload(config(3, listener(2, 0), listener(0, 0)));
        assertThat(limits.listener(0).admit()).isNull();
        assertThat(limits.listener(0).admit()).as("listener 0 has its 2").isEqualTo(ConnectionLimits.Refusal.LISTENER_FULL);
        assertThat(limits.listener(1).admit()).as("the broker's 3 are open").isEqualTo(ConnectionLimits.Refusal.BROKER_FULL);
        limits.listener(0).closed();
        assertThat(limits.listener(1).admit()).as("room again, and no rate any more (the clock has not moved)").isNull();

        limits.reload(config(1, listener(0, 0), listener(0, 0)));
        assertThat(limits.open()).as("lowering a limit closes nothing").isEqualTo(3);
        assertThat(limits.listener(1).admit()).isEqualTo(ConnectionLimits.Refusal.BROKER_FULL);
    }
}
