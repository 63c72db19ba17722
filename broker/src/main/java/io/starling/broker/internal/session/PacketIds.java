package io.starling.broker.internal.session;



/**
 * Allocates the packet identifiers of the QoS 1 and 2 messages a session sends: 1 to 65535 in
 * turn, skipping those still in flight, so that an identifier is never reused while its flow is
 * open [MQTT-2.3.1-2].
 */
final class PacketIds {
    private int last;

    /** The next identifier not in use in {@code window}; the window is never full of all 65535. */
    public int next(InflightWindow window) {
        for (int i = 0; i < 65535; i++) {
            last = last == 65535 ? 1 : last + 1;
            if (!window.contains(last)) {
                return last;
            }
        }
        throw new IllegalStateException("all 65535 packet identifiers are in flight");
    }
}
