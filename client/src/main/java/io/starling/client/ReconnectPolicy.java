package io.starling.client;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When the client reconnects by itself after an established connection is lost: after {@code
 * initialDelay}, doubling on every failed attempt up to {@code maxDelay}, each wait drawn at random
 * between half and all of that delay ("equal jitter") so that many clients cut off together do
 * not come back together. The first {@link MqttClient#connect()} is never retried: its future
 * fails and the caller decides.
 */
public record ReconnectPolicy(boolean enabled, Duration initialDelay, Duration maxDelay) {
    /** Reconnect after 1 s, 2 s, 4 s ... up to 60 s, with jitter. The builder's default. */
    public static final ReconnectPolicy DEFAULT = new ReconnectPolicy(true, Duration.ofSeconds(1), Duration.ofSeconds(60));

    /** Never reconnect by itself. */
    public static final ReconnectPolicy DISABLED = new ReconnectPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(60));

    public ReconnectPolicy {
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("the initial reconnect delay must be positive, not " + initialDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("the maximum reconnect delay " + maxDelay + " is below the initial " + initialDelay);
        }
    }

    /** Reconnecting with these delays. */
    public static ReconnectPolicy exponential(Duration initialDelay, Duration maxDelay) {
        return new ReconnectPolicy(true, initialDelay, maxDelay);
    }

    /** The wait before reconnect attempt {@code attempt} (1 for the first), jitter included. */
    public Duration delay(int attempt, RandomGenerator random) {
        long initial = initialDelay.toMillis();
        long max = maxDelay.toMillis();
        int doublings = Math.min(Math.max(attempt - 1, 0), 30);
        long ceiling = Math.min(max, initial << doublings);
        if (ceiling <= 0) {
            ceiling = max;
        }
        long half = ceiling / 2;
        return Duration.ofMillis(half + random.nextLong(ceiling - half + 1));
    }
}
