package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;

/** The will message a CONNECT carries: published by the server if the connection ends without DISCONNECT. */
public record Will(String topic, Bytes payload, QoS qos, boolean retained, Properties properties) {
    public Will {
        MqttStrings.require(topic, "will topic");
        if (topic.isEmpty() || Topics.hasWildcard(topic)) {
            throw new IllegalArgumentException("a will topic is a non-empty topic name without wildcards: " + topic);
        }
        properties.requireAllowedIn(PacketType.CONNECT, true);
    }

    public Will(String topic, Bytes payload, QoS qos, boolean retained) {
        this(topic, payload, qos, retained, Properties.EMPTY);
    }
}
