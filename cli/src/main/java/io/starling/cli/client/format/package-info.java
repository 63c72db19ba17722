/**
 * The -F output format of {@code starling sub} and {@code starling rr}: mosquitto_sub's grammar
 * ({@link io.starling.cli.client.format.OutputFormat}), its strftime conversions and its JSON,
 * written as mosquitto writes them.
 */
@NullMarked
package io.starling.cli.client.format;

import org.jspecify.annotations.NullMarked;
