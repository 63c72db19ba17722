package io.starling.codec.property;

import io.starling.codec.wire.MqttStrings;

/** An MQTT 5.0 user property: a name and value pair of UTF-8 strings. */
public record UserProperty(String name, String value) {
    public UserProperty {
        MqttStrings.require(name, "user property name");
        MqttStrings.require(value, "user property value");
    }
}
