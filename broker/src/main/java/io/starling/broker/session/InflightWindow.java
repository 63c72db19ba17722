package io.starling.broker.session;

import io.starling.broker.routing.Message;
import io.starling.broker.store.QueueRef;
import io.starling.codec.packet.QoS;
import java.util.Collection;
import java.util.LinkedHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The QoS 1 and 2 messages a session has sent and the client has not yet acknowledged, by packet
 * identifier, in the order they were first sent: that is the order they are re-sent in on
 * reconnect [MQTT-4.4.0-1] [MQTT-4.6.0-1].
 */
public final class InflightWindow {
    /**
     * One open flow. {@code released} is set once PUBREC arrived and PUBREL was sent: the message
     * is then delivered, and only PUBCOMP is awaited.
     */
    public static final class Entry {
        public final int packetId;
        public final Message message;
        public final QoS qos;
        public final boolean retain;
        /** Its queue entry in the store, or null when it is not stored. */
        public final @Nullable QueueRef stored;
        public boolean released;

        Entry(int packetId, Message message, QoS qos, boolean retain, @Nullable QueueRef stored) {
            this.packetId = packetId;
            this.message = message;
            this.qos = qos;
            this.retain = retain;
            this.stored = stored;
        }
    }

    private final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>();

    public Entry add(int packetId, Message message, QoS qos, boolean retain, @Nullable QueueRef stored) {
        Entry entry = new Entry(packetId, message, qos, retain, stored);
        entries.put(packetId, entry);
        return entry;
    }

    public @Nullable Entry get(int packetId) {
        return entries.get(packetId);
    }

    public @Nullable Entry remove(int packetId) {
        return entries.remove(packetId);
    }

    public boolean contains(int packetId) {
        return entries.containsKey(packetId);
    }

    public int size() {
        return entries.size();
    }

    /** The open flows, oldest first. */
    public Collection<Entry> entries() {
        return entries.values();
    }

    public void clear() {
        entries.clear();
    }
}
