package io.starling.store.rocksdb;

import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.Recovered;
import io.starling.broker.spi.StoreChanges;
import io.starling.broker.spi.StoreException;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How each record is laid out in the store: keys sort so that one client's records are one
 * range, and values begin with a format version so that a later release can read what this one
 * wrote.
 *
 * <p>Format 2 (MQTT 5.0) added a session's expiry interval, a subscription's options and
 * identifier, a message's properties and expiry deadline, a queue entry's subscription
 * identifiers, and the wills; values of format 1, written before, still load with the 3.1.1
 * defaults for all of those.
 *
 * <p>Keys: a client's records are keyed by its identifier, a 0x00 byte (which an MQTT string never
 * holds [MQTT-1.5.3-2], so no identifier is a prefix of another's range), then the filter, the
 * queue sequence (8 bytes, big-endian, so that entries sort in queue order) or the packet
 * identifier (2 bytes). Messages are keyed by their 8-byte identifier, retained messages by topic.
 */
public final class StoreRecords {
    /** The format version of the values this release writes: 2 added the MQTT 5.0 fields. */
    private static final byte FORMAT = 2;
    /** The format of the first release, still read: a 3.1.1 session, message or queue entry. */
    private static final byte FORMAT_1 = 1;
    /** The value of a record whose key says everything: an inbound packet identifier. */
    static final byte[] EMPTY = {FORMAT};
    private static final int[] NO_IDS = new int[0];

    private StoreRecords() {}

    /** A decoded queue entry value. */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    public record QueueEntry(long messageId, QoS qos, boolean retain, int[] subscriptionIds, int packetId, boolean released) {}

    /** A decoded session value: when it went offline (0: connected) and its expiry interval. */
    public record SessionState(long offlineSinceMillis, long expirySeconds) {}

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

