/** The exact-size packet encoder. */
@NullMarked
package io.starling.codec.encode;

import org.jspecify.annotations.NullMarked;
