package io.starling.codec.packet;

/** Quality of service of an application message. */
public enum QoS {
    AT_MOST_ONCE,
    AT_LEAST_ONCE,
    EXACTLY_ONCE;

    private static final QoS[] BY_VALUE = values();

    /** The wire value, 0 to 2. */
    public int value() {
        return ordinal();
    }

    /** The QoS for a wire value; 3 and other values are not QoS levels. */
    public static QoS of(int value) {
        if (value < 0 || value > 2) {
            throw new IllegalArgumentException("not a QoS level: " + value);
        }
        return BY_VALUE[value];
    }

    /** The lower of two levels: what a subscriber receives [MQTT-3.8.4-6]. */
    public static QoS min(QoS a, QoS b) {
        return a.ordinal() <= b.ordinal() ? a : b;
    }
}
