package io.starling.codec.packet;


/** MQTT 5.0 subscription option: when retained messages are sent for a new subscription. */
public enum RetainHandling {
    SEND_ON_SUBSCRIBE(0),
    SEND_IF_NEW_SUBSCRIPTION(1),
    DO_NOT_SEND(2);

    private static final RetainHandling[] BY_VALUE = new RetainHandling[3];

    static {
        for (RetainHandling option : values()) {
            BY_VALUE[option.value] = option;
        }
    }

    private final int value;

    RetainHandling(int value) {
        this.value = value;
    }

    /** The wire value, 0 to 2. */
    public int value() {
        return value;
    }

    /** The option for a wire value 0 to 2; 3 is a protocol error and not an option. */
    public static RetainHandling of(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("not a retain handling option: " + value);
        }
        return BY_VALUE[value];
    }
}
