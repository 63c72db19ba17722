package io.starling.broker.cluster;

import io.starling.broker.model.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the broker tells the cluster transport. Called on broker threads: every method must return
 * quickly (hand the work to the transport's own threads).
 */
public interface ClusterEvents {
    /**
     * This node has its first local subscription to {@code filter} (a {@code $share/...} filter
     * included, as subscribed). The SUBACK that made it waits for the returned future: complete it
     * once every other member knows the route, so that a message published anywhere after the
     * SUBACK reaches the subscription.
     */
    CompletableFuture<Void> routeAdded(String filter);

    /** This node's last local subscription to {@code filter} is gone. */
    void routeRemoved(String filter);

    /**
     * {@code message}, published on this node by a client (or as a will), matches routes of
     * {@code node}: send it there, once, in order with the other messages of the same publisher.
     * {@code shares} are the shared subscriptions ({@code $share/{group}/{filter}}) whose turn
     * {@code node} has for this message, usually none: hand them to its
     * {@link ClusterPort#deliverForwarded} with the message.
     */
    void forward(String node, Message message, List<String> shares);

    /**
     * A message published on this node changed the retained message of its topic (an empty
     * payload: removed it): replicate it to every other node.
     */
    void retainedChanged(Message message);

    /**
     * A client authenticated with the client identifier {@code clientId} (not one the broker
     * assigned) and is about to open its session here. Its CONNECT waits for the returned future:
     * complete it once the cluster agrees that this node owns the session, after the node that
     * owned it before {@link ClusterPort#release released} it and this one {@link
     * ClusterPort#adopt adopted} what it handed over; fail it when this node cannot own it now (no
     * majority), and the client is refused with Server unavailable.
     */
    default CompletableFuture<Void> claim(String clientId, boolean cleanStart) {
        return CompletableFuture.completedFuture(null);
    }

    /** The session of {@code clientId} ended on this node (closed clean, expired, deleted): this node no longer owns it. */
    default void sessionEnded(String clientId) {}

    /**
     * Changes of this node's persistent sessions and retained messages, committed together: send
     * them to the nodes that keep a replica, and complete once they have them (the PUBACK or
     * PUBREC that waits for the commit waits for that too). The default keeps no replica.
     */
    default CompletableFuture<Void> replicate(List<SessionChange> changes) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * The cluster as the transport sees it, for metrics and the admin API; its {@link
     * ClusterStatus#routes() routes} are the broker's to fill in, so a transport leaves them empty.
     * Called on any thread, a few times a minute: it must be cheap. The default reports nothing.
     */
    default ClusterStatus status() {
        return ClusterStatus.UNKNOWN;
    }
}
