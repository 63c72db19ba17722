package io.starling.broker.internal.transport;

import io.starling.broker.config.BrokerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The connection limits of the whole broker and of each listener: {@code max_connections} open at
 * once (global and per listener) and {@code max_connection_rate} new connections a second per
 * listener. A connection is judged when it is accepted, before it has a pipeline; a connection
 * beyond a limit is closed at once, as Mosquitto does. The limits can be replaced while the broker
 * runs ({@link #reload}); connections already open stay open even if a lowered limit now counts
 * them too many.
 */
public final class ConnectionLimits {
    /** Why a connection was refused. */
    enum Refusal {
        /** The broker's {@code max_connections} is reached. */
        BROKER_FULL,
        /** The listener's {@code max_connections} is reached. */
        LISTENER_FULL,
        /** The listener's {@code max_connection_rate} is exceeded. */
        RATE
    }

    private final AtomicInteger open = new AtomicInteger();
    private final LongSupplier nanoTime;
    private final List<Listener> listeners = new ArrayList<>();
    private volatile int maxConnections;

    ConnectionLimits(BrokerConfig config, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.maxConnections = config.limits().maxConnections();
        for (BrokerConfig.Listener listener : config.listeners()) {
            listeners.add(new Listener(listener));
        }
    }

    /** The limits of {@code config}, on the system's clock. */
    static ConnectionLimits of(BrokerConfig config) {
        return new ConnectionLimits(config, System::nanoTime);
    }

    /** The limits of the listener at {@code index} in the configuration's order. */
    Listener listener(int index) {
        return listeners.get(index);
    }

    /** Connections open on every listener together. */
    int open() {
        return open.get();
    }

    /**
     * Takes the limits of {@code config}: the broker's, and each listener's from the listener at the
     * same position (listeners added or removed take a restart, and are not touched here).
     */
    void reload(BrokerConfig config) {
        maxConnections = config.limits().maxConnections();
        int n = Math.min(listeners.size(), config.listeners().size());
        for (int i = 0; i < n; i++) {
            listeners.get(i).reload(config.listeners().get(i));
        }
    }

    /** One listener's limits and count; {@link #admit} is called by its acceptor thread only. */
    final class Listener {
        private final AtomicInteger open = new AtomicInteger();
        private volatile int maxConnections;
        private volatile @Nullable ConnectionRate rate;

        private Listener(BrokerConfig.Listener config) {
            reload(config);
        }

        private void reload(BrokerConfig.Listener config) {
            maxConnections = config.maxConnections();
            ConnectionRate current = rate;
            int perSecond = config.maxConnectionRate();
            if (perSecond == 0) {
                rate = null;
            } else if (current == null || current.perSecond() != perSecond) {
                rate = new ConnectionRate(perSecond, nanoTime);
            }
        }

        /**
         * Admits one new connection, counting it open, or says why not. The counts come first, so
         * that a connection refused for them takes no token from the rate.
         */
        @Nullable Refusal admit() {
            int listenerMax = maxConnections;
            if (listenerMax > 0 && open.get() >= listenerMax) {
                return Refusal.LISTENER_FULL;
            }
            int brokerMax = ConnectionLimits.this.maxConnections;
            AtomicInteger all = ConnectionLimits.this.open;
            if (all.incrementAndGet() > brokerMax && brokerMax > 0) {
                all.decrementAndGet();
                return Refusal.BROKER_FULL;
            }
            ConnectionRate bucket = rate;
            if (bucket != null && !bucket.tryAcquire()) {
                all.decrementAndGet();
                return Refusal.RATE;
            }
            open.incrementAndGet();
            return null;
        }

        /** An admitted connection closed. */
        void closed() {
            open.decrementAndGet();
            ConnectionLimits.this.open.decrementAndGet();
        }

        /** Connections open on this listener. */
        int open() {
            return open.get();
        }

        int maxConnections() {
            return maxConnections;
        }

        int maxConnectionRate() {
            ConnectionRate bucket = rate;
            return bucket == null ? 0 : bucket.perSecond();
        }

        int brokerMaxConnections() {
            return ConnectionLimits.this.maxConnections;
        }
    }
}
