/** The MQTT flows, one class each: connect, publish in, publish out, subscribe, keep-alive and will. */
@NullMarked
package io.starling.broker.internal.protocol;

import org.jspecify.annotations.NullMarked;

