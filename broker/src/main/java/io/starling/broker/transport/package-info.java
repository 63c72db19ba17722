/** Transport pieces other listeners of the broker share with its MQTT listeners (TLS for the HTTP listener). */
@NullMarked
package io.starling.broker.transport;

import org.jspecify.annotations.NullMarked;
