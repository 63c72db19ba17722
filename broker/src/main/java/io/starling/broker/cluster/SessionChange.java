package io.starling.broker.cluster;

import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;

/**
 * One change of this node's persistent sessions or retained messages, in the terms the store
 * records it ({@link io.starling.broker.spi.StoreChanges}): what a cluster node sends the nodes
 * that hold a replica of its sessions, before the operation that made it is acknowledged.
 * Applied in order, the changes rebuild every persistent session: its subscriptions, its queue
 * (by sequence number, each entry referring to a message record), its inbound QoS 2 packet
 * identifiers and its will.
 */
public sealed interface SessionChange {
    /** A persistent session exists; {@code offlineSinceMillis} 0 while connected. */
    record Session(String clientId, long offlineSinceMillis, long expirySeconds) implements SessionChange {}

    record Will(String clientId, Message will, long delaySeconds) implements SessionChange {}

    record WillRemoved(String clientId) implements SessionChange {}

    /** The session ended: everything of it goes (its message records are released separately). */
    record SessionRemoved(String clientId) implements SessionChange {}

    record Subscribed(String clientId, String filter, SubscriptionOptions options) implements SessionChange {}

    record Unsubscribed(String clientId, String filter) implements SessionChange {}

    /** A message record that queue entries refer to by {@code id}. */
    record MessageStored(long id, Message message) implements SessionChange {}

    record MessageReleased(long id) implements SessionChange {}

    /** Queue entry {@code seq}: {@code packetId} 0 while it waits, {@code released} once PUBREC came. */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    record Queued(String clientId, long seq, long messageId, QoS qos, boolean retain, int[] subscriptionIds, int packetId,
            boolean released) implements SessionChange {}

    record Dequeued(String clientId, long seq) implements SessionChange {}

    record Inbound(String clientId, int packetId) implements SessionChange {}

    record InboundReleased(String clientId, int packetId) implements SessionChange {}

    /** The retained message of its topic. */
    record Retained(Message message) implements SessionChange {}

    record RetainedRemoved(String topic) implements SessionChange {}
}
