/**
 * Peer brokers that {@code bench/scripts/compare-brokers.sh} measures beside Starling: HiveMQ CE,
 * run embedded from its Maven Central artifact on a loopback port.
 */
@NullMarked
package io.starling.bench.peers;

import org.jspecify.annotations.NullMarked;
