package io.starling.codec.wire;

import org.jspecify.annotations.Nullable;

/** The protocol versions Starling speaks, with the protocol name and level their CONNECT carries. */
public enum MqttVersion {
    /** MQTT 3.1, protocol name {@code MQIsdp}, level 3. */
    V3_1("MQIsdp", 3),
    /** MQTT 3.1.1, protocol name {@code MQTT}, level 4. */
    V3_1_1("MQTT", 4),
    /** MQTT 5.0, protocol name {@code MQTT}, level 5. */
    V5("MQTT", 5);

    private final String protocolName;
    private final int level;

    MqttVersion(String protocolName, int level) {
        this.protocolName = protocolName;
        this.level = level;
    }

    public String protocolName() {
        return protocolName;
    }

    public int level() {
        return level;
    }

    /** True for 5.0, the only version with properties and reason codes on every acknowledgement. */
    public boolean isV5() {
        return this == V5;
    }

    /** The version a CONNECT names, or null when the name and level pair is not one Starling speaks. */
    public static @Nullable MqttVersion of(String protocolName, int level) {
        for (MqttVersion version : values()) {
            if (version.level == level && version.protocolName.equals(protocolName)) {
                return version;
            }
        }
        return null;
    }
}
