package io.starling.broker.internal.protocol;

import java.util.concurrent.TimeUnit;

/**
 * Keep-alive: a connection must send CONNECT within {@link #CONNECT_TIMEOUT_SECONDS}; after that,
 * a client with a non-zero keep alive that sends nothing for one and a half times it is
 * disconnected [MQTT-3.1.2-24]; a keep alive of 0 turns the check off. Both limits are one timer
 * of the {@link Connection} itself, which closes the connection (publishing the will) when it runs
 * out, except while the broker holds the client back by not reading from it.
 */
final class KeepAlive {
    /** How long a new connection may take to send its CONNECT. */
    public static final int CONNECT_TIMEOUT_SECONDS = 10;
    static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(CONNECT_TIMEOUT_SECONDS);
    /** The keep alive of a connection whose CONNECT has not been accepted yet. */
    static final int AWAITING_CONNECT = -1;

    private KeepAlive() {}

    /**
     * How long a client with {@code keepAliveSeconds} (or {@link #AWAITING_CONNECT}) may stay
     * silent, in nanoseconds; 0 for no limit.
     */
    static long limitNanos(int keepAliveSeconds) {
        if (keepAliveSeconds == AWAITING_CONNECT) {
            return CONNECT_TIMEOUT_NANOS;
        }
        // [MQTT-3.1.2-24] one and a half times the keep alive
        return TimeUnit.MILLISECONDS.toNanos(keepAliveSeconds * 1500L);
    }
}
