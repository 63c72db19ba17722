package io.starling.cli.client.format;

import io.starling.client.MqttMessage;
import java.time.Instant;

/**
 * A message as sub and rr print it: the message, what the client library keeps to itself (the
 * packet identifier it came with, the topic alias the broker used), and when it was printed.
 *
 * @param message the message
 * @param packetId the PUBLISH's packet identifier; 0 at QoS 0 (mosquitto's {@code %m})
 * @param topicAlias the Topic Alias of the PUBLISH, or 0 (MQTT 5.0, {@code %A})
 * @param time when it is printed ({@code %I}, {@code @H}, the JSON's {@code tst})
 */
public record ReceivedMessage(MqttMessage message, int packetId, int topicAlias, Instant time) {}