    static byte[] willKey(String clientId) {
        return utf8(clientId);
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

    static byte[] sessionValue(long offlineSinceMillis, long expirySeconds) {
        return ByteBuffer.allocate(1 + Long.BYTES * 2).put(FORMAT).putLong(offlineSinceMillis).putLong(expirySeconds).array();
    }

    static SessionState session(byte[] value) {
        return read(value, "session", (b, format) -> new SessionState(b.getLong(),
                format == FORMAT_1 ? StoreChanges.BROKER_EXPIRY : b.getLong()));
    }

    static byte[] subscriptionValue(SubscriptionOptions options) {
        int flags = (options.noLocal() ? 1 : 0) | (options.retainAsPublished() ? 2 : 0) | options.retainHandling().value() << 2;
        return ByteBuffer.allocate(3 + Integer.BYTES).put(FORMAT).put((byte) options.qos().value()).put((byte) flags)
                .putInt(options.identifier()).array();
    }

    static SubscriptionOptions subscription(byte[] value) {
        return read(value, "subscription", (b, format) -> {
            QoS qos = qos(b.get());
            if (format == FORMAT_1) {
                return SubscriptionOptions.of(qos);
            }
            int flags = b.get();
            int identifier = b.getInt();
            return new SubscriptionOptions(qos, (flags & 1) != 0, (flags & 2) != 0, RetainHandling.of((flags >> 2) & 3), identifier);
        });
    }

    static byte[] messageValue(Message m) {
        byte[] topic = utf8(m.topic());
        byte[] publisher = utf8(m.publisherId());
        byte[] properties = properties(m.properties());
        return ByteBuffer.allocate(1 + 2 + 4 + topic.length + 4 + publisher.length + Long.BYTES + properties.length
                        + m.payload().length)
                .put(FORMAT).put((byte) m.qos().value()).put((byte) (m.retain() ? 1 : 0))
                .putInt(topic.length).put(topic)
                .putInt(publisher.length).put(publisher)
                .putLong(m.expiresAtMillis())
                .put(properties)
                .put(m.payload())
                .array();
    }

    static Message message(byte[] value) {
        return read(value, "message", (b, format) -> {
            QoS qos = qos(b.get());
            boolean retain = b.get() != 0;
            String topic = string(b);
            String publisher = string(b);
            long expiresAt = 0;
            Properties properties = Properties.EMPTY;
            if (format != FORMAT_1) {
                expiresAt = b.getLong();
                properties = properties(b);
            }
            byte[] payload = new byte[b.remaining()];
            b.get(payload);
            return new Message(topic, qos, retain, payload, publisher, properties, expiresAt);
        });
    }

    static byte[] queueValue(long messageId, QoS qos, boolean retain, int[] subscriptionIds, int packetId, boolean released) {
        ByteBuffer b = ByteBuffer.allocate(1 + Long.BYTES + 2 + Short.BYTES + 1 + Integer.BYTES * (1 + subscriptionIds.length))
                .put(FORMAT).putLong(messageId).put((byte) qos.value()).put((byte) (retain ? 1 : 0))
                .putShort((short) packetId).put((byte) (released ? 1 : 0))
                .putInt(subscriptionIds.length);
        for (int id : subscriptionIds) {
            b.putInt(id);
        }
        return b.array();
    }

    static QueueEntry queueEntry(byte[] value) {
        return read(value, "queue entry", (b, format) -> {
            long messageId = b.getLong();
            QoS qos = qos(b.get());
            boolean retain = b.get() != 0;
            int packetId = Short.toUnsignedInt(b.getShort());
            boolean released = b.get() != 0;
            int[] ids = NO_IDS;
            if (format != FORMAT_1) {
                int count = b.getInt();
                if (count < 0 || count > b.remaining() / Integer.BYTES) {
                    throw new IllegalArgumentException(count + " subscription identifiers with " + b.remaining() + " bytes left");
                }
                ids = count == 0 ? NO_IDS : new int[count];
                for (int i = 0; i < count; i++) {
                    ids[i] = b.getInt();
                }
            }
            return new QueueEntry(messageId, qos, retain, ids, packetId, released);
        });
    }

    static byte[] willValue(Message will, long delaySeconds) {
        byte[] message = messageValue(will);
        return ByteBuffer.allocate(1 + Long.BYTES + message.length).put(FORMAT).putLong(delaySeconds).put(message).array();
    }

    static Recovered.Will will(byte[] value) {
        return read(value, "will", (b, format) -> {
            long delay = b.getLong();
            byte[] message = new byte[b.remaining()];
            b.get(message);
            return new Recovered.Will(message(message), delay);
        });
    }

    /** Properties as a count, then each as its identifier byte and its value. */
    private static byte[] properties(Properties properties) {
        if (properties.isEmpty()) {
            return new byte[Integer.BYTES];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(out);
        try {
            data.writeInt(properties.all().size());
            for (Property p : properties.all()) {
                data.writeByte(p.id().id());
                switch (p.id().type()) {
                    case BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER -> data.writeLong(p.longValue());
                    case UTF8_STRING -> writeString(data, p.stringValue());
                    case BINARY_DATA -> {
                        byte[] bytes = p.bytesValue().toArray();
                        data.writeInt(bytes.length);
                        data.write(bytes);
                    }
                    case UTF8_STRING_PAIR -> {
                        writeString(data, p.userProperty().name());
                        writeString(data, p.userProperty().value());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return out.toByteArray();
    }

    private static void writeString(DataOutputStream data, String s) throws IOException {
        byte[] bytes = utf8(s);
        data.writeInt(bytes.length);
        data.write(bytes);
    }

    private static Properties properties(ByteBuffer b) {
        int count = b.getInt();
        if (count == 0) {
            return Properties.EMPTY;
        }
        if (count < 0 || count > b.remaining()) {
            throw new IllegalArgumentException(count + " properties with " + b.remaining() + " bytes left");
        }
        List<Property> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int idByte = Byte.toUnsignedInt(b.get());
            PropertyId id = PropertyId.of(idByte);
            if (id == null) {
                throw new IllegalArgumentException("unknown property identifier " + idByte);
            }
            all.add(switch (id.type()) {
                case BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER -> Property.of(id, b.getLong());
                case UTF8_STRING -> Property.of(id, string(b));
                case BINARY_DATA -> {
                    int length = b.getInt();
                    if (length < 0 || length > b.remaining()) {
                        throw new IllegalArgumentException("binary data of " + length + " bytes with " + b.remaining() + " left");
                    }
                    byte[] bytes = new byte[length];
                    b.get(bytes);
                    yield Property.of(id, Bytes.of(bytes));
                }
                case UTF8_STRING_PAIR -> Property.user(string(b), string(b));
            });
        }
        return new Properties(all);
    }

    // ---- helpers ----

    private interface Reader<T> {
        T read(ByteBuffer value, byte format);
    }

    private static <T> T read(byte[] value, String what, Reader<T> reader) {
        if (value.length == 0 || (value[0] != FORMAT && value[0] != FORMAT_1)) {
            throw new StoreException("a " + what + " record of an unknown format ("
                    + (value.length == 0 ? "empty" : "version " + value[0]) + "): written by a newer Starling?");
        }
        try {
            return reader.read(ByteBuffer.wrap(value, 1, value.length - 1), value[0]);
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
