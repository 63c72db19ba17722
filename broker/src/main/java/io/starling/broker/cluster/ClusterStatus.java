package io.starling.broker.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A cluster as one node sees it at one moment ({@link ClusterPort#status()}), for metrics and the
 * admin API. The transport knows the members, what it sent and received, and what waits to be sent
 * ({@link ClusterEvents#status()}); the broker adds the routes it holds.
 *
 * @param cluster the cluster's name
 * @param node this node's name
 * @param members the members of the current view, this node included, the coordinator first
 * @param routes per node, this one included, the number of topic filters it has subscribers for,
 *     as this node knows them; a node with none is left out
 * @param forwardQueue per other member, the messages waiting to be sent there: how far forwarding
 *     lags behind
 * @param replicationQueue the retained changes waiting to be sent to the other nodes, plus the batches of
 *     persistent-session changes sent to the backups and not yet acknowledged (the replication lag)
 * @param traffic what the transport has counted since it started
 */
public record ClusterStatus(String cluster, String node, List<String> members, Map<String, Integer> routes,
        Map<String, Long> forwardQueue, long replicationQueue, Traffic traffic) {

    /** What a transport that reports nothing says: no name, no member, nothing counted. */
    static final ClusterStatus UNKNOWN = new ClusterStatus("", "", List.of(), Map.of(), Map.of(), 0, Traffic.NONE);

    public ClusterStatus {
        members = List.copyOf(members);
        // sorted by node name, so that every reader lists the nodes in the same order
        routes = Collections.unmodifiableMap(new TreeMap<>(routes));
        forwardQueue = Collections.unmodifiableMap(new TreeMap<>(forwardQueue));
    }

    /** The member that coordinates the view (the oldest); this node's name while there is no view. */
    public String coordinator() {
        return members.isEmpty() ? node : members.get(0);
    }

    /** This status with {@code routes} in place of its own. */
    public ClusterStatus withRoutes(Map<String, Integer> routes) {
        return new ClusterStatus(cluster, node, members, routes, forwardQueue, replicationQueue, traffic);
    }

    /**
     * The transport's counts; each only grows.
     *
     * @param messagesOut messages sent to other nodes for their subscribers
     * @param messagesIn messages other nodes forwarded here
     * @param batchesOut network messages those went out in
     * @param batchesIn network messages the forwarded ones came in
     * @param bytesOut bytes of the batches sent, as framed
     * @param bytesIn bytes of the batches received, as framed
     * @param retainedOut retained changes and snapshot entries sent to other nodes
     * @param retainedIn retained changes and snapshot entries received from other nodes
     * @param dropped messages and retained changes not sent: the node was not (or no longer) a
     *     member, the queue was full, or the send failed
     */
    public record Traffic(long messagesOut, long messagesIn, long batchesOut, long batchesIn, long bytesOut, long bytesIn,
            long retainedOut, long retainedIn, long dropped) {
        /** Nothing counted. */
        public static final Traffic NONE = new Traffic(0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}
