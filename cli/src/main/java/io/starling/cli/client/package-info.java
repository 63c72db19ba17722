/**
 * {@code starling pub}, {@code starling sub} and {@code starling rr}: command-line clients that
 * take the flags of {@code mosquitto_pub}, {@code mosquitto_sub} and {@code mosquitto_rr} with the
 * same meaning, exit codes and error messages, in MQTT 3.1, 3.1.1 and 5.0, built on the Starling
 * client library.
 */
@NullMarked
package io.starling.cli.client;

import org.jspecify.annotations.NullMarked;
