/**
 * The Starling MQTT client: {@link io.starling.client.MqttClient} (asynchronous, every operation a
 * {@link java.util.concurrent.CompletableFuture}) and {@link io.starling.client.BlockingMqttClient}
 * (the same operations, waiting). Build one with {@link io.starling.client.MqttClient#builder()}.
 */
@NullMarked
package io.starling.client;

import org.jspecify.annotations.NullMarked;
