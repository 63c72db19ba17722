/**
 * The broker's counts as Micrometer meters, for {@code /metrics} in the Prometheus text format:
 * {@link io.starling.http.metrics.BrokerMeters#bind} registers them (named {@code starling_*}, and
 * the JVM's as Micrometer names them) and {@link io.starling.http.metrics.BrokerMeters#close}
 * removes them. Nothing here runs on the broker's hot path: counters and gauges read the broker's
 * own counters when the registry is scraped. The reference is docs/metrics.md.
 */
@NullMarked
package io.starling.http.metrics;

import org.jspecify.annotations.NullMarked;
