package io.starling.client;

import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
 * @param properties MQTT 5.0 properties; {@link Properties#EMPTY} for 3.1 and 3.1.1
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
