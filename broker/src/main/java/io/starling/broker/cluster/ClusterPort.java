package io.starling.broker.cluster;

import io.starling.broker.model.Message;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The broker's side of a cluster ({@code Broker.cluster()}): the transport feeds it what the other
 * nodes say, and hears through {@link ClusterEvents} what this node does. Nodes are named by the
 * transport (their {@code node_name}). Every method may be called from any thread.
 */
public interface ClusterPort {
    /**
     * Starts telling {@code events} about this node's routes, messages to forward and retained
     * changes; returns this node's routes at that moment, so that the transport can announce them.
     */
    Set<String> attach(ClusterEvents events);

    /** {@code node} has subscribers for these filters: matching messages published here are forwarded there. */
    void routesAdded(String node, Collection<String> filters);

    /** {@code node} no longer has subscribers for these filters. */
    void routesRemoved(String node, Collection<String> filters);

    /** {@code node} left or died: forget every route it had. */
    void nodeGone(String node);

    /**
     * Delivers {@code message}, forwarded by another node, to this node's own subscribers (never to
     * other nodes again), as if published here: QoS downgraded per subscription, stored for
     * persistent sessions, retain flag as MQTT says. Retained state is not changed here (see
     * {@link #retainedReplicated}). Completes once stored.
     *
     * <p>Shared subscription groups are not among those subscribers, but for {@code shares}: the
     * groups ({@code $share/{group}/{filter}}) the other node picked this node for, as it said
     * with {@link ClusterEvents#forward}; each gets the message once, in one of its members here.
     */
    CompletableFuture<Void> deliverForwarded(Message message, List<String> shares);

    /** Applies another node's retained change (empty payload: remove), in memory and in the store, without delivering it. */
    void retainedReplicated(Message message);

    /** Every retained message of this node, for a node that joins. */
    List<Message> retainedSnapshot();

    /**
     * Another node took the session of {@code clientId} over (its client connected there): closes
     * the connection that holds it here, as a take-over on one node does (in 5.0 with DISCONNECT
     * 0x8E; the will published unless the session goes on and the will has a delay
     * [MQTT-3.1.3-9]), then lets go of the session. Completes, once it is gone from here, with its
     * state when it goes on ({@code cleanStart} false and the session persistent), else empty.
     */
    CompletableFuture<Optional<SessionState>> release(String clientId, boolean cleanStart);

    /**
     * Makes {@code state}, handed over by the node that held it, this node's session (offline,
     * stored as a persistent session is): the client's CONNECT, which waits meanwhile, resumes it.
     * Completes once it is stored and every other node knows its routes.
     */
    CompletableFuture<Void> adopt(SessionState state);

    /**
     * Every persistent session of this node as the changes that rebuild it (its record, will,
     * subscriptions, inbound packet identifiers, and its stored messages with their queue
     * entries), for a node that starts keeping a replica of this node's sessions.
     */
    CompletableFuture<List<SessionChange>> replicaSnapshot();

    /** The client identifiers of this node's persistent sessions whose client is not connected, at this moment. */
    List<String> durableSessions();

    /**
     * Forgets the session of {@code clientId} if no client is connected to it here: another node
     * owns it now (decided while this node was cut off). Nothing is published or handed over.
     */
    void dropIfOffline(String clientId);

    /**
     * This node is cut off from the majority of the cluster, which may give its sessions to
     * other nodes: closes every client connection (5.0 clients are told 0x9C Use another server),
     * so that no client goes on with a session another node may now own. Returns how many closed.
     */
    int fence();

    /**
     * The cluster as this node sees it, members, routes, traffic and forwarding lag included; empty
     * while no transport is {@linkplain #attach attached}.
     */
    default Optional<ClusterStatus> status() {
        return Optional.empty();
    }
}
