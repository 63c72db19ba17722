/**
 * Password files, public because the command line reads and writes them too ({@code starling
 * passwd}, {@code starling broker --check-config}): the format Starling shares with Mosquitto 2.0
 * ({@code user:$7$...} and {@code user:$6$...} lines as {@code mosquitto_passwd} writes them,
 * clear-text lines for older files) and Starling's own SCRAM-SHA-256 credentials. How the broker
 * uses them to let clients in is internal.
 */
@NullMarked
package io.starling.broker.auth;

import org.jspecify.annotations.NullMarked;
