package io.starling.client;

import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An application message, as published or as received. The payload array is owned by the message:
 * the constructor does not copy it, so do not change it after handing it over.
 *
 * @param topic the topic name (no wildcards)
 * @param payload the payload bytes, possibly empty
 * @param qos the quality of service it was published or delivered with
 * @param retain the RETAIN flag: on publish, store it as the topic's retained message; on
 *     receipt, it was sent because of a retained message when subscribing
 * @param dup on receipt, the server may have sent it before; ignored on publish
 * @param properties MQTT 5.0 properties; {@link Properties#EMPTY} for 3.1 and 3.1.1. On publish,
 *     those a PUBLISH may carry (a will's: those a will may carry, with Will Delay Interval); a
 *     Topic Alias is the client's to set, not the application's, and a Subscription Identifier (of a
 *     received message published again) is left out. {@link #builder} sets them by name.
 */
@SuppressWarnings("ArrayRecordComponent") // equals and hashCode below compare the payload's bytes
public record MqttMessage(String topic, byte[] payload, QoS qos, boolean retain, boolean dup, Properties properties) {
    public MqttMessage {
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("[MQTT-4.7.3-1] a topic name is at least one character");
        }
        if (Topics.hasWildcard(topic)) {
            throw new IllegalArgumentException("[MQTT-3.3.2-2] a topic name has no wildcards: " + topic);
        }
    }

    /** A message to publish, without properties. */
    public MqttMessage(String topic, byte[] payload, QoS qos, boolean retain) {
        this(topic, payload, qos, retain, false, Properties.EMPTY);
    }

    /** A builder of a message to {@code topic}: QoS 0, not retained, empty payload, no properties. */
    public static MqttMessageBuilder builder(String topic) {
        return new MqttMessageBuilder(topic);
    }

    /** Message Expiry Interval in seconds; on receipt, what is left of it. */
    public OptionalLong messageExpiryInterval() {
        return properties.integer(PropertyId.MESSAGE_EXPIRY_INTERVAL);
    }

    /** Whether the Payload Format Indicator says the payload is UTF-8 text. */
    public boolean payloadIsUtf8() {
        return properties.integer(PropertyId.PAYLOAD_FORMAT_INDICATOR).orElse(0) == 1;
    }

    public Optional<String> contentType() {
        return properties.string(PropertyId.CONTENT_TYPE);
    }

    /** Where the receiver of a request sends its response. */
    public Optional<String> responseTopic() {
        return properties.string(PropertyId.RESPONSE_TOPIC);
    }

    /** Correlation Data: what ties a response to its request. */
    public Optional<byte[]> correlationData() {
        return properties.binary(PropertyId.CORRELATION_DATA).map(Bytes::toArray);
    }

    public List<UserProperty> userProperties() {
        return properties.userProperties();
    }

    /** On receipt, the identifiers of the subscriptions that matched (MQTT 5.0). */
    public List<Long> subscriptionIdentifiers() {
        return properties.subscriptionIdentifiers();
    }

    /** The payload decoded as UTF-8, for display. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MqttMessage m && topic.equals(m.topic) && Arrays.equals(payload, m.payload)
                && qos == m.qos && retain == m.retain && dup == m.dup && properties.equals(m.properties);
    }

    @Override
    public int hashCode() {
        return topic.hashCode() * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "MqttMessage[topic=" + topic + ", qos=" + qos.value() + ", retain=" + retain + ", dup=" + dup
                + ", payload=" + payload.length + " bytes]";
    }
}
