/** MQTT 5.0 properties: identifiers, data types and where each may appear. */
@NullMarked
package io.starling.codec.property;

import org.jspecify.annotations.NullMarked;
