package io.starling.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.model.Message;
import io.starling.broker.spi.StoreException;
import io.starling.codec.packet.QoS;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** What {@link StoreRecords} writes, it reads back; keys sort the way start-up relies on. */
class StoreRecordsProperties {

    /** MQTT strings: any Unicode but U+0000 [MQTT-1.5.3-2], so keys of one client never run into another's. */
    @Provide
    Arbitrary<String> mqttStrings() {
        // up to U+D7FF: the surrogate range would need pairs; any other character is fair
        return Arbitraries.strings().withCharRange('\u0001', '\uD7FF').ofMaxLength(40);
    }

    @Provide
    Arbitrary<QoS> qos() {
        return Arbitraries.of(QoS.values());
    }

    @Property
    void messagesRoundTrip(@ForAll("mqttStrings") String topic, @ForAll("qos") QoS qos, @ForAll boolean retain,
            @ForAll byte[] payload, @ForAll("mqttStrings") String publisher) {
        Message read = StoreRecords.message(StoreRecords.messageValue(new Message(topic, qos, retain, payload, publisher)));
        assertThat(read.topic()).isEqualTo(topic);
        assertThat(read.qos()).isEqualTo(qos);
        assertThat(read.retain()).isEqualTo(retain);
        assertThat(read.payload()).isEqualTo(payload);
        assertThat(read.publisherId()).isEqualTo(publisher);
    }

    @Property
    void queueEntriesRoundTrip(@ForAll("mqttStrings") String clientId, @ForAll @LongRange(min = 1) long seq,
            @ForAll @LongRange(min = 1) long messageId, @ForAll("qos") QoS qos, @ForAll boolean retain,
            @ForAll @IntRange(min = 0, max = 65535) int packetId, @ForAll boolean released) {
        byte[] key = StoreRecords.queueKey(clientId, seq);
        assertThat(StoreRecords.clientOf(key)).isEqualTo(clientId);
        assertThat(StoreRecords.queueSeq(key)).isEqualTo(seq);
        assertThat(StoreRecords.queueEntry(StoreRecords.queueValue(messageId, qos, retain, packetId, released)))
                .isEqualTo(new StoreRecords.QueueEntry(messageId, qos, retain, packetId, released));
    }

    @Property
    void subscriptionsAndInboundIdsRoundTrip(@ForAll("mqttStrings") String clientId, @ForAll("mqttStrings") String filter,
            @ForAll("qos") QoS qos, @ForAll @IntRange(min = 1, max = 65535) int packetId) {
        byte[] sub = StoreRecords.subscriptionKey(clientId, filter);
        assertThat(StoreRecords.clientOf(sub)).isEqualTo(clientId);
        assertThat(StoreRecords.subscriptionFilter(sub)).isEqualTo(filter);
        assertThat(StoreRecords.subscriptionQos(StoreRecords.subscriptionValue(qos))).isEqualTo(qos);
        byte[] inbound = StoreRecords.inboundKey(clientId, packetId);
        assertThat(StoreRecords.clientOf(inbound)).isEqualTo(clientId);
        assertThat(StoreRecords.inboundPacketId(inbound)).isEqualTo(packetId);
    }

    @Property
    @SuppressWarnings("unused")
    void aClientsKeysAreExactlyTheKeysInItsRange(@ForAll("mqttStrings") String a, @ForAll("mqttStrings") String b,
            @ForAll @LongRange(min = 1) long seq) {
        byte[] from = StoreRecords.clientPrefix(a);
        byte[] to = StoreRecords.clientPrefixEnd(a);
        byte[] key = StoreRecords.queueKey(b, seq);
        boolean inRange = Arrays.compareUnsigned(key, from) >= 0 && Arrays.compareUnsigned(key, to) < 0;
        assertThat(inRange).as("queue key of '%s' in the range of '%s'", b, a).isEqualTo(a.equals(b));
    }

    @Property
    void queueKeysOfOneClientSortBySequence(@ForAll("mqttStrings") String clientId, @ForAll @LongRange(min = 1) long x,
            @ForAll @LongRange(min = 1) long y) {
        int byKey = Integer.signum(Arrays.compareUnsigned(StoreRecords.queueKey(clientId, x), StoreRecords.queueKey(clientId, y)));
        assertThat(byKey).isEqualTo(Integer.signum(Long.compare(x, y)));
    }

    @Example
    void aRecordOfAnotherFormatOrCutShortIsRefusedWithWhatItWas() {
        assertThatThrownBy(() -> StoreRecords.sessionOfflineSince(new byte[] {2, 0, 0}))
                .isInstanceOf(StoreException.class).hasMessageContaining("session record of an unknown format (version 2)");
        byte[] cut = Arrays.copyOf(StoreRecords.queueValue(5, QoS.AT_LEAST_ONCE, false, 3, false), 6);
        assertThatThrownBy(() -> StoreRecords.queueEntry(cut))
                .isInstanceOf(StoreException.class).hasMessageContaining("queue entry record is damaged (6 bytes)");
    }
}
