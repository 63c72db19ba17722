package io.starling.codec.decode;

import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an MQTT 5.0 property list (section 2.2.2): a property length, then identifier and value
 * pairs. An identifier that does not exist or does not belong in the packet makes the packet
 * Malformed; a property repeated where it may appear once, or a value the specification rules
 * out, is a Protocol Error.
 */
final class PropertiesDecoder {
    private PropertiesDecoder() {}

    /** Reads the properties of a packet of {@code type}, or of a will when {@code will} is true. */
    static Properties read(PacketReader reader, PacketType type, boolean will) {
        int length = reader.vbi("property length");
        if (length == 0) {
            return Properties.EMPTY;
        }
        PacketReader in = reader.sub(length, "property list");
        String where = will ? "will properties" : type.name();
        List<Property> list = new ArrayList<>();
        Set<PropertyId> seen = EnumSet.noneOf(PropertyId.class);
        while (in.hasRemaining()) {
            int identifier = in.vbi("property identifier");
            PropertyId id = PropertyId.of(identifier);
            if (id == null) {
                throw in.malformed("§2.2.2.2", "0x" + Integer.toHexString(identifier) + " is not a property identifier");
            }
            boolean allowed = will ? id.isAllowedInWill() : id.isAllowedIn(type);
            if (!allowed) {
                throw in.malformed("§2.2.2.2", id + " is not valid in " + where);
            }
            boolean repeatable = will ? id == PropertyId.USER_PROPERTY : id.isRepeatableIn(type);
            if (!seen.add(id) && !repeatable) {
                throw in.protocolError("§2.2.2.2", id + " appears more than once in " + where);
            }
            Property property = new Property(id, readValue(in, id));
            check(in, property, where);
            list.add(property);
        }
        return new Properties(list);
    }

    private static Object readValue(PacketReader in, PropertyId id) {
        String what = id.name();
        return switch (id.type()) {
            case BYTE -> (long) in.u8(what);
            case TWO_BYTE_INTEGER -> (long) in.u16(what);
            case FOUR_BYTE_INTEGER -> in.u32(what);
            case VARIABLE_BYTE_INTEGER -> (long) in.vbi(what);
            case UTF8_STRING -> in.string(what);
            case BINARY_DATA -> in.binary(what);
            case UTF8_STRING_PAIR -> new UserProperty(in.string("user property name"), in.string("user property value"));
        };
    }

    /** Values the specification rules out although the data type allows them. */
    private static void check(PacketReader in, Property p, String where) {
        switch (p.id()) {
            case PAYLOAD_FORMAT_INDICATOR, REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION,
                    MAXIMUM_QOS, RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTION_AVAILABLE,
                    SUBSCRIPTION_IDENTIFIER_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE -> {
                if (p.longValue() > 1) {
                    throw in.protocolError(section(p.id(), where), p.id() + " must be 0 or 1, not " + p.longValue());
                }
            }
            case RECEIVE_MAXIMUM, MAXIMUM_PACKET_SIZE, SUBSCRIPTION_IDENTIFIER -> {
                if (p.longValue() == 0) {
                    throw in.protocolError(section(p.id(), where), p.id() + " must not be 0");
                }
            }
            case TOPIC_ALIAS -> {
                if (p.longValue() == 0) {
                    throw new PacketDecodeException(ReasonCode.TOPIC_ALIAS_INVALID, "MQTT-3.3.2-8",
                            "a Topic Alias of 0 is not permitted");
                }
            }
            case RESPONSE_TOPIC -> {
                String topic = p.stringValue();
                if (topic.isEmpty() || Topics.hasWildcard(topic)) {
                    throw in.protocolError("MQTT-3.3.2-14", "the Response Topic in " + where
                            + " must be a topic name without wildcards: '" + topic + "'");
                }
            }
            default -> {
                // no constraint beyond the data type
            }
        }
    }

    /** The section of MQTT 5.0 that defines each constrained property in the packet at hand. */
    private static String section(PropertyId id, String where) {
        boolean connAck = where.equals(PacketType.CONNACK.name());
        return switch (id) {
            case PAYLOAD_FORMAT_INDICATOR -> where.equals("will properties") ? "§3.1.3.2.3" : "§3.3.2.3.2";
            case REQUEST_PROBLEM_INFORMATION -> "§3.1.2.11.7";
            case REQUEST_RESPONSE_INFORMATION -> "§3.1.2.11.6";
            case MAXIMUM_QOS -> "§3.2.2.3.4";
            case RETAIN_AVAILABLE -> "§3.2.2.3.5";
            case WILDCARD_SUBSCRIPTION_AVAILABLE -> "§3.2.2.3.11";
            case SUBSCRIPTION_IDENTIFIER_AVAILABLE -> "§3.2.2.3.12";
            case SHARED_SUBSCRIPTION_AVAILABLE -> "§3.2.2.3.13";
            case RECEIVE_MAXIMUM -> connAck ? "§3.2.2.3.3" : "§3.1.2.11.3";
            case MAXIMUM_PACKET_SIZE -> connAck ? "§3.2.2.3.6" : "§3.1.2.11.4";
            case SUBSCRIPTION_IDENTIFIER -> where.equals(PacketType.PUBLISH.name()) ? "§3.3.2.3.8" : "§3.8.2.1.2";
            default -> "§2.2.2.2";
        };
    }
}
