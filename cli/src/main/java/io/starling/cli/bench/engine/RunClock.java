package io.starling.cli.bench.engine;

/**
 * When the measured interval of a run starts (System.nanoTime()): after the warm-up. Nothing is
 * measured before it is set. Set by the thread running the bench, read by the event loops.
 */
final class RunClock {
    private volatile long measureStart;
    private volatile boolean started;

    /** Starts measuring at {@code nanoTime}, which may be in the future. */
    void measureFrom(long nanoTime) {
        measureStart = nanoTime;
        started = true;
    }

    /** Whether something that happened at {@code nanoTime} is in the measured interval. */
    boolean isMeasured(long nanoTime) {
        return started && nanoTime - measureStart >= 0;
    }

    long measureStart() {
        return measureStart;
    }
}
