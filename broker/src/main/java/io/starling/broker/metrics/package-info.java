/** Counters of what the broker did, dropped messages among them. */
@NullMarked
package io.starling.broker.metrics;

import org.jspecify.annotations.NullMarked;
