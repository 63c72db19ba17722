/**
 * {@code starling pub} and {@code starling sub}: command-line clients that take the flags of
 * {@code mosquitto_pub} and {@code mosquitto_sub} with the same meaning, exit codes and error
 * messages, built on the Starling client library.
 */
@NullMarked
package io.starling.cli.client;

import org.jspecify.annotations.NullMarked;
