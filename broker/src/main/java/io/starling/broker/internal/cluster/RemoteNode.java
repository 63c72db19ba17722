package io.starling.broker.internal.cluster;

import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.routing.TopicTree.SharedFilter;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.codec.packet.QoS;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Another cluster node as one subscriber of this node's topic tree: watching (not subscribing, so
 * that it counts in no subscription total) each topic filter the node announced, at QoS 2 with
 * default options. A message matching several of its filters is delivered to it once, as to any
 * subscriber, and forwarded there as published: QoS, RETAIN flag and properties untouched, the
 * node's own subscriptions downgrading it. Never durable, never congested, allowed to read
 * anything: the node that receives it applies its own ACL file.
 *
 * <p>A shared subscription {@code $share/{group}/{filter}} announced by the node is watched as its
 * plain {@code filter}: the node gets every matching message and its own group members share it.
 * Groups are therefore per node for now: a group with members on two nodes gets each message once
 * on each node.
 */
final class RemoteNode implements Subscriber {
    private final String name;
    private final String clientId;
    private final LocalNode cluster;
    /** The filters the node announced, as announced. Guarded by the cluster node's monitor. */
    private final Set<String> announced = new HashSet<>();
    /** The filters watched, each with the number of announced filters it stands for. Guarded likewise. */
    private final Map<String, Integer> watched = new HashMap<>();

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
        cluster.forward(name, message);
    }

    /**
     * Records {@code filter} as announced; returns the filter to start watching, or null when it
     * was announced already or its watched filter is watched for another one.
     */
    @Nullable String add(String filter) {
        if (!announced.add(filter)) {
            return null;
        }
        String plain = plain(filter);
        return watched.merge(plain, 1, Integer::sum) == 1 ? plain : null;
    }

    /** Forgets {@code filter}; returns the filter to stop watching, or null when none is. */
    @Nullable String remove(String filter) {
        if (!announced.remove(filter)) {
            return null;
        }
        String plain = plain(filter);
        Integer n = watched.get(plain);
        if (n == null || n > 1) {
            if (n != null) {
                watched.put(plain, n - 1);
            }
            return null;
        }
        watched.remove(plain);
        return plain;
    }

    /** Every filter watched for the node. */
    Set<String> watched() {
        return Set.copyOf(watched.keySet());
    }

    private static String plain(String filter) {
        SharedFilter shared = SharedFilter.parse(filter);
        return shared == null ? filter : shared.filter();
    }

    @Override
    public String toString() {
        return "node " + name;
    }

    /** The number of filters the node announced (guarded by the cluster node's monitor). */
    int routes() {
        return announced.size();
    }
}
