package io.starling.broker.internal.cluster;

import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.routing.TopicTree.SharedFilter;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Another cluster node as one subscriber of this node's topic tree: watching (not subscribing, so
 * that it counts in no subscription total) each topic filter the node announced, at QoS 2 with
 * default options. A message matching several of its filters is delivered to it once, as to any
 * subscriber, and forwarded there as published: QoS, RETAIN flag and properties untouched, the
 * node's own subscriptions downgrading it. Never durable, never congested, allowed to read
 * anything: the node that receives it applies its own ACL file.
 *
 * <p>A shared subscription {@code $share/{group}/{filter}} announced by the node makes it one
 * member of that group here, standing for its own members: a message published here goes to one
 * member of the group among this node's sessions and the other nodes. The node joins each group
 * with a Subscription Identifier of its own naming the group, so that the router, which merges a
 * subscriber's matches into one delivery, hands it the identifiers of the groups whose turn it
 * has with the message ({@link #deliver}): the forward names those groups, and there is still one
 * forward per message, whatever matched.
 */
final class RemoteNode implements Subscriber {
    /** The largest Subscription Identifier; the ones naming groups go round below it. */
    private static final int MAX_IDENTIFIER = 268_435_455;

    private final String name;
    private final String clientId;
    private final LocalNode cluster;
    /** The plain filters the node announced, each watched. Guarded by the cluster node's monitor. */
    private final Set<String> watched = new HashSet<>();
    /** The shared filters the node announced, each with the identifier naming it. Guarded likewise. */
    private final Map<String, Integer> shareIds = new HashMap<>();
    /** The same, by identifier: read on delivery, by any thread. */
    private final ConcurrentHashMap<Integer, String> sharesById = new ConcurrentHashMap<>();
    /** The last identifier given. Guarded likewise. */
    private int lastId;

    RemoteNode(String name, LocalNode cluster) {
        this.name = name;
        // '$' and '/' are not in a client identifier a client could choose without them being odd; the prefix marks it anyway
        this.clientId = "$node/" + name;
        this.cluster = cluster;
    }

    String name() {
        return name;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public long nextQueueSeq() {
        // never durable: never asked
        return 0;
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void deliver(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
        // the message as published: the other node routes it to its own subscriptions
        cluster.forward(name, message, subscriptionIds.length == 0 ? List.of() : sharesOf(subscriptionIds));
    }

    /** The shared filters the identifiers name; one the node left meanwhile is left out. */
    private List<String> sharesOf(int[] ids) {
        List<String> shares = new ArrayList<>(ids.length);
        for (int id : ids) {
            String share = sharesById.get(id);
            if (share != null) {
                shares.add(share);
            }
        }
        return shares;
    }

    /** Records the plain {@code filter} as announced; returns whether it is new, to be watched. */
    boolean watch(String filter) {
        return watched.add(filter);
    }

    /**
     * Records the shared {@code filter} ({@code $share/...}) as announced; returns the options to
     * join its group with (QoS 2, the identifier naming it), or null when it was announced already.
     */
    @Nullable SubscriptionOptions join(String filter) {
        if (shareIds.containsKey(filter)) {
            return null;
        }
        int id = nextId();
        shareIds.put(filter, id);
        sharesById.put(id, filter);
        return new SubscriptionOptions(QoS.EXACTLY_ONCE, false, false, RetainHandling.SEND_ON_SUBSCRIBE, id);
    }

    /**
     * The next identifier not in use. Identifiers are not given again before going round all of
     * them, so that a message routed just before its group left is not taken for another group.
     */
    private int nextId() {
        do {
            lastId = lastId == MAX_IDENTIFIER ? 1 : lastId + 1;
        } while (sharesById.containsKey(lastId));
        return lastId;
    }

    /** Forgets {@code filter} (plain or shared); returns whether it was announced, and is to be unwatched. */
    boolean remove(String filter) {
        if (SharedFilter.parse(filter) == null) {
            return watched.remove(filter);
        }
        Integer id = shareIds.remove(filter);
        if (id == null) {
            return false;
        }
        sharesById.remove(id, filter);
        return true;
    }

    /** Every filter announced, plain and shared. */
    Set<String> filters() {
        Set<String> all = new HashSet<>(watched);
        all.addAll(shareIds.keySet());
        return all;
    }

    /** Whether the node has no route left. */
    boolean isEmpty() {
        return watched.isEmpty() && shareIds.isEmpty();
    }

    @Override
    public String toString() {
        return "node " + name;
    }

    /** The number of filters the node announced (guarded by the cluster node's monitor). */
    int routes() {
        return watched.size() + shareIds.size();
    }
}
