/**
 * The bytes the bench writes and reads by hand, where going through the codec's packet records
 * for every message would make the bench slower than the broker it measures: the bench header at
 * the start of every payload, a PUBLISH encoded once by the codec and patched per message, the
 * framing of received PUBLISH packets without decoding them, and the four-byte acknowledgements.
 * MQTT 3.1, 3.1.1 and 5.0 (without properties on what the bench sends); the tests check each
 * against the codec byte for byte.
 */
@NullMarked
package io.starling.cli.bench.wire;

import org.jspecify.annotations.NullMarked;
