package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.PacketType;
import java.util.List;

/** SUBSCRIBE: at least one subscription [MQTT-3.8.3-3]. */
public record Subscribe(int packetId, List<Subscription> subscriptions, Properties properties) implements Packet {
    public Subscribe {
        PacketChecks.requirePacketId(packetId);
        subscriptions = List.copyOf(subscriptions);
        if (subscriptions.isEmpty()) {
            throw new IllegalArgumentException("[MQTT-3.8.3-3] a SUBSCRIBE has at least one subscription");
        }
        properties.requireAllowedIn(PacketType.SUBSCRIBE, false);
    }

    public Subscribe(int packetId, List<Subscription> subscriptions) {
        this(packetId, subscriptions, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.SUBSCRIBE;
    }
}
