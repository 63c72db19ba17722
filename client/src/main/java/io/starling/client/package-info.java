/**
 * The Starling MQTT client: {@link io.starling.client.MqttClient} (asynchronous, every operation a
 * {@link java.util.concurrent.CompletableFuture}) and {@link io.starling.client.BlockingMqttClient}
 * (the same operations, waiting). Build one with {@link io.starling.client.MqttClient#builder()}.
 *
 * <p>The client's protocol engine (the connection state and the publish and subscription flows)
 * lives here too, package-private: it works in the API's own types, so keeping it beside them keeps
 * the package free of a cycle with {@link io.starling.client.internal}, which holds the plumbing
 * beneath it.
 */
@NullMarked
package io.starling.client;

import org.jspecify.annotations.NullMarked;
