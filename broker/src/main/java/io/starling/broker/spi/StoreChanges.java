package io.starling.broker.spi;

import io.starling.broker.model.Message;
import io.starling.broker.model.StoredMessage;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;

/**
 * The store records one broker operation changes, in MQTT terms, applied together or not at all
 * when {@link Persistence#commit committed}: a QoS 1 PUBLISH that reaches three persistent
 * sessions is one message record, three queue entries and, from a persistent publisher of QoS 2,
 * its inbound packet identifier. Made by {@link Persistence#changes()}, which decides how the
 * records are laid out; filled by one thread, then handed to {@link Persistence#commit}.
 */
public interface StoreChanges {
    /** Changes that nothing stores: what {@link Persistence#NONE} makes. */
    StoreChanges NONE = new StoreChanges() {
        @Override
        public StoreChanges session(String clientId, long offlineSinceMillis, long expirySeconds) {
            return this;
        }

        @Override
        public StoreChanges will(String clientId, Message will, long delaySeconds) {
            return this;
        }

        @Override
        public StoreChanges willRemoved(String clientId) {
            return this;
        }

        @Override
        public StoreChanges sessionRemoved(String clientId) {
            return this;
        }

        @Override
        public StoreChanges subscribed(String clientId, String filter, SubscriptionOptions options) {
            return this;
        }

        @Override
        public StoreChanges unsubscribed(String clientId, String filter) {
            return this;
        }

        @Override
        public StoreChanges message(long id, Message message) {
            return this;
        }

        @Override
        public StoreChanges messageReleased(long id) {
            return this;
        }

        @Override
        public StoreChanges queued(String clientId, long seq, long messageId, QoS qos, boolean retain,
                int[] subscriptionIds, int packetId, boolean released) {
            return this;
        }

        @Override
        public StoreChanges dequeued(String clientId, long seq) {
            return this;
        }

        @Override
        public StoreChanges inbound(String clientId, int packetId) {
            return this;
        }

        @Override
        public StoreChanges inboundReleased(String clientId, int packetId) {
            return this;
        }

        @Override
        public StoreChanges retained(Message message) {
            return this;
        }

        @Override
        public StoreChanges retainedRemoved(String topic) {
            return this;
        }

        @Override
        public boolean isEmpty() {
            return true;
        }
    };

    /** The Session Expiry Interval of a 3.1 or 3.1.1 session: the broker's {@code session_expiry} applies. */
    long BROKER_EXPIRY = -1;

    /**
     * A persistent session exists; {@code offlineSinceMillis} is 0 while it is connected. It
     * expires {@code expirySeconds} after it went offline: 0xFFFFFFFF never, {@link
     * #BROKER_EXPIRY} as the broker's configuration says.
     */
    StoreChanges session(String clientId, long offlineSinceMillis, long expirySeconds);

    /** A 3.1 or 3.1.1 persistent session: it expires as the broker's configuration says. */
    default StoreChanges session(String clientId, long offlineSinceMillis) {
        return session(clientId, offlineSinceMillis, BROKER_EXPIRY);
    }

    /**
     * The will of the session's connection, kept while it may still be published: while the
     * connection is up, and after it ended until its Will Delay Interval runs out or the session
     * ends. A restart publishes it when that time comes.
     */
    StoreChanges will(String clientId, Message will, long delaySeconds);

    /** The session's will was published, or discarded by a DISCONNECT or a reconnect. */
    StoreChanges willRemoved(String clientId);

    /**
     * The session of {@code clientId} ended: its record, subscriptions, queue entries and inbound
     * packet identifiers go. The message records its queue entries referred to are the caller's
     * to {@link #released release}.
     */
    StoreChanges sessionRemoved(String clientId);

    /** The subscription to {@code filter} with {@code options}, replacing any the session had to it. */
    StoreChanges subscribed(String clientId, String filter, SubscriptionOptions options);

    /** A subscription with the 3.1.1 defaults for every option but QoS. */
    default StoreChanges subscribed(String clientId, String filter, QoS qos) {
        return subscribed(clientId, filter, SubscriptionOptions.of(qos));
    }

    StoreChanges unsubscribed(String clientId, String filter);

    /** The message record, written once for every queue entry that refers to it. */
    StoreChanges message(long id, Message message);

    StoreChanges messageReleased(long id);

    /**
     * Entry {@code seq} of the session's queue: message {@code messageId} at {@code qos}; {@code
     * packetId} 0 while it waits, else the identifier it was sent with; {@code released} once
     * PUBREC came and PUBREL is due. {@code retain} is the RETAIN flag it is sent with and {@code
     * subscriptionIds} the Subscription Identifiers (empty for none).
     */
    StoreChanges queued(String clientId, long seq, long messageId, QoS qos, boolean retain, int[] subscriptionIds,
            int packetId, boolean released);

    StoreChanges dequeued(String clientId, long seq);

    /** A QoS 2 packet identifier received from the client and not yet released by PUBREL. */
    StoreChanges inbound(String clientId, int packetId);

    StoreChanges inboundReleased(String clientId, int packetId);

    /** The retained message of its topic, stored whole. */
    StoreChanges retained(Message message);

    StoreChanges retainedRemoved(String topic);

    /** Whether there is nothing to store. */
    boolean isEmpty();

    /**
     * One queue entry let go of {@code message}'s record: the record's deletion is added when it
     * was the last entry referring to it.
     */
    default StoreChanges released(StoredMessage message) {
        if (message.release()) {
            messageReleased(message.id());
        }
        return this;
    }
}
