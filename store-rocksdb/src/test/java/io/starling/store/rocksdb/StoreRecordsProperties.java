package io.starling.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.StoreException;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** What {@link StoreRecords} writes, it reads back; keys sort the way start-up relies on. */
class StoreRecordsProperties {

    /** MQTT strings: any Unicode but U+0000 [MQTT-1.5.3-2], so keys of one client never run into another's. */
    static Gen<String> mqttStrings() {
        // up to U+D7FF: the surrogate range would need pairs; any other character is fair, and one
        // time in ten a character at an end of the range or of a UTF-8 encoded length
        Gen<Character> chars = Generate.frequency(
                Pair.of(9, Generate.range(0x0001, 0xD7FF, 'a').map(i -> (char) i.intValue())),
                Pair.of(1, Generate.pick(List.of('\u0001', '\u007F', '\u0080', '\u07FF', '\u0800', '\uD7FF'))));
        return lists().of(chars).ofSizeBetween(0, 40).map(cs -> {
            StringBuilder s = new StringBuilder(cs.size());
            cs.forEach(s::append);
            return s.toString();
        });
    }

    static Gen<QoS> qos() {
        return Generate.enumValues(QoS.class);
    }

    static Gen<Boolean> booleans() {
        return Generate.booleans();
    }

    /** 0 to 255 bytes, each any value. */
    static Gen<byte[]> payloads() {
        return Generate.byteArrays(Generate.range(0, 255), Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    /** From {@code min} to {@code max}, and one time in ten one of the ends; shrinks towards {@code min}. */
    static Gen<Integer> integers(int min, int max) {
        return Generate.frequency(Pair.of(9, Generate.range(min, max, min)), Pair.of(1, Generate.pick(List.of(min, max))));
    }

    /**
     * Positive longs of every bit length equally often (a uniform draw would nearly always need all
     * 8 bytes), and one time in ten 1 or {@link Long#MAX_VALUE}; shrinks towards 1.
     */
    static Gen<Long> positiveLongs() {
        Gen<Long> anyLength = Generate.range(1, 63)
                .flatMap(bits -> Generate.longRange(1L << (bits - 1), -1L >>> (64 - bits))); // exactly that many bits
        return Generate.frequency(Pair.of(9, anyLength), Pair.of(1, Generate.pick(List.of(1L, Long.MAX_VALUE))));
    }

    /** The fields of a queue entry besides its message identifier. */
    record Entry(QoS qos, boolean retain, int packetId, boolean released) {}

    @Test
    @DisplayName("a message reads back as written")
    void messagesRoundTrip() {
        qt().forAll(mqttStrings(), qos().zip(booleans(), Pair::of), payloads(), mqttStrings())
                .checkAssert((topic, qosAndRetain, payload, publisher) ->
                        messagesRoundTrip(topic, qosAndRetain._1, qosAndRetain._2, payload, publisher));
    }

    private static void messagesRoundTrip(String topic, QoS qos, boolean retain, byte[] payload, String publisher) {
        Message read = StoreRecords.message(StoreRecords.messageValue(new Message(topic, qos, retain, payload, publisher)));
        assertThat(read.topic()).isEqualTo(topic);
        assertThat(read.qos()).isEqualTo(qos);
        assertThat(read.retain()).isEqualTo(retain);
        assertThat(read.payload()).isEqualTo(payload);
        assertThat(read.publisherId()).isEqualTo(publisher);
    }

    @Test
    @DisplayName("a queue entry and its key read back as written")
    void queueEntriesRoundTrip() {
        Gen<Entry> entries = qos().zip(booleans(), integers(0, 65535), booleans(), Entry::new);
        qt().forAll(mqttStrings(), positiveLongs(), positiveLongs(), entries)
                .checkAssert((clientId, seq, messageId, e) ->
                        queueEntriesRoundTrip(clientId, seq, messageId, e.qos(), e.retain(), e.packetId(), e.released()));
    }

    private static void queueEntriesRoundTrip(String clientId, long seq, long messageId, QoS qos, boolean retain,
            int packetId, boolean released) {
        byte[] key = StoreRecords.queueKey(clientId, seq);
        assertThat(StoreRecords.clientOf(key)).isEqualTo(clientId);
        assertThat(StoreRecords.queueSeq(key)).isEqualTo(seq);
        int[] ids = packetId % 3 == 0 ? new int[0] : new int[] {packetId, 268_435_455};
        StoreRecords.QueueEntry read = StoreRecords.queueEntry(StoreRecords.queueValue(messageId, qos, retain, ids, packetId, released));
        assertThat(read.messageId()).isEqualTo(messageId);
        assertThat(read.qos()).isEqualTo(qos);
        assertThat(read.retain()).isEqualTo(retain);
        assertThat(read.subscriptionIds()).containsExactly(ids);
        assertThat(read.packetId()).isEqualTo(packetId);
        assertThat(read.released()).isEqualTo(released);
    }

    @Test
    @DisplayName("subscription keys and values and inbound packet identifier keys read back as written")
    void subscriptionsAndInboundIdsRoundTrip() {
        qt().forAll(mqttStrings(), mqttStrings(), qos(), integers(1, 65535))
                .checkAssert(StoreRecordsProperties::subscriptionsAndInboundIdsRoundTrip);
    }

    private static void subscriptionsAndInboundIdsRoundTrip(String clientId, String filter, QoS qos, int packetId) {
        byte[] sub = StoreRecords.subscriptionKey(clientId, filter);
        assertThat(StoreRecords.clientOf(sub)).isEqualTo(clientId);
        assertThat(StoreRecords.subscriptionFilter(sub)).isEqualTo(filter);
        SubscriptionOptions options = new SubscriptionOptions(qos, packetId % 2 == 0, packetId % 3 == 0,
                RetainHandling.of(packetId % 3), packetId % 5 == 0 ? 0 : packetId);
        assertThat(StoreRecords.subscription(StoreRecords.subscriptionValue(options))).isEqualTo(options);
        byte[] inbound = StoreRecords.inboundKey(clientId, packetId);
        assertThat(StoreRecords.clientOf(inbound)).isEqualTo(clientId);
        assertThat(StoreRecords.inboundPacketId(inbound)).isEqualTo(packetId);
    }

    @Test
    @DisplayName("the key range of a client holds exactly that client's queue keys")
    void aClientsKeysAreExactlyTheKeysInItsRange() {
        qt().forAll(mqttStrings(), mqttStrings(), positiveLongs())
                .checkAssert(StoreRecordsProperties::aClientsKeysAreExactlyTheKeysInItsRange);
    }

    private static void aClientsKeysAreExactlyTheKeysInItsRange(String a, String b, long seq) {
        byte[] from = StoreRecords.clientPrefix(a);
        byte[] to = StoreRecords.clientPrefixEnd(a);
        byte[] key = StoreRecords.queueKey(b, seq);
        boolean inRange = Arrays.compareUnsigned(key, from) >= 0 && Arrays.compareUnsigned(key, to) < 0;
        assertThat(inRange).as("queue key of '%s' in the range of '%s'", b, a).isEqualTo(a.equals(b));
    }

    @Test
    @DisplayName("the queue keys of one client sort by sequence number")
    void queueKeysOfOneClientSortBySequence() {
        qt().forAll(mqttStrings(), positiveLongs(), positiveLongs())
                .checkAssert(StoreRecordsProperties::queueKeysOfOneClientSortBySequence);
    }

    private static void queueKeysOfOneClientSortBySequence(String clientId, long x, long y) {
        int byKey = Integer.signum(Arrays.compareUnsigned(StoreRecords.queueKey(clientId, x), StoreRecords.queueKey(clientId, y)));
        assertThat(byKey).isEqualTo(Integer.signum(Long.compare(x, y)));
    }

    @Test
    @DisplayName("a record of another format, or cut short, is refused with what it was")
    void aRecordOfAnotherFormatOrCutShortIsRefusedWithWhatItWas() {
        assertThatThrownBy(() -> StoreRecords.session(new byte[] {3, 0, 0}))
                .isInstanceOf(StoreException.class).hasMessageContaining("session record of an unknown format (version 3)");
        byte[] cut = Arrays.copyOf(StoreRecords.queueValue(5, QoS.AT_LEAST_ONCE, false, new int[0], 3, false), 6);
        assertThatThrownBy(() -> StoreRecords.queueEntry(cut))
                .isInstanceOf(StoreException.class).hasMessageContaining("queue entry record is damaged (6 bytes)");
    }
}
