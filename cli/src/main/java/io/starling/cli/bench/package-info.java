/**
 * {@code starling bench}: an MQTT load generator that drives the wire itself on Netty with the
 * shared codec, so that the generator is not the bottleneck of what it measures. Publishers send
 * pre-encoded PUBLISH packets, patching only the packet identifier and the payload header (send
 * time, publisher index, sequence number) per message; subscribers track every sequence number to
 * count losses, duplicates and reordering, and record latency in HdrHistogram.
 *
 * <p>Programmatic entry points: {@link io.starling.cli.bench.PubSubBench}, {@link
 * io.starling.cli.bench.PubBench}, {@link io.starling.cli.bench.SubBench} and {@link
 * io.starling.cli.bench.ConnBench}, each returning a {@link io.starling.cli.bench.BenchSummary}.
 */
@NullMarked
package io.starling.cli.bench;

import org.jspecify.annotations.NullMarked;
