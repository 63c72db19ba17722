package io.starling.store.rocksdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.FsyncMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A store as the release before MQTT 5.0 left it loads, and its sessions resume. The store is
 * written here with the RocksDB API alone, as that release laid it out: its six column families
 * (no {@code wills}), and every value in format 1 (a 3.1.1 session, subscription, message, queue
 * entry, inbound packet identifier and retained message, byte for byte as {@link
 * StoreRecordsFormatTest} describes them). Then a broker starts on it, and a 3.1.1 client, speaking
 * raw bytes, finds its session, its in-flight and queued messages, its inbound QoS 2 identifier and
 * its subscription, and a new client the retained message.
 */
class FormatOneStoreTest {
    /** The column families of format 1, in the order that release created them. */
    private static final List<String> FORMAT_1_FAMILIES = List.of("sessions", "subscriptions", "messages", "queues", "inbound", "retained");
    private static final byte FORMAT_1 = 1;
    private static final String CLIENT = "legacy";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    static {
        RocksDB.loadLibrary();
    }

    @TempDir
    Path tmp;

    @Test
    @DisplayName("[MQTT-3.2.2-2] [MQTT-4.4.0-1] a format-1 store loads: a 3.1.1 client resumes its session with its in-flight and queued messages")
    void formatOneStoreLoads() throws Exception {
        Path dir = tmp.resolve("data");
        writeFormatOneStore(dir);
        assertThat(families(dir)).as("the store as the previous release left it").doesNotContain("wills");

        BrokerConfig defaults = BrokerConfig.defaults();
        Broker broker = Broker.start(defaults.onLoopback().withStorage(defaults.storage().onDisk(dir, FsyncMode.BATCH)));
        try {
            assertThat(broker.metrics().sessionsRestored.sum()).as("sessions restored").isEqualTo(1);
            try (Wire legacy = new Wire(broker.port(), CLIENT)) {
                legacy.send(new byte[] {
                    0x10, 0x12,                              // CONNECT, remaining length 18
                    0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,    // protocol name and level 4 (3.1.1)
                    0x00,                                    // flags: clean session 0
                    0x00, 0x3C,                              // keep alive 60 s
                    0x00, 0x06, 'l', 'e', 'g', 'a', 'c', 'y'});  // client identifier "legacy"
                legacy.expect(new byte[] {0x20, 0x02, 0x01, 0x00});  // CONNACK, session present 1, accepted

                // the window first, in order: the unacknowledged QoS 1 PUBLISH again with DUP, then the PUBREL
                legacy.expect(new byte[] {
                    0x3A, 0x0F,                              // PUBLISH, DUP 1, QoS 1, RETAIN 0, remaining length 15
                    0x00, 0x08, 'l', 'e', 'g', 'a', 'c', 'y', '/', 'a',
                    0x00, 0x07,                              // its packet identifier, 7
                    'o', 'n', 'e'});
                legacy.expect(new byte[] {0x62, 0x02, 0x00, 0x09});  // PUBREL 9: its PUBREC had come
                // then the queue: a new PUBLISH under a packet identifier the broker chooses
                int packetId = legacy.expectPublish(new byte[] {
                    0x34, 0x0F,                              // PUBLISH, DUP 0, QoS 2, RETAIN 0, remaining length 15
                    0x00, 0x08, 'l', 'e', 'g', 'a', 'c', 'y', '/', 'b',
                    0x00, 0x00,                              // (the packet identifier, read)
                    't', 'w', 'o'}, 12);
                assertThat(packetId).as("a packet identifier not in use").isNotIn(0, 7, 9);
                legacy.send(
                        new byte[] {0x40, 0x02, 0x00, 0x07},                          // PUBACK 7
                        new byte[] {0x70, 0x02, 0x00, 0x09},                          // PUBCOMP 9
                        new byte[] {0x50, 0x02, (byte) (packetId >> 8), (byte) packetId}); // PUBREC
                legacy.expect(new byte[] {0x62, 0x02, (byte) (packetId >> 8), (byte) packetId}); // PUBREL
                legacy.send(new byte[] {0x70, 0x02, (byte) (packetId >> 8), (byte) packetId});   // PUBCOMP

                // [MQTT-4.3.3-2] the QoS 2 PUBLISH the broker had received (identifier 11) comes again:
                // acknowledged, not delivered again (this client's own subscription legacy/# would get it)
                legacy.send(new byte[] {
                    0x3C, 0x0F,                              // PUBLISH, DUP 1, QoS 2, remaining length 15
                    0x00, 0x09, 'l', 'e', 'g', 'a', 'c', 'y', '/', 'i', 'n',
                    0x00, 0x0B,                              // packet identifier 11
                    'i', 'n'});
                legacy.expect(new byte[] {0x50, 0x02, 0x00, 0x0B});  // PUBREC 11
                legacy.send(new byte[] {0x62, 0x02, 0x00, 0x0B});    // PUBREL 11
                legacy.expect(new byte[] {0x70, 0x02, 0x00, 0x0B});  // PUBCOMP 11
                legacy.expectNothing(Duration.ofMillis(300));

                try (Wire late = new Wire(broker.port(), "late")) {
                    late.send(new byte[] {
                        0x10, 0x10,                          // CONNECT, remaining length 16
                        0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,
                        0x02,                                // flags: clean session 1
                        0x00, 0x3C,
                        0x00, 0x04, 'l', 'a', 't', 'e'});
                    late.expect(new byte[] {0x20, 0x02, 0x00, 0x00});
                    late.send(new byte[] {
                        (byte) 0x82, 0x10,                   // SUBSCRIBE, remaining length 16
                        0x00, 0x01,                          // packet identifier 1
                        0x00, 0x0B, 'l', 'e', 'g', 'a', 'c', 'y', '/', 'k', 'e', 'p', 't',
                        0x00});                              // QoS 0
                    late.expect(new byte[] {(byte) 0x90, 0x03, 0x00, 0x01, 0x00});
                    late.expect(new byte[] {
                        0x31, 0x11,                          // PUBLISH, QoS 0, RETAIN 1, remaining length 17
                        0x00, 0x0B, 'l', 'e', 'g', 'a', 'c', 'y', '/', 'k', 'e', 'p', 't',
                        'k', 'e', 'p', 't'});                // the retained message of format 1
                    // the stored subscription legacy/# routes a new message to the resumed session
                    late.send(new byte[] {
                        0x30, 0x0F,                          // PUBLISH, QoS 0, remaining length 15
                        0x00, 0x0B, 'l', 'e', 'g', 'a', 'c', 'y', '/', 'l', 'i', 'v', 'e',
                        'h', 'i'});
                    legacy.expect(new byte[] {
                        0x30, 0x0F, 0x00, 0x0B, 'l', 'e', 'g', 'a', 'c', 'y', '/', 'l', 'i', 'v', 'e', 'h', 'i'});
                }
            }
            RocksStore store = ((RocksPersistence) broker.persistence()).store();
            // every queue entry acknowledged: the entries and their message records of format 1 are deleted
            await("the format-1 queue emptied").atMost(Duration.ofSeconds(5))
                    .until(() -> count(store, Keyspace.QUEUES) == 0 && count(store, Keyspace.MESSAGES) == 0);
            assertThat(count(store, Keyspace.SESSIONS)).isEqualTo(1);
            assertThat(count(store, Keyspace.SUBSCRIPTIONS)).isEqualTo(1);
        } finally {
            broker.close();
        }
        assertThat(families(dir)).as("the column family added on opening").contains("wills");
        // no way back: the previous release opens its six column families only, which RocksDB refuses
        // for a store that has more, before reading a single record of format 2
        assertThatThrownBy(() -> writeFormatOneStore(dir)).isInstanceOf(RocksDBException.class)
                .hasMessageContaining("Column families not opened: wills");
    }

