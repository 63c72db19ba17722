package io.starling.broker.internal.cluster;

import io.starling.broker.cluster.ClusterEvents;
import io.starling.broker.cluster.ClusterPort;
import io.starling.broker.cluster.ClusterStatus;
import io.starling.broker.cluster.SessionChange;
import io.starling.broker.cluster.SessionState;
import io.starling.broker.internal.retained.RetainedIndex;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.routing.TopicTree.SharedFilter;
import io.starling.broker.internal.session.SessionClaims;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.broker.internal.sys.SysPublisher;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This broker as a member of a cluster: what {@code Broker.cluster()} returns. It keeps the
 * routes of the other nodes in the topic tree ({@link RemoteNode}), counts this node's own
 * ({@link LocalRoutes}), and moves messages: those published here that match another node's
 * routes go there once ({@link ClusterEvents#forward}); those forwarded here go to this node's
 * sessions only, so that no message is forwarded twice. A shared subscription group spans the
 * nodes: the node where a message is published picks its one member among its own sessions and
 * the other nodes with members, and a node picked delivers it to one member of its own.
 *
 * <p>Until {@link #attach}, nothing is sent anywhere: without a cluster, publishing costs what it
 * did (the topic tree holds no other node, and the retained hook is not set).
 */
public final class LocalNode implements ClusterPort, SessionClaims {
    private static final Logger log = LoggerFactory.getLogger(LocalNode.class);
    /** How another node's route is watched: QoS 2 (the message keeps its own), no No Local, no Retain As Published. */
    private static final SubscriptionOptions REMOTE = SubscriptionOptions.of(QoS.EXACTLY_ONCE);

    private final Router router;
    private final TopicTree tree;
    /** The clients' retained messages (the broker's $SYS ones are kept apart and never replicated). */
    private final RetainedIndex retained;
    private final BrokerMetrics metrics;
    private final LocalRoutes local = new LocalRoutes();
    /** The other nodes with routes, by name. Guarded by this. */
    private final Map<String, RemoteNode> nodes = new HashMap<>();
    /** The sessions, for hand-overs between nodes; set once at start-up. */
    private volatile @Nullable SessionRegistry sessions;
    private final @Nullable ReplicatedPersistence replicated;

    /** Counts the routes of {@code router}'s topic tree from now on: make it before any session subscribes. */
    public LocalNode(Router router, RetainedIndex retained, BrokerMetrics metrics) {
        this(router, retained, metrics, null);
    }

    /**
     * As {@link #LocalNode(Router, RetainedIndex, BrokerMetrics)}, with the store that sends what it
     * stores to the replicas of this node's sessions once a transport attaches (null: none).
     */
    public LocalNode(Router router, RetainedIndex retained, BrokerMetrics metrics, @Nullable ReplicatedPersistence replicated) {
        this.replicated = replicated;
        this.router = router;
        this.tree = router.subscriptions();
        this.retained = retained;
        this.metrics = metrics;
        tree.routes(local);
    }

    /** Closes every client connection when this node is cut off from the majority; set at start-up. */
    private volatile java.util.function.IntSupplier fencing = () -> 0;

    /** How to close every client connection when this node loses the majority; at start-up. */
    public void fencing(java.util.function.IntSupplier disconnectAll) {
        this.fencing = disconnectAll;
    }

    @Override
    public int fence() {
        return fencing.getAsInt();
    }

    /** The broker's sessions, which other nodes may take over and hand over; at start-up. */
    public void sessions(SessionRegistry sessions) {
        this.sessions = sessions;
    }

    @Override
    public Set<String> attach(ClusterEvents events) {
        Set<String> routes = local.attach(events);
        if (replicated != null) {
            replicated.replicateTo(events::replicate);
        }
        router.retainedChanges(message -> {
            try {
                events.retainedChanged(message);
            } catch (RuntimeException failed) {
                log.warn("cluster: the transport failed to replicate the retained message of '{}': {}", message.topic(),
                        failed.toString());
            }
        });
        log.info("cluster: attached, {} local routes", routes.size());
        return routes;
    }

    @Override
    public synchronized void routesAdded(String node, Collection<String> filters) {
        RemoteNode remote = nodes.computeIfAbsent(node, name -> new RemoteNode(name, this));
        for (String filter : filters) {
            String violation = Topics.filterViolation(filter, MqttVersion.V5);
            if (violation != null) {
                log.warn("cluster: node {} announced the topic filter '{}', which is not one ({}): ignored", node, filter, violation);
                continue;
            }
            SharedFilter shared = SharedFilter.parse(filter);
            if (SysPublisher.isSysTopic(shared == null ? filter : shared.filter())) {
                // each node has its own $SYS topics, and clients cannot publish there
                continue;
            }
            if (shared == null) {
                if (remote.watch(filter)) {
                    tree.watch(filter, remote, REMOTE);
                }
            } else {
                SubscriptionOptions member = remote.join(filter);
                if (member != null) {
                    tree.watchShared(filter, remote, member);
                }
            }
        }
    }

    @Override
    public synchronized void routesRemoved(String node, Collection<String> filters) {
        RemoteNode remote = nodes.get(node);
        if (remote == null) {
            return;
        }
        for (String filter : filters) {
            if (remote.remove(filter)) {
                tree.unwatch(filter, remote);
            }
        }
        if (remote.isEmpty()) {
            nodes.remove(node);
        }
    }

    @Override
    public synchronized void nodeGone(String node) {
        RemoteNode remote = nodes.remove(node);
        if (remote == null) {
            return;
        }
        for (String filter : remote.filters()) {
            tree.unwatch(filter, remote);
        }
        log.info("cluster: node {} gone, its routes forgotten", node);
    }

    /**
     * Forwards {@code message}, published here, to {@code node}, with the shared subscriptions
     * whose turn the node has; called once per message and node by the router.
     */
    void forward(String node, Message message, List<String> shares) {
        ClusterEvents events = local.events();
        if (events == null) {
            // not attached: nothing leaves this node
            return;
        }
        metrics.messagesForwardedOut.increment();
        try {
            events.forward(node, message, shares);
        } catch (RuntimeException failed) {
            // the other subscribers still get theirs
            log.warn("cluster: the transport failed to forward a message on '{}' to node {}: {}", message.topic(), node,
                    failed.toString());
        }
    }

    @Override
    public CompletableFuture<Void> deliverForwarded(Message message, List<String> shares) {
        metrics.messagesForwardedIn.increment();
        Router.Publication publication = router.publishForwarded(message, shares);
        CompletableFuture<Void> stored = publication.stored();
        if (stored == null) {
            publication.deliver();
            return CompletableFuture.completedFuture(null);
        }
        // the queued copies are in the store before the sessions send them, as for a client's publish
        return stored.thenRun(publication::deliver);
    }

    @Override
    public void retainedReplicated(Message message) {
        CompletableFuture<Void> stored = router.replicateRetained(message);
        if (stored != null) {
            stored.whenComplete((ok, failed) -> {
                if (failed != null) {
                    log.warn("cluster: the retained message of '{}' replicated from another node was not stored: {}",
                            message.topic(), failed.toString());
                }
            });
        }
    }

    @Override
    public List<Message> retainedSnapshot() {
        long now = System.currentTimeMillis();
        List<Message> all = new ArrayList<>();
        retained.forEach(message -> {
            if (!SysPublisher.isSysTopic(message.topic()) && !message.expiredAt(now)) {
                all.add(message);
            }
        });
        return all;
    }

    // ---- session ownership ----

    @Override
    public @Nullable CompletableFuture<Void> claim(String clientId, boolean cleanStart) {
        ClusterEvents events = local.events();
        if (events == null) {
            // a broker on its own owns every session
            return null;
        }
        return events.claim(clientId, cleanStart);
    }

    @Override
    public void ended(String clientId) {
        ClusterEvents events = local.events();
        if (events != null) {
            try {
                events.sessionEnded(clientId);
            } catch (RuntimeException failed) {
                log.warn("cluster: the transport failed to hear that the session of {} ended: {}", clientId, failed.toString());
            }
        }
    }

    @Override
    public CompletableFuture<Optional<SessionState>> release(String clientId, boolean cleanStart) {
        return registry().release(clientId, cleanStart);
    }

    @Override
    public CompletableFuture<Void> adopt(SessionState state) {
        return registry().adopt(state).thenCompose(stored -> {
            // resumed here, its subscriptions must reach messages published anywhere, as after a SUBACK
            List<CompletableFuture<Void>> known = new ArrayList<>();
            for (String filter : state.subscriptions().keySet()) {
                CompletableFuture<Void> announced = local.announced(filter);
                if (announced != null) {
                    known.add(announced);
                }
            }
            return CompletableFuture.allOf(known.toArray(CompletableFuture[]::new));
        });
    }

    @Override
    public CompletableFuture<List<SessionChange>> replicaSnapshot() {
        return registry().durableChanges();
    }

    @Override
    public void dropIfOffline(String clientId) {
        registry().dropIfOffline(clientId);
    }

    @Override
    public List<String> durableSessions() {
        return registry().durableClientIds();
    }

    private SessionRegistry registry() {
        SessionRegistry registry = sessions;
        if (registry == null) {
            throw new IllegalStateException("the broker has not given its sessions yet");
        }
        return registry;
    }

    @Override
    public Optional<ClusterStatus> status() {
        ClusterEvents events = local.events();
        if (events == null) {
            return Optional.empty();
        }
        ClusterStatus seen = events.status();
        Map<String, Integer> routes = new HashMap<>();
        synchronized (this) {
            nodes.forEach((name, remote) -> {
                if (remote.routes() > 0) {
                    routes.put(name, remote.routes());
                }
            });
        }
        int own = local.size();
        if (own > 0) {
            routes.put(seen.node(), own);
        }
        return Optional.of(seen.withRoutes(routes));
    }
}
