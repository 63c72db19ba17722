package io.starling.broker.spi;

import io.starling.broker.model.Message;
import io.starling.broker.model.StoredMessage;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a store held at start-up: the persistent sessions, each with its subscriptions, queue and
 * inbound QoS 2 packet identifiers and its pending will, and the retained messages.
 */
public record Recovered(List<Session> sessions, List<Message> retained) {
    public static final Recovered EMPTY = new Recovered(List.of(), List.of());

    /**
     * One persistent session as stored.
     *
     * @param offlineSinceMillis when its connection ended (epoch milliseconds); 0 when the broker
     *     stopped while it was connected
     * @param expirySeconds its Session Expiry Interval, or {@link StoreChanges#BROKER_EXPIRY}
     * @param deliveries its queue entries in queue order: those with a packet identifier were in
     *     flight, the others waiting
     * @param nextSeq the sequence number its next queue entry takes
     * @param will the will of its last connection not yet published, or null
     */
    public record Session(String clientId, long offlineSinceMillis, long expirySeconds,
            Map<String, SubscriptionOptions> subscriptions, List<Delivery> deliveries, Set<Integer> inbound, long nextSeq,
            @Nullable Will will) {}

    /**
     * One queue entry: {@code packetId} 0 while it waits to be sent; {@code subscriptionIds} empty
     * when it carries none.
     */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    public record Delivery(long seq, Message message, StoredMessage stored, QoS qos, boolean retain, int[] subscriptionIds,
            int packetId, boolean released) {}

    /** A will not yet published: due {@code delaySeconds} after the session went offline. */
    public record Will(Message message, long delaySeconds) {}

    /** Queue entries in all sessions. */
    public long deliveryCount() {
        long n = 0;
        for (Session s : sessions) {
            n += s.deliveries().size();
        }
        return n;
    }
}
