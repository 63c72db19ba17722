package io.starling.broker.cluster;

import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A persistent session handed from the node that held it to the node its client connected to:
 * everything the new node needs to resume it as if it had been there all along.
 *
 * @param clientId the session's client identifier
 * @param expirySeconds its Session Expiry Interval ({@code StoreChanges.BROKER_EXPIRY} for a 3.1.1 session)
 * @param subscriptions its subscriptions by topic filter, {@code $share/...} ones as subscribed
 * @param deliveries its messages in the order they are to be sent: first those in flight (with the
 *     packet identifier they were sent with, to be sent again with DUP [MQTT-4.4.0-1]), then those
 *     queued (packet identifier 0)
 * @param inbound QoS 2 packet identifiers the client sent and has not released with PUBREL yet
 * @param will a will still to be published {@code willDelaySeconds} from now unless the client
 *     comes back first (a session taken over from a node that died with its client connected), or null
 */
public record SessionState(String clientId, long expirySeconds, Map<String, SubscriptionOptions> subscriptions,
        List<Delivery> deliveries, Set<Integer> inbound, @Nullable Message will, long willDelaySeconds) {

    public SessionState {
        subscriptions = Map.copyOf(subscriptions);
        deliveries = List.copyOf(deliveries);
        inbound = Set.copyOf(inbound);
    }

    /** A session without a will to publish. */
    public SessionState(String clientId, long expirySeconds, Map<String, SubscriptionOptions> subscriptions, List<Delivery> deliveries,
            Set<Integer> inbound) {
        this(clientId, expirySeconds, subscriptions, deliveries, inbound, null, 0);
    }

    /**
     * One message of the session: {@code qos} as it is delivered (downgraded already), {@code
     * retain} the flag it is sent with, {@code packetId} 0 while it waits, {@code released} once
     * PUBREC came and PUBREL is due.
     */
    @SuppressWarnings("ArrayRecordComponent") // never modified
    public record Delivery(Message message, QoS qos, boolean retain, int[] subscriptionIds, int packetId, boolean released) {}
}
