package io.starling.codec.packet;

/** MQTT 5.0 subscription option: when retained messages are sent for a new subscription. */
public enum RetainHandling {
    SEND_ON_SUBSCRIBE,
    SEND_IF_NEW_SUBSCRIPTION,
    DO_NOT_SEND;

    private static final RetainHandling[] BY_VALUE = values();

    public int value() {
        return ordinal();
    }

    /** The option for a wire value 0 to 2; 3 is a protocol error and not an option. */
    public static RetainHandling of(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("not a retain handling option: " + value);
        }
        return BY_VALUE[value];
    }
}
