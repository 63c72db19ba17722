package io.starling.cli.client;

import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.PacketType;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The first word of {@code -D command identifier value}: the packet (or the will) a property goes
 * into, named as mosquitto's clients name them, in any case. The tools send properties with
 * CONNECT, PUBLISH, SUBSCRIBE, UNSUBSCRIBE, DISCONNECT and the will; the other names are known,
 * so that mosquitto's message for them ("not supported") is given rather than "Invalid command".
 */
enum PropertyCommand {
    CONNECT(PacketType.CONNECT, true),
    CONNACK(PacketType.CONNACK, false),
    PUBLISH(PacketType.PUBLISH, true),
    PUBACK(PacketType.PUBACK, false),
    PUBREC(PacketType.PUBREC, false),
    PUBREL(PacketType.PUBREL, false),
    PUBCOMP(PacketType.PUBCOMP, false),
    SUBSCRIBE(PacketType.SUBSCRIBE, true),
    UNSUBSCRIBE(PacketType.UNSUBSCRIBE, true),
    DISCONNECT(PacketType.DISCONNECT, true),
    AUTH(PacketType.AUTH, false),
    /** The will's properties, sent in CONNECT. */
    WILL(PacketType.CONNECT, true);

    private final PacketType packet;
    private final boolean sent;

    PropertyCommand(PacketType packet, boolean sent) {
        this.packet = packet;
        this.sent = sent;
    }

    /** The command named {@code name} in any case (mosquitto_string_to_command), or null. */
    static @Nullable PropertyCommand named(String name) {
        for (PropertyCommand command : values()) {
            if (command.name().equalsIgnoreCase(name)) {
                return command;
            }
        }
        return null;
    }

    /** Whether MQTT 5.0 lets {@code id} appear in this packet (section 2.2.2.2), or in a will (3.1.3.2). */
    boolean allows(PropertyId id) {
        return this == WILL ? id.isAllowedInWill() : id.isAllowedIn(packet);
    }

    /**
     * Whether the tools send {@code id} with this command: the packet must be one they send, and a
     * Subscription Identifier in PUBLISH is the server's to set [MQTT-3.3.4-6].
     */
    boolean sends(PropertyId id) {
        return sent && !(this == PUBLISH && id == PropertyId.SUBSCRIPTION_IDENTIFIER);
    }

    /** The name of {@code id} in {@code -D} and in -F's JSON: {@code message-expiry-interval}. */
    static String propertyName(PropertyId id) {
        return id.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The property named {@code name} in any case (mosquitto_string_to_property_info), or null. */
    static @Nullable PropertyId property(String name) {
        for (PropertyId id : PropertyId.values()) {
            if (propertyName(id).equalsIgnoreCase(name)) {
                return id;
            }
        }
        return null;
    }
}
