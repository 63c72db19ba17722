/**
 * Wire primitives: variable byte integers, strict UTF-8 strings, binary data, the packet type of
 * the fixed header, protocol versions, topic name and filter rules. The bottom of the codec: it
 * uses no other codec package, and {@code property}, {@code packet}, {@code decode} and
 * {@code encode} build on it in that order.
 */
@NullMarked
package io.starling.codec.wire;

import org.jspecify.annotations.NullMarked;

