package io.starling.codec.property;

import static io.starling.codec.property.PropertyType.BINARY_DATA;
import static io.starling.codec.property.PropertyType.BYTE;
import static io.starling.codec.property.PropertyType.FOUR_BYTE_INTEGER;
import static io.starling.codec.property.PropertyType.TWO_BYTE_INTEGER;
import static io.starling.codec.property.PropertyType.UTF8_STRING;
import static io.starling.codec.property.PropertyType.UTF8_STRING_PAIR;
import static io.starling.codec.property.PropertyType.VARIABLE_BYTE_INTEGER;
import static io.starling.codec.wire.PacketType.AUTH;
import static io.starling.codec.wire.PacketType.CONNACK;
import static io.starling.codec.wire.PacketType.CONNECT;
import static io.starling.codec.wire.PacketType.DISCONNECT;
import static io.starling.codec.wire.PacketType.PUBACK;
import static io.starling.codec.wire.PacketType.PUBCOMP;
import static io.starling.codec.wire.PacketType.PUBLISH;
import static io.starling.codec.wire.PacketType.PUBREC;
import static io.starling.codec.wire.PacketType.PUBREL;
import static io.starling.codec.wire.PacketType.SUBACK;
import static io.starling.codec.wire.PacketType.SUBSCRIBE;
import static io.starling.codec.wire.PacketType.UNSUBACK;
import static io.starling.codec.wire.PacketType.UNSUBSCRIBE;

import io.starling.codec.wire.PacketType;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The 27 MQTT 5.0 property identifiers (section 2.2.2.2), each with its data type, the packets
 * (and whether the will properties of CONNECT) it may appear in, and whether it may repeat.
 */
public enum PropertyId {
    PAYLOAD_FORMAT_INDICATOR(0x01, BYTE, true, PUBLISH),
    MESSAGE_EXPIRY_INTERVAL(0x02, FOUR_BYTE_INTEGER, true, PUBLISH),
    CONTENT_TYPE(0x03, UTF8_STRING, true, PUBLISH),
    RESPONSE_TOPIC(0x08, UTF8_STRING, true, PUBLISH),
    CORRELATION_DATA(0x09, BINARY_DATA, true, PUBLISH),
    /** Repeats in PUBLISH (one per matching subscription), once in SUBSCRIBE. */
    SUBSCRIPTION_IDENTIFIER(0x0B, VARIABLE_BYTE_INTEGER, false, PUBLISH, SUBSCRIBE),
    SESSION_EXPIRY_INTERVAL(0x11, FOUR_BYTE_INTEGER, false, CONNECT, CONNACK, DISCONNECT),
    ASSIGNED_CLIENT_IDENTIFIER(0x12, UTF8_STRING, false, CONNACK),
    SERVER_KEEP_ALIVE(0x13, TWO_BYTE_INTEGER, false, CONNACK),
    AUTHENTICATION_METHOD(0x15, UTF8_STRING, false, CONNECT, CONNACK, AUTH),
    AUTHENTICATION_DATA(0x16, BINARY_DATA, false, CONNECT, CONNACK, AUTH),
    REQUEST_PROBLEM_INFORMATION(0x17, BYTE, false, CONNECT),
    WILL_DELAY_INTERVAL(0x18, FOUR_BYTE_INTEGER, true),
    REQUEST_RESPONSE_INFORMATION(0x19, BYTE, false, CONNECT),
    RESPONSE_INFORMATION(0x1A, UTF8_STRING, false, CONNACK),
    SERVER_REFERENCE(0x1C, UTF8_STRING, false, CONNACK, DISCONNECT),
    REASON_STRING(0x1F, UTF8_STRING, false,
            CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK, DISCONNECT, AUTH),
    RECEIVE_MAXIMUM(0x21, TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
    TOPIC_ALIAS_MAXIMUM(0x22, TWO_BYTE_INTEGER, false, CONNECT, CONNACK),
    TOPIC_ALIAS(0x23, TWO_BYTE_INTEGER, false, PUBLISH),
    MAXIMUM_QOS(0x24, BYTE, false, CONNACK),
    RETAIN_AVAILABLE(0x25, BYTE, false, CONNACK),
    /** The only property allowed everywhere, any number of times. */
    USER_PROPERTY(0x26, UTF8_STRING_PAIR, true, CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL,
            PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, DISCONNECT, AUTH),
    MAXIMUM_PACKET_SIZE(0x27, FOUR_BYTE_INTEGER, false, CONNECT, CONNACK),
    WILDCARD_SUBSCRIPTION_AVAILABLE(0x28, BYTE, false, CONNACK),
    SUBSCRIPTION_IDENTIFIER_AVAILABLE(0x29, BYTE, false, CONNACK),
    SHARED_SUBSCRIPTION_AVAILABLE(0x2A, BYTE, false, CONNACK);

    private static final @Nullable PropertyId[] BY_ID = new PropertyId[0x2B];

    static {
        for (PropertyId id : values()) {
            BY_ID[id.id] = id;
        }
    }

    private final int id;
    private final PropertyType type;
    private final boolean inWill;
    @SuppressWarnings("ImmutableEnumChecker") // set once by the constructor, never changed or handed out
    private final Set<PacketType> packets;

    PropertyId(int id, PropertyType type, boolean inWill, PacketType... packets) {
        this.id = id;
        this.type = type;
        this.inWill = inWill;
        this.packets = packets.length == 0 ? EnumSet.noneOf(PacketType.class) : EnumSet.of(packets[0], packets);
    }

    /** The identifier byte on the wire. */
    public int id() {
        return id;
    }

    public PropertyType type() {
        return type;
    }

    /** Whether this property may appear in packets of the given type. */
    public boolean isAllowedIn(PacketType packetType) {
        return packets.contains(packetType);
    }

    /** Whether this property may appear among the will properties of a CONNECT. */
    public boolean isAllowedInWill() {
        return inWill;
    }

    /** Whether this property may appear more than once in a packet of the given type. */
    public boolean isRepeatableIn(PacketType packetType) {
        return this == USER_PROPERTY || (this == SUBSCRIPTION_IDENTIFIER && packetType == PUBLISH);
    }

    /** The property with the given identifier, or null if there is none. */
    public static @Nullable PropertyId of(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
