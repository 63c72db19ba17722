package io.starling.codec.property;

import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttStrings;

/**
 * One property: an identifier and a value of its type. Integers of every width are held as
 * {@code Long}, strings as {@code String}, binary data as {@link Bytes} and pairs as
 * {@link UserProperty}.
 */
public record Property(PropertyId id, Object value) {
    public Property {
        PropertyType type = id.type();
        boolean fits = switch (type) {
            case BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER ->
                    value instanceof Long n && n >= 0 && n <= type.maxValue();
            case UTF8_STRING -> value instanceof String s && MqttStrings.encodedLength(s) >= 0;
            case BINARY_DATA -> value instanceof Bytes;
            case UTF8_STRING_PAIR -> value instanceof UserProperty;
        };
        if (!fits) {
            throw new IllegalArgumentException(id + " takes a " + type + ", not " + value);
        }
    }

    public static Property of(PropertyId id, long value) {
        return new Property(id, value);
    }

    public static Property of(PropertyId id, String value) {
        return new Property(id, value);
    }

    public static Property of(PropertyId id, Bytes value) {
        return new Property(id, value);
    }

    public static Property user(String name, String value) {
        return new Property(PropertyId.USER_PROPERTY, new UserProperty(name, value));
    }

    public long longValue() {
        return (Long) value;
    }

    public String stringValue() {
        return (String) value;
    }

    public Bytes bytesValue() {
        return (Bytes) value;
    }

    public UserProperty userProperty() {
        return (UserProperty) value;
    }
}
