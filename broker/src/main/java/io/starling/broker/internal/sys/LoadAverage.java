package io.starling.broker.internal.sys;

/**
 * One of the {@code $SYS/broker/load/...} values: an exponentially decaying average of a per-minute
 * rate over a window of 1, 5 or 15 minutes, as Mosquitto computes it. Each round, with the rate
 * measured over the {@code t} seconds since the last one, the average becomes
 * {@code rate + e^(-t/window) * (average - rate)}; it starts at 0. Used by one thread.
 */
final class LoadAverage {
    /** The smallest change that is published again: the last digit of {@code "%.2f"}. */
    static final double RESOLUTION = 0.01;

    private final double windowSeconds;
    private double value;

    LoadAverage(double windowSeconds) {
        this.windowSeconds = windowSeconds;
    }

    /**
     * Folds in {@code ratePerMinute}, measured over {@code elapsedSeconds}; true when the average
     * moved by {@link #RESOLUTION} or more, and so is worth publishing again.
     */
    boolean update(double ratePerMinute, double elapsedSeconds) {
        double decay = Math.exp(-elapsedSeconds / windowSeconds);
        double next = ratePerMinute + decay * (value - ratePerMinute);
        boolean moved = Math.abs(next - value) >= RESOLUTION;
        value = next;
        return moved;
    }

    double value() {
        return value;
    }

    /** The average as Mosquitto writes it: two decimals. */
    String formatted() {
        return SysTopics.twoDecimals(value);
    }
}