    // ---- the store of the previous release ----

    private static void writeFormatOneStore(Path dir) throws Exception {
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
                ColumnFamilyOptions familyOptions = new ColumnFamilyOptions()) {
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
            for (String family : FORMAT_1_FAMILIES) {
                descriptors.add(new ColumnFamilyDescriptor(family.getBytes(UTF_8), familyOptions));
            }
            try (RocksDB db = RocksDB.open(options, dir.toString(), descriptors, handles);
                    WriteOptions sync = new WriteOptions().setSync(true);
                    WriteBatch batch = new WriteBatch()) {
                ColumnFamilyHandle sessions = handles.get(1);
                ColumnFamilyHandle subscriptions = handles.get(2);
                ColumnFamilyHandle messages = handles.get(3);
                ColumnFamilyHandle queues = handles.get(4);
                ColumnFamilyHandle inbound = handles.get(5);
                ColumnFamilyHandle retained = handles.get(6);

                // session: [1, offline since (8)], keyed by the client identifier
                batch.put(sessions, utf8(CLIENT), ByteBuffer.allocate(9).put(FORMAT_1).putLong(System.currentTimeMillis() - 1000).array());
                // subscription: [1, QoS], keyed by client, 0x00, filter
                batch.put(subscriptions, clientKey(utf8("legacy/#")), new byte[] {FORMAT_1, 2});
                // messages, keyed by their 8-byte identifier
                batch.put(messages, messageKey(1), message(1, false, "legacy/a", "one"));
                batch.put(messages, messageKey(2), message(2, false, "legacy/b", "two"));
                batch.put(messages, messageKey(3), message(2, false, "legacy/c", "three"));
                // queue entries, keyed by client, 0x00, sequence (8): QoS 1 in flight as 7; QoS 2 in
                // flight as 9 with its PUBREC come (released); QoS 2 queued, not yet sent
                batch.put(queues, clientKey(sequence(1)), queueEntry(1, 1, 7, false));
                batch.put(queues, clientKey(sequence(2)), queueEntry(3, 2, 9, true));
                batch.put(queues, clientKey(sequence(3)), queueEntry(2, 2, 0, false));
                // an inbound QoS 2 packet identifier awaiting PUBREL: [1], keyed by client, 0x00, identifier (2)
                batch.put(inbound, clientKey(new byte[] {0x00, 0x0B}), new byte[] {FORMAT_1});
                // a retained message, stored whole, keyed by its topic
                batch.put(retained, utf8("legacy/kept"), message(1, true, "legacy/kept", "kept"));
                db.write(sync, batch);
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        }
    }

