/** The Starling MQTT broker; {@link io.starling.broker.Broker} is its composition root and embedding API. */
@NullMarked
package io.starling.broker;

import org.jspecify.annotations.NullMarked;
