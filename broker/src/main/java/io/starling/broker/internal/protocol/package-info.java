/**
 * The MQTT flows, one class each: connect, publish in, publish out, subscribe, keep-alive and will.
 *
 * <p>Internal to the broker: not part of the embedding API, and changed without notice.
 */
@NullMarked
package io.starling.broker.internal.protocol;

import org.jspecify.annotations.NullMarked;

