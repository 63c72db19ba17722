/** The immutable MQTT packet model shared by every protocol version. */
@NullMarked
package io.starling.codec.packet;

import org.jspecify.annotations.NullMarked;
