package io.starling.cli.bench;

import java.util.concurrent.CompletableFuture;

/** One bench run: {@link #run()} once, {@link #stop()} from another thread to end it early (Ctrl-C). */
public interface LoadBench {
    /**
     * Runs the bench to its end and returns what it measured.
     *
     * @throws BenchException when the broker cannot be reached or refuses a connection or subscription
     */
    BenchSummary run();

    /** Ends the run early, as Ctrl-C does; the summary is still produced. Thread-safe. */
    void stop();

    /** Completes once every connection is ready and the measured part of the run begins. */
    CompletableFuture<Void> started();
}
