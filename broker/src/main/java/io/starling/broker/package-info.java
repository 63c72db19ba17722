/**
 * The Starling MQTT broker. {@link io.starling.broker.Broker} is its composition root and the
 * embedding API, together with what it exposes: the configuration ({@link
 * io.starling.broker.config}), the counters ({@link io.starling.broker.metrics}), the message model
 * ({@link io.starling.broker.model}) and the plug-in interfaces ({@link io.starling.broker.spi}).
 * Everything under {@link io.starling.broker.internal} is internal.
 */
@NullMarked
package io.starling.broker;

import org.jspecify.annotations.NullMarked;

