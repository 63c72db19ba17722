package io.starling.broker.internal.transport;

import java.util.function.LongSupplier;

/**
 * A token bucket for {@code max_connection_rate}: up to {@code perSecond} connections at once,
 * refilled at {@code perSecond} a second, so that a listener takes a burst of one second's worth
 * and then the rate. Used by one thread only: the listener's acceptor.
 */
final class ConnectionRate {
    private static final double NANOS_PER_SECOND = 1e9;

    private final int perSecond;
    private final LongSupplier nanoTime;
    private double tokens;
    private long refilledAt;

    ConnectionRate(int perSecond, LongSupplier nanoTime) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("a connection rate is 1 or more a second, not " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanoTime = nanoTime;
        this.tokens = perSecond;
        this.refilledAt = nanoTime.getAsLong();
    }

    /** The new connections a second this bucket lets through. */
    int perSecond() {
        return perSecond;
    }

    /** Takes a token for one new connection; false when none is left. */
    boolean tryAcquire() {
        long now = nanoTime.getAsLong();
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            tokens = Math.min(perSecond, tokens + elapsed * perSecond / NANOS_PER_SECOND);
            refilledAt = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
