package io.starling.cli.bench.stats;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.IdentityHashMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Latency samples in microseconds, recorded without contention: one HdrHistogram
 * {@link SingleWriterRecorder} per event loop, so a connection records into its own thread's
 * recorder. One reader at a time takes interval histograms ({@link #sampleInterval()}, once a
 * second for the progress line), which also accumulate into the run's total.
 */
public final class LatencyStats {
    /** One hour: anything slower is recorded as one hour. */
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    private static final int DIGITS = 3;

    private final IdentityHashMap<EventExecutor, SingleWriterRecorder> recorders = new IdentityHashMap<>();
    private final Histogram interval = newHistogram();
    private final Histogram sample = newHistogram();
    private final Histogram total = newHistogram();

    public LatencyStats(EventLoopGroup group) {
        for (EventExecutor loop : group) {
            recorders.put(loop, new SingleWriterRecorder(HIGHEST_MICROS, DIGITS));
        }
    }

    static Histogram newHistogram() {
        return new Histogram(HIGHEST_MICROS, DIGITS);
    }

    /** The recorder that code running on {@code loop} records into. */
    public SingleWriterRecorder recorderFor(EventExecutor loop) {
        SingleWriterRecorder recorder = recorders.get(loop);
        if (recorder == null) {
            throw new IllegalArgumentException(loop + " is not an event loop of this bench");
        }
        return recorder;
    }

    /** Records {@code nanos} as microseconds, clamped to 0 .. one hour. */
    public static void record(SingleWriterRecorder recorder, long nanos) {
        recorder.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000)));
    }

    /**
     * What was recorded since the last call, merged over the event loops, and added to the total.
     * The returned histogram is reused by the next call.
     */
    public synchronized Histogram sampleInterval() {
        interval.reset();
        for (SingleWriterRecorder recorder : recorders.values()) {
            recorder.getIntervalHistogramInto(sample);
            interval.add(sample);
        }
        total.add(interval);
        return interval;
    }

    /** Everything sampled so far; call {@link #sampleInterval()} first to include the latest samples. */
    public synchronized Percentiles total() {
        return Percentiles.of(total);
    }

}
