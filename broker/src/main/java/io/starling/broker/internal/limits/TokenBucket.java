package io.starling.broker.internal.limits;

/**
 * A token bucket for one rate: it holds at most one second's worth of tokens, refills at the
 * rate, and may go into debt, which is how long the taker must wait. The rate is given on each
 * call, so that a rate changed at run time applies from the next call. One thread only.
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1e9;

    private double tokens;
    private long refilledAt;
    private boolean started;

    /**
     * Takes {@code amount} tokens at {@code perSecond} (0: no limit); returns how long in
     * nanoseconds to wait before taking more: 0 while the bucket is not in debt.
     */
    long take(long amount, long perSecond, long now) {
        if (perSecond <= 0) {
            started = false; // no limit: nothing owed, and a full bucket should a limit come
            return 0;
        }
        refill(perSecond, now);
        tokens -= amount;
        return owed(perSecond);
    }

    /** How long in nanoseconds until the bucket is out of debt at {@code perSecond}; 0 when it is. */
    long waitNanos(long perSecond, long now) {
        if (perSecond <= 0 || !started) {
            return 0;
        }
        refill(perSecond, now);
        return owed(perSecond);
    }

    private void refill(long perSecond, long now) {
        if (!started) {
            started = true;
            tokens = perSecond; // a full bucket: a burst of one second's worth
        } else {
            long elapsed = now - refilledAt;
            if (elapsed > 0) {
                tokens = Math.min(perSecond, tokens + elapsed * (perSecond / NANOS_PER_SECOND));
            }
        }
        refilledAt = now;
    }

    private long owed(long perSecond) {
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * NANOS_PER_SECOND / perSecond);
    }
}
