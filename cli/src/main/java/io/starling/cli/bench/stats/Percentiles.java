package io.starling.cli.bench.stats;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles in microseconds, from an HdrHistogram (3 significant digits, so a value is
 * exact to 0.1 %). {@code count} is the number of samples; with none, every figure is 0.
 *
 * @param count samples recorded
 * @param p50 median, µs
 * @param p99 99th percentile, µs
 * @param p999 99.9th percentile, µs
 * @param max largest sample, µs
 * @param mean arithmetic mean, µs
 */
public record Percentiles(long count, long p50, long p99, long p999, long max, double mean) {
    /** No samples. */
    public static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0, 0);

    /** The percentiles of {@code histogram}, whose values are microseconds. */
    public static Percentiles of(Histogram histogram) {
        if (histogram.getTotalCount() == 0) {
            return NONE;
        }
        return new Percentiles(histogram.getTotalCount(), histogram.getValueAtPercentile(50),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9),
                histogram.getMaxValue(), histogram.getMean());
    }
}
