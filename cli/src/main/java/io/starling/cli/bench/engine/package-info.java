/**
 * The engine of {@code starling bench}: an MQTT load generator that drives the wire itself on
 * Netty with the shared codec, so that the generator is not the bottleneck of what it measures. A
 * run ({@link io.starling.cli.bench.engine.PubSubBench}, {@link io.starling.cli.bench.engine.PubBench},
 * {@link io.starling.cli.bench.engine.SubBench} or {@link io.starling.cli.bench.engine.ConnBench},
 * each built from its options record and returning a {@link io.starling.cli.bench.stats.BenchSummary})
 * opens its connections on one event loop group; publishers send pre-encoded PUBLISH packets,
 * patching only the packet identifier and the payload header (send time, publisher index,
 * sequence number) per message, at a fixed rate or as fast as the in-flight window and the
 * subscribers' backlog allow; subscribers hand every payload header to the statistics; and the run
 * control ends the run at its deadline, its count or Ctrl-C.
 */
@NullMarked
package io.starling.cli.bench.engine;

import org.jspecify.annotations.NullMarked;
