package io.starling.cli.bench.engine;

import io.starling.cli.bench.stats.BenchSummary;
import java.io.PrintStream;
import java.util.concurrent.CompletableFuture;

/**
 * One bench run: {@link #run()} once, {@link #stop()} from another thread to end it early (Ctrl-C).
 * Holds what every bench has: its settings, the control that ends it, the future that says the
 * measured part began, and where progress lines go.
 */
public abstract sealed class LoadBench permits ConnBench, PubBench, SubBench, PubSubBench {
    final BenchSettings settings;
    final RunControl control = new RunControl();
    final CompletableFuture<Void> started = new CompletableFuture<>();
    final PrintStream progressOut;

    LoadBench(BenchSettings settings, PrintStream progressOut) {
        this.settings = settings;
        this.progressOut = progressOut;
    }

    /**
     * Runs the bench to its end and returns what it measured.
     *
     * @throws BenchException when the broker cannot be reached or refuses a connection or subscription
     */
    public abstract BenchSummary run();

    /** Ends the run early, as Ctrl-C does; the summary is still produced. Thread-safe. */
    public final void stop() {
        control.interrupt();
    }

    /**
     * Completes once every connection is ready (conn: open or failed; sub: subscribed) and the
     * measured part of the run begins.
     */
    public final CompletableFuture<Void> started() {
        return started;
    }

    /** The measured duration in nanoseconds, 0 when only a count bounds the run. */
    final long durationNanos() {
        return settings.duration() == null ? 0 : settings.duration().toNanos();
    }
}