    /** A message of format 1: [1, QoS, RETAIN, topic length (4), topic, publisher length (4), publisher, payload]. */
    private static byte[] message(int qos, boolean retain, String topic, String payload) {
        byte[] t = utf8(topic);
        byte[] publisher = utf8("old-publisher");
        byte[] p = utf8(payload);
        return ByteBuffer.allocate(3 + 4 + t.length + 4 + publisher.length + p.length)
                .put(FORMAT_1).put((byte) qos).put((byte) (retain ? 1 : 0))
                .putInt(t.length).put(t).putInt(publisher.length).put(publisher).put(p).array();
    }

    /** A queue entry of format 1: [1, message id (8), QoS, RETAIN, packet identifier (2), released]. */
    private static byte[] queueEntry(long messageId, int qos, int packetId, boolean released) {
        return ByteBuffer.allocate(1 + 8 + 1 + 1 + 2 + 1).put(FORMAT_1).putLong(messageId).put((byte) qos).put((byte) 0)
                .putShort((short) packetId).put((byte) (released ? 1 : 0)).array();
    }

    private static byte[] clientKey(byte[] rest) {
        byte[] id = utf8(CLIENT);
        return ByteBuffer.allocate(id.length + 1 + rest.length).put(id).put((byte) 0).put(rest).array();
    }

    private static byte[] sequence(long seq) {
        return ByteBuffer.allocate(8).putLong(seq).array();
    }

    private static byte[] messageKey(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    private static List<String> families(Path dir) throws Exception {
        try (Options options = new Options()) {
            return RocksDB.listColumnFamilies(options, dir.toString()).stream().map(name -> new String(name, UTF_8)).toList();
        }
    }

    private static long count(RocksStore store, Keyspace keyspace) {
        AtomicLong n = new AtomicLong();
        store.forEach(keyspace, (k, v) -> n.incrementAndGet());
        return n.get();
    }

    /** A socket that writes and reads exact bytes, every read bounded. */
    private static final class Wire implements AutoCloseable {
        private final Socket socket = new Socket();
        private final String name;
        private final InputStream in;
        private final OutputStream out;

        Wire(int port, String name) throws IOException {
            this.name = name;
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(byte[]... packets) {
            try {
                for (byte[] packet : packets) {
                    out.write(packet);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(name + ": cannot send", e);
            }
        }

        void expect(byte[] expected) {
            byte[] actual = read(expected.length);
            assertThat(HexFormat.ofDelimiter(" ").formatHex(actual)).as("%s: the next bytes", name)
                    .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(expected));
        }

        /** Expects {@code expected} but for the two bytes at {@code at}, the packet identifier, which it returns. */
        int expectPublish(byte[] expected, int at) {
            byte[] actual = read(expected.length);
            int packetId = ((actual[at] & 0xFF) << 8) | (actual[at + 1] & 0xFF);
            byte[] withId = Arrays.copyOf(expected, expected.length);
            withId[at] = actual[at];
            withId[at + 1] = actual[at + 1];
            assertThat(HexFormat.ofDelimiter(" ").formatHex(actual)).as("%s: the next bytes", name)
                    .isEqualTo(HexFormat.ofDelimiter(" ").formatHex(withId));
            return packetId;
        }

        void expectNothing(Duration quiet) throws IOException {
            socket.setSoTimeout((int) quiet.toMillis());
            try {
                int b = in.read();
                fail("%s: expected nothing for %d ms, got %s", name, quiet.toMillis(), b < 0 ? "end of stream" : "byte " + b);
            } catch (SocketTimeoutException e) {
                // nothing came
            } finally {
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            }
        }

        private byte[] read(int n) {
            try {
                byte[] bytes = in.readNBytes(n);
                if (bytes.length < n) {
                    fail("%s: expected %d bytes, got %s and the end of the stream", name, n, HexFormat.ofDelimiter(" ").formatHex(bytes));
                }
                return bytes;
            } catch (IOException e) {
                throw new UncheckedIOException(name + ": no " + n + " bytes within " + READ_TIMEOUT.toMillis() + " ms", e);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
