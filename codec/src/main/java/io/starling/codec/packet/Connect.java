package io.starling.codec.packet;

import io.starling.codec.property.Properties;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import org.jspecify.annotations.Nullable;

/**
 * CONNECT: the first packet a client sends. {@code cleanStart} is 3.1.1's Clean Session flag and
 * 5.0's Clean Start flag. In 3.1 and 3.1.1 a password needs a user name [MQTT-3.1.2-22]; 5.0
 * allows one without the other.
 */
public record Connect(
        MqttVersion version,
        String clientId,
        boolean cleanStart,
        int keepAlive,
        @Nullable String username,
        @Nullable Bytes password,
        @Nullable Will will,
        Properties properties) implements Packet {

    public Connect {
        MqttStrings.require(clientId, "client identifier");
        if (keepAlive < 0 || keepAlive > 0xFFFF) {
            throw new IllegalArgumentException("keep alive is 0 to 65535 seconds, not " + keepAlive);
        }
        if (username != null) {
            MqttStrings.require(username, "user name");
        }
        if (version != MqttVersion.V5 && password != null && username == null) {
            throw new IllegalArgumentException("[MQTT-3.1.2-22] a 3.1/3.1.1 password needs a user name");
        }
        properties.requireAllowedIn(PacketType.CONNECT, false);
    }

    /** A CONNECT without credentials, will or properties. */
    public Connect(MqttVersion version, String clientId, boolean cleanStart, int keepAlive) {
        this(version, clientId, cleanStart, keepAlive, null, null, null, Properties.EMPTY);
    }

    @Override
    public PacketType type() {
        return PacketType.CONNECT;
    }
}
