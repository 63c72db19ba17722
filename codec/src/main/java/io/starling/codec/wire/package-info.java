/** Wire primitives: variable byte integers, strict UTF-8 strings, topic name and filter rules. */
@NullMarked
package io.starling.codec.wire;

import org.jspecify.annotations.NullMarked;
