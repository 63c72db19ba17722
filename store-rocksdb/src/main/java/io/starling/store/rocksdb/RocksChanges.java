package io.starling.store.rocksdb;

import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;

/**
 * {@link StoreChanges} as one RocksDB write batch: each change becomes the puts and deletes of its
 * records, laid out by {@link StoreRecords}, applied atomically when committed.
 */
final class RocksChanges implements StoreChanges {
    private final StoreWrite write = new StoreWrite();

    @Override
    public StoreChanges session(String clientId, long offlineSinceMillis, long expirySeconds) {
        write.put(Keyspace.SESSIONS, StoreRecords.sessionKey(clientId), StoreRecords.sessionValue(offlineSinceMillis, expirySeconds));
        return this;
    }

    @Override
    public StoreChanges will(String clientId, Message will, long delaySeconds) {
        write.put(Keyspace.WILLS, StoreRecords.willKey(clientId), StoreRecords.willValue(will, delaySeconds));
        return this;
    }

    @Override
    public StoreChanges willRemoved(String clientId) {
        write.delete(Keyspace.WILLS, StoreRecords.willKey(clientId));
        return this;
    }

    /**
     * The session of {@code clientId} ended: its record, subscriptions, queue entries and
     * inbound packet identifiers go. The message records its queue entries referred to are the
     * caller's to {@link StoredMessage#release release}.
     */
    @Override
    public StoreChanges sessionRemoved(String clientId) {
        write.delete(Keyspace.SESSIONS, StoreRecords.sessionKey(clientId));
        byte[] from = StoreRecords.clientPrefix(clientId);
        byte[] to = StoreRecords.clientPrefixEnd(clientId);
        write.deleteRange(Keyspace.SUBSCRIPTIONS, from, to);
        write.deleteRange(Keyspace.QUEUES, from, to);
        write.deleteRange(Keyspace.INBOUND, from, to);
        return this;
    }

    @Override
    public StoreChanges subscribed(String clientId, String filter, SubscriptionOptions options) {
        write.put(Keyspace.SUBSCRIPTIONS, StoreRecords.subscriptionKey(clientId, filter), StoreRecords.subscriptionValue(options));
        return this;
    }

    @Override
    public StoreChanges unsubscribed(String clientId, String filter) {
        write.delete(Keyspace.SUBSCRIPTIONS, StoreRecords.subscriptionKey(clientId, filter));
        return this;
    }

    /** The message record, written once for every queue entry that refers to it. */
    @Override
    public StoreChanges message(long id, Message message) {
        write.put(Keyspace.MESSAGES, StoreRecords.messageKey(id), StoreRecords.messageValue(message));
        return this;
    }

    @Override
    public StoreChanges messageReleased(long id) {
        write.delete(Keyspace.MESSAGES, StoreRecords.messageKey(id));
        return this;
    }

    /**
     * Entry {@code seq} of the session's queue: message {@code messageId} at {@code qos}; {@code
     * packetId} 0 while it waits, else the identifier it was sent with; {@code released} once
     * PUBREC came and PUBREL is due.
     */
    @Override
    public StoreChanges queued(String clientId, long seq, long messageId, QoS qos, boolean retain, int[] subscriptionIds,
            int packetId, boolean released) {
        write.put(Keyspace.QUEUES, StoreRecords.queueKey(clientId, seq),
                StoreRecords.queueValue(messageId, qos, retain, subscriptionIds, packetId, released));
        return this;
    }

    @Override
    public StoreChanges dequeued(String clientId, long seq) {
        write.delete(Keyspace.QUEUES, StoreRecords.queueKey(clientId, seq));
        return this;
    }

    /** A QoS 2 packet identifier received from the client and not yet released by PUBREL. */
    @Override
    public StoreChanges inbound(String clientId, int packetId) {
        write.put(Keyspace.INBOUND, StoreRecords.inboundKey(clientId, packetId), StoreRecords.EMPTY);
        return this;
    }

    @Override
    public StoreChanges inboundReleased(String clientId, int packetId) {
        write.delete(Keyspace.INBOUND, StoreRecords.inboundKey(clientId, packetId));
        return this;
    }

    /** The retained message of its topic, stored whole. */
    @Override
    public StoreChanges retained(Message message) {
        write.put(Keyspace.RETAINED, StoreRecords.retainedKey(message.topic()), StoreRecords.messageValue(message));
        return this;
    }

    @Override
    public StoreChanges retainedRemoved(String topic) {
        write.delete(Keyspace.RETAINED, StoreRecords.retainedKey(topic));
        return this;
    }

    @Override
    public boolean isEmpty() {
        return write.isEmpty();
    }

    StoreWrite write() {
        return write;
    }
}
