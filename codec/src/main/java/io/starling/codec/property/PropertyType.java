package io.starling.codec.property;

/** The data types a property value can have (MQTT 5.0 section 1.5). */
public enum PropertyType {
    BYTE,
    TWO_BYTE_INTEGER,
    FOUR_BYTE_INTEGER,
    VARIABLE_BYTE_INTEGER,
    UTF8_STRING,
    BINARY_DATA,
    UTF8_STRING_PAIR;

    /** Whether values of this type are held as a {@code Long}. */
    public boolean isInteger() {
        return this == BYTE || this == TWO_BYTE_INTEGER || this == FOUR_BYTE_INTEGER
                || this == VARIABLE_BYTE_INTEGER;
    }

    /** The largest integer value of this type. */
    public long maxValue() {
        return switch (this) {
            case BYTE -> 0xFFL;
            case TWO_BYTE_INTEGER -> 0xFFFFL;
            case FOUR_BYTE_INTEGER -> 0xFFFF_FFFFL;
            case VARIABLE_BYTE_INTEGER -> 268_435_455L;
            default -> throw new IllegalStateException(this + " is not an integer type");
        };
    }
}
