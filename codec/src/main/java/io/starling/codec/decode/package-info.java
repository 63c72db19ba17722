/** The streaming, strict packet decoder and its single failure type. */
@NullMarked
package io.starling.codec.decode;

import org.jspecify.annotations.NullMarked;
