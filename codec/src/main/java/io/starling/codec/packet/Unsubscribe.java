package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.PacketType;
import java.util.List;

/** UNSUBSCRIBE: at least one topic filter [MQTT-3.10.3-2]. */
public record Unsubscribe(int packetId, List<String> topicFilters, Properties properties) implements Packet {
    public Unsubscribe {
        PacketChecks.requirePacketId(packetId);
        topicFilters = List.copyOf(topicFilters);
        if (topicFilters.isEmpty()) {
            throw new IllegalArgumentException("[MQTT-3.10.3-2] an UNSUBSCRIBE has at least one topic filter");
        }
        for (String filter : topicFilters) {
            MqttStrings.require(filter, "topic filter");
        }
        properties.requireAllowedIn(PacketType.UNSUBSCRIBE, false);
    }

    public Unsubscribe(int packetId, List<String> topicFilters) {
        this(packetId, topicFilters, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.UNSUBSCRIBE;
    }
}
