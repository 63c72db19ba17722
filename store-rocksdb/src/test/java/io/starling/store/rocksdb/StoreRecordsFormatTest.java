package io.starling.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.Recovered;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Format 2 of the store's values keeps what an MQTT 5.0 session needs, and values of format 1,
 * written by the release before, still load with the 3.1.1 defaults.
 */
class StoreRecordsFormatTest {
    private static final Properties ALL_FORWARDED = Properties.of(
            Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
            Property.of(PropertyId.CONTENT_TYPE, "application/json"),
            Property.of(PropertyId.RESPONSE_TOPIC, "replies/1"),
            Property.of(PropertyId.CORRELATION_DATA, Bytes.of(new byte[] {0, 1, (byte) 0xFF})),
            Property.user("b", "2"),
            Property.user("a", "1"),
            Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0xFFFF_FFFEL));

    @Test
    @DisplayName("a 5.0 message keeps its properties in order and its expiry deadline")
    void messagePropertiesAndExpiryRoundTrip() {
        Message written = new Message("t/1", QoS.EXACTLY_ONCE, true, "{}".getBytes(StandardCharsets.UTF_8), "pub",
                ALL_FORWARDED, 1_800_000_000_000L);
        Message read = StoreRecords.message(StoreRecords.messageValue(written));
        assertThat(read.properties()).isEqualTo(ALL_FORWARDED);
        assertThat(read.expiresAtMillis()).isEqualTo(1_800_000_000_000L);
        assertThat(read.payload()).isEqualTo(written.payload());
        assertThat(read.topic()).isEqualTo("t/1");
    }

    @Test
    @DisplayName("a session keeps its expiry interval, and a will its delay and message")
    void sessionExpiryAndWillRoundTrip() {
        StoreRecords.SessionState state = StoreRecords.session(StoreRecords.sessionValue(1234, 0xFFFF_FFFFL));
        assertThat(state.offlineSinceMillis()).isEqualTo(1234);
        assertThat(state.expirySeconds()).isEqualTo(0xFFFF_FFFFL);
        Message will = new Message("wills/a", QoS.AT_LEAST_ONCE, false, new byte[] {7}, "a", ALL_FORWARDED, 0);
        Recovered.Will read = StoreRecords.will(StoreRecords.willValue(will, 30));
        assertThat(read.delaySeconds()).isEqualTo(30);
        assertThat(read.message().properties()).isEqualTo(ALL_FORWARDED);
        assertThat(read.message().topic()).isEqualTo("wills/a");
    }

    @Test
    @DisplayName("values of format 1 load: a session expires as configured, a subscription has default options, a message no properties")
    void formatOneStillLoads() {
        byte[] session = ByteBuffer.allocate(9).put((byte) 1).putLong(99).array();
        assertThat(StoreRecords.session(session)).isEqualTo(new StoreRecords.SessionState(99, StoreChanges.BROKER_EXPIRY));

        assertThat(StoreRecords.subscription(new byte[] {1, 2})).isEqualTo(SubscriptionOptions.of(QoS.EXACTLY_ONCE));
        assertThat(StoreRecords.subscription(new byte[] {1, 2}).retainHandling()).isEqualTo(RetainHandling.SEND_ON_SUBSCRIBE);

        byte[] topic = "a/b".getBytes(StandardCharsets.UTF_8);
        byte[] publisher = "p".getBytes(StandardCharsets.UTF_8);
        byte[] message = ByteBuffer.allocate(3 + 4 + topic.length + 4 + publisher.length + 2)
                .put((byte) 1).put((byte) 1).put((byte) 0)
                .putInt(topic.length).put(topic).putInt(publisher.length).put(publisher)
                .put((byte) 'h').put((byte) 'i').array();
        Message read = StoreRecords.message(message);
        assertThat(read.topic()).isEqualTo("a/b");
        assertThat(read.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(read.payload()).containsExactly('h', 'i');
        assertThat(read.properties()).isEqualTo(Properties.EMPTY);
        assertThat(read.expiresAtMillis()).isZero();

        byte[] entry = ByteBuffer.allocate(1 + 8 + 2 + 2 + 1).put((byte) 1).putLong(42).put((byte) 2).put((byte) 1)
                .putShort((short) 7).put((byte) 1).array();
        StoreRecords.QueueEntry q = StoreRecords.queueEntry(entry);
        assertThat(q.messageId()).isEqualTo(42);
        assertThat(q.qos()).isEqualTo(QoS.EXACTLY_ONCE);
        assertThat(q.retain()).isTrue();
        assertThat(q.packetId()).isEqualTo(7);
        assertThat(q.released()).isTrue();
        assertThat(q.subscriptionIds()).isEmpty();
    }
}
