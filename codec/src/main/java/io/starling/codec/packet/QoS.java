package io.starling.codec.packet;


/** Quality of service of an application message, with its wire value. */
public enum QoS {
    AT_MOST_ONCE(0),
    AT_LEAST_ONCE(1),
    EXACTLY_ONCE(2);

    private static final QoS[] BY_VALUE = new QoS[3];

    static {
        for (QoS qos : values()) {
            BY_VALUE[qos.value] = qos;
        }
    }

    private final int value;

    QoS(int value) {
        this.value = value;
    }

    /** The wire value, 0 to 2. */
    public int value() {
        return value;
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
        return a.value <= b.value ? a : b;
    }
}
