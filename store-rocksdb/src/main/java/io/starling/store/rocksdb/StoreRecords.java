package io.starling.store.rocksdb;

import io.starling.broker.model.Message;
import io.starling.broker.spi.StoreException;
import io.starling.codec.packet.QoS;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How each record is laid out in the store: keys sort so that one client's records are one
 * range, and values begin with a format version so that a later release can read what this one
 * wrote.
 *
 * <p>Keys: a client's records are keyed by its identifier, a 0x00 byte (which an MQTT string never
 * holds [MQTT-1.5.3-2], so no identifier is a prefix of another's range), then the filter, the
 * queue sequence (8 bytes, big-endian, so that entries sort in queue order) or the packet
 * identifier (2 bytes). Messages are keyed by their 8-byte identifier, retained messages by topic.
 */
public final class StoreRecords {
    /** The format version every value begins with. */
    private static final byte FORMAT = 1;
    /** The value of a record whose key says everything: an inbound packet identifier. */
    static final byte[] EMPTY = {FORMAT};

    private StoreRecords() {}

    /** A decoded queue entry value. */
    public record QueueEntry(long messageId, QoS qos, boolean retain, int packetId, boolean released) {}

    // ---- keys ----

    static byte[] sessionKey(String clientId) {
        return utf8(clientId);
    }

    static byte[] clientPrefix(String clientId) {
        return withSeparator(clientId, (byte) 0, 0).array();
    }

    static byte[] clientPrefixEnd(String clientId) {
        return withSeparator(clientId, (byte) 1, 0).array();
    }

    static byte[] subscriptionKey(String clientId, String filter) {
        byte[] f = utf8(filter);
        return withSeparator(clientId, (byte) 0, f.length).put(f).array();
    }

    static byte[] queueKey(String clientId, long seq) {
        return withSeparator(clientId, (byte) 0, Long.BYTES).putLong(seq).array();
    }

    static byte[] inboundKey(String clientId, int packetId) {
        return withSeparator(clientId, (byte) 0, Short.BYTES).putShort((short) packetId).array();
    }

    static byte[] messageKey(long id) {
        return ByteBuffer.allocate(Long.BYTES).putLong(id).array();
    }

    static byte[] retainedKey(String topic) {
        return utf8(topic);
    }

    private static ByteBuffer withSeparator(String clientId, byte separator, int rest) {
        byte[] id = utf8(clientId);
        return ByteBuffer.allocate(id.length + 1 + rest).put(id).put(separator);
    }

    /** The client identifier a client-keyed record belongs to. */
    static String clientOf(byte[] key) {
        int end = indexOfSeparator(key);
        return new String(key, 0, end, StandardCharsets.UTF_8);
    }

    /** What follows the client identifier and its separator in a client-keyed record. */
    static ByteBuffer afterClient(byte[] key) {
        int start = indexOfSeparator(key) + 1;
        return ByteBuffer.wrap(key, start, key.length - start).slice();
    }

    private static int indexOfSeparator(byte[] key) {
        for (int i = 0; i < key.length; i++) {
            if (key[i] == 0) {
                return i;
            }
        }
        throw new StoreException("a store key without a client separator: " + Arrays.toString(Arrays.copyOf(key, Math.min(key.length, 32))));
    }

    static String subscriptionFilter(byte[] key) {
        ByteBuffer rest = afterClient(key);
        return StandardCharsets.UTF_8.decode(rest).toString();
    }

    static long queueSeq(byte[] key) {
        return afterClient(key).getLong();
    }

    static int inboundPacketId(byte[] key) {
        return Short.toUnsignedInt(afterClient(key).getShort());
    }

    static long messageId(byte[] key) {
        return ByteBuffer.wrap(key).getLong();
    }

    // ---- values ----

    static byte[] sessionValue(long offlineSinceMillis) {
        return ByteBuffer.allocate(1 + Long.BYTES).put(FORMAT).putLong(offlineSinceMillis).array();
    }

    static long sessionOfflineSince(byte[] value) {
        return read(value, "session", b -> b.getLong());
    }

    static byte[] subscriptionValue(QoS qos) {
        return new byte[] {FORMAT, (byte) qos.value()};
    }

    static QoS subscriptionQos(byte[] value) {
        return read(value, "subscription", b -> qos(b.get()));
    }

    static byte[] messageValue(Message m) {
        byte[] topic = utf8(m.topic());
        byte[] publisher = utf8(m.publisherId());
        return ByteBuffer.allocate(1 + 2 + 4 + topic.length + 4 + publisher.length + m.payload().length)
                .put(FORMAT).put((byte) m.qos().value()).put((byte) (m.retain() ? 1 : 0))
                .putInt(topic.length).put(topic)
                .putInt(publisher.length).put(publisher)
                .put(m.payload())
                .array();
    }

    static Message message(byte[] value) {
        return read(value, "message", b -> {
            QoS qos = qos(b.get());
            boolean retain = b.get() != 0;
            String topic = string(b);
            String publisher = string(b);
            byte[] payload = new byte[b.remaining()];
            b.get(payload);
            return new Message(topic, qos, retain, payload, publisher);
        });
    }

    static byte[] queueValue(long messageId, QoS qos, boolean retain, int packetId, boolean released) {
        return ByteBuffer.allocate(1 + Long.BYTES + 2 + Short.BYTES + 1)
                .put(FORMAT).putLong(messageId).put((byte) qos.value()).put((byte) (retain ? 1 : 0))
                .putShort((short) packetId).put((byte) (released ? 1 : 0))
                .array();
    }

    static QueueEntry queueEntry(byte[] value) {
        return read(value, "queue entry", b -> new QueueEntry(b.getLong(), qos(b.get()), b.get() != 0,
                Short.toUnsignedInt(b.getShort()), b.get() != 0));
    }

    // ---- helpers ----

    private interface Reader<T> {
        T read(ByteBuffer value);
    }

    private static <T> T read(byte[] value, String what, Reader<T> reader) {
        if (value.length == 0 || value[0] != FORMAT) {
            throw new StoreException("a " + what + " record of an unknown format ("
                    + (value.length == 0 ? "empty" : "version " + value[0]) + "): written by a newer Starling?");
        }
        try {
            return reader.read(ByteBuffer.wrap(value, 1, value.length - 1));
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new StoreException("a " + what + " record is damaged (" + value.length + " bytes): " + e, e);
        }
    }

    private static QoS qos(byte value) {
        return QoS.of(value);
    }

    private static String string(ByteBuffer b) {
        int length = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new IllegalArgumentException("a string of " + length + " bytes with " + b.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
