/**
 * The {@code $SYS/broker/...} topics, as Mosquitto names them: the broker's counts, rates and
 * state, published as retained messages every {@code sys_interval} seconds.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.sys;

import org.jspecify.annotations.NullMarked;
