/**
 * What a bench run measured, and how it is reported: latencies recorded without contention into
 * one HdrHistogram recorder per event loop, and their percentiles; single-writer counters and the
 * connection counts; per-publisher sequence tracking that counts losses, duplicates and
 * reordering exactly; the summary as text and as one JSON line; and the progress line printed
 * every second. The engine records into these; nothing here opens a connection or sends a packet.
 */
@NullMarked
package io.starling.cli.bench.stats;

import org.jspecify.annotations.NullMarked;
