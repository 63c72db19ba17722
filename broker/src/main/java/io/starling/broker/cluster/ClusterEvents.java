package io.starling.broker.cluster;

import io.starling.broker.model.Message;
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
     */
    void forward(String node, Message message);

    /**
     * A message published on this node changed the retained message of its topic (an empty
     * payload: removed it): replicate it to every other node.
     */
    void retainedChanged(Message message);
}
