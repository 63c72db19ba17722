package io.starling.cluster;

import io.starling.broker.cluster.ClusterEvents;
import io.starling.broker.cluster.ClusterPort;
import io.starling.broker.cluster.ClusterStatus;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.broker.cluster.SessionChange;
import io.starling.broker.cluster.SessionState;
import io.starling.cluster.ownership.Ownership;
import io.starling.cluster.replication.ReplicationWire;
import io.starling.cluster.replication.Replicas;
import io.starling.cluster.replication.Replicator;
import io.starling.cluster.stack.ClusterStack;
import io.starling.cluster.wire.ClusterWire;
import io.starling.cluster.wire.ClusterWire.RouteChange;
import io.starling.cluster.wire.SessionWire;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.util.NameCache;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node of a Starling cluster: a JGroups channel joined to the other nodes, between them and
 * this node's broker ({@link ClusterPort}). It announces the broker's routes and learns the
 * others', forwards messages to the nodes whose routes match, replicates retained changes, and
 * tells the broker when a node is gone. A node that joins (or a side that merges after a split)
 * gets every node's routes and the retained messages; conflicting retained messages after a merge
 * are settled by arrival: the last one applied wins.
 *
 * <pre>{@code
 * Broker broker = Broker.start(config);
 * ClusterNode node = ClusterNode.start(config.cluster(), broker.cluster());
 * ...
 * node.close();
 * broker.close();
 * }</pre>
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);
    /** Retained messages per snapshot batch sent to a node that joins. */
    static final int SNAPSHOT_BATCH = 500;
    /** How long after regaining the majority a node waits for its owners table to catch up before it drops what it lost. */
    static final java.time.Duration RECONCILE_DELAY = java.time.Duration.ofSeconds(3);
    /** How soon taking a gone node's sessions over is tried again when there was no leader to decide. */
    static final java.time.Duration PROMOTE_RETRY = java.time.Duration.ofSeconds(1);

    private final BrokerConfig.Cluster config;
    private final ClusterPort port;
    private final JChannel channel;
    private final ClusterStats stats = new ClusterStats();
    private final ExecutorService control;
    private final Forwarder forwarder;
    private final RouteAnnouncer routes;
    private final Ownership ownership;
    private final Handover handover;
    private final Replicator replicator;
    private final Replicas replicas = new Replicas();
    /** The members of the current view by node name (this node included). */
    private volatile Map<String, Address> members = Map.of();
    private @Nullable View view;
    private volatile boolean closed;

    private ClusterNode(BrokerConfig.Cluster config, ClusterPort port, JChannel channel, Ownership ownership) {
        this.config = config;
        this.port = port;
        this.channel = channel;
        this.control = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "starling-cluster-control");
            thread.setDaemon(true);
            return thread;
        });
        this.forwarder = new Forwarder(channel, config.nodeName(), name -> members.get(name), stats);
        this.routes = new RouteAnnouncer(channel, config.nodeName(), control);
        this.ownership = ownership;
        this.handover = new Handover(channel, config.nodeName(), port, this::onControl, replicas);
        this.replicator = new Replicator(channel, config.nodeName(), config.replicationFactor(), port::replicaSnapshot);
    }

    /**
     * Joins (or forms) the cluster {@code config} names and attaches to {@code port}. Returns once
     * the channel is connected: after finding a member of the cluster through the seeds, or after a
     * couple of seconds alone, as a cluster of one that the others join or merge with later.
     *
     * @throws Exception if the transport cannot start (the port is taken, the TLS files are bad)
     */
    public static ClusterNode start(BrokerConfig.Cluster config, ClusterPort port) throws Exception {
        return start(config, null, port);
    }

    /**
     * As {@link #start(BrokerConfig.Cluster, ClusterPort)}, keeping the session owners' raft log
     * in {@code raftDir} (null: in memory, for a broker that stores nothing: a member that
     * restarts then forgets its votes, which raft assumes it does not).
     */
    public static ClusterNode start(BrokerConfig.Cluster config, @Nullable Path raftDir, ClusterPort port) throws Exception {
        JChannel channel = ClusterStack.channel(config, raftDir);
        Ownership ownership = new Ownership(channel, config.nodeName());
        ClusterNode node = new ClusterNode(config, port, channel, ownership);
        channel.setReceiver(node.new Inbound());
        try {
            channel.connect(config.name());
        } catch (Exception e) {
            node.close();
            throw e;
        }
        node.control.execute(() -> node.routes.announceInitial(port.attach(node.new Events())));
        return node;
    }

    /** This node's name in the cluster. */
    public String nodeName() {
        return config.nodeName();
    }

    /** The names of the current members, this node included, the coordinator first. */
    public List<String> members() {
        return List.copyOf(members.keySet());
    }

    /** The JGroups channel, for tests that break and heal the network. */
    JChannel channel() {
        return channel;
    }

    /** Who owns which session, as this node knows it. */
    public Ownership ownership() {
        return ownership;
    }

    /** The replicas this node keeps of other nodes' persistent sessions. */
    public Replicas replicas() {
        return replicas;
    }

    /** This node's replication to its backups. */
    public Replicator replicator() {
        return replicator;
    }

    /** What this node has counted. */
    public ClusterStats stats() {
        return stats;
    }

    /** Leaves the cluster (the others see this node go at once) and stops the node's threads. */
    @Override
    public void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        forwarder.close();
        replicator.close();
        ownership.close();
        channel.close();
        control.shutdown();
        if (!control.awaitTermination(5, TimeUnit.SECONDS)) {
            control.shutdownNow();
        }
    }

    private static String name(Address address) {
        String name = NameCache.get(address);
        return name != null ? name : address.toString();
    }

    private void onControl(Runnable task) {
        try {
            control.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: nothing more to tell
        }
    }

    /** Control thread: the broker hears who left, the new members get our routes and perhaps the retained messages. */
    private void viewChanged(@Nullable View previous, View next) {
        Address self = channel.getAddress();
        Map<String, Address> now = new java.util.LinkedHashMap<>();
        for (Address member : next.getMembers()) {
            now.put(name(member), member);
        }
        replicator.viewChanged(now);
        if (previous != null) {
            for (Address member : previous.getMembers()) {
                if (!next.containsMember(member)) {
                    port.nodeGone(name(member));
                    handover.nodeGone(name(member));
                }
            }
        }
        keepOrPromoteReplicas(now.keySet());
        guardOwnership(previous, now.keySet());
        List<Address> joined = new ArrayList<>();
        for (Address member : next.getMembers()) {
            if (!member.equals(self) && (previous == null || !previous.containsMember(member))) {
                joined.add(member);
            }
        }
        if (joined.isEmpty()) {
            return;
        }
        for (Address member : joined) {
            routes.sendSet(member);
        }
        // the coordinator of the view before (of each side, after a merge) sends what it retains
        if (previous != null && self != null && self.equals(previous.getCoord())) {
            sendRetainedSnapshot(joined);
        }
    }

    /**
     * Control thread: the replicas of a node that is gone are taken over here (its sessions go on
     * on this node, queued messages and all, until their clients come back anywhere); those of a
     * node this one no longer backs up are dropped.
     */
    private void keepOrPromoteReplicas(java.util.Set<String> members) {
        for (String origin : replicas.origins()) {
            if (!members.contains(origin)) {
                promote(origin);
            } else if (!Replicator.backupsOf(origin, members, config.replicationFactor()).contains(config.nodeName())) {
                replicas.drop(origin);
            }
        }
    }

    /** Whether {@code view} holds a majority of the configured members. */
    private boolean majority(java.util.Set<String> view) {
        int present = 0;
        for (String member : config.members()) {
            if (view.contains(member)) {
                present++;
            }
        }
        return present >= config.quorum();
    }

    /**
     * Control thread: a node cut off from the majority closes its clients' connections (the
     * majority may give their sessions to other nodes); one that has the majority again (or for
     * the first time, after a restart) drops the sessions the majority gave to other nodes
     * meanwhile, once its copy of the owners table has caught up.
     */
    private void guardOwnership(@Nullable View previous, java.util.Set<String> now) {
        boolean had = previous != null && majority(previousNames(previous));
        boolean has = majority(now);
        if (had && !has) {
            int closed = port.fence();
            log.warn("cluster: this node is cut off from the majority of the members ({} of {} needed); {} client connections"
                    + " closed, new ones refused until the majority is back", config.quorum(), config.members().size(), closed);
        } else if (has && !had) {
            CompletableFuture.delayedExecutor(RECONCILE_DELAY.toMillis(), TimeUnit.MILLISECONDS).execute(() -> onControl(this::reconcile));
        }
    }

    private static java.util.Set<String> previousNames(View view) {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Address member : view.getMembers()) {
            names.add(name(member));
        }
        return names;
    }

    /**
     * Drops the offline persistent sessions here that the majority's owners table gives to another
     * node (read through the leader: this node's own copy may not have caught up yet).
     */
    private void reconcile() {
        List<String> offline = port.durableSessions();
        if (offline.isEmpty()) {
            return;
        }
        ownership.owners(offline).whenComplete((owners, failed) -> onControl(() -> {
            if (failed != null) {
                log.warn("cluster: could not read the session owners to drop the sessions other nodes own now: {}", failed.toString());
                return;
            }
            int dropped = 0;
            for (int i = 0; i < offline.size() && i < owners.size(); i++) {
                String owner = owners.get(i);
                if (!owner.isEmpty() && !owner.equals(config.nodeName())) {
                    port.dropIfOffline(offline.get(i));
                    dropped++;
                }
            }
            if (dropped > 0) {
                log.info("cluster: {} persistent sessions here are owned by other nodes now; dropped", dropped);
            }
        }));
    }

    private void promote(String origin) {
        List<String> clientIds = replicas.clientIdsOf(origin);
        if (clientIds.isEmpty()) {
            return;
        }
        ownership.claimFrom(origin, clientIds).whenComplete((granted, failed) -> onControl(() -> {
            if (failed != null) {
                // no leader yet (the node that died led, and an election is on), or no majority: tried
                // again while the node stays away; meanwhile a client may ask for its replica
                log.info("cluster: node {} is gone; taking its {} persistent sessions over waits for the majority: {}", origin,
                        clientIds.size(), failed.getMessage());
                CompletableFuture.delayedExecutor(PROMOTE_RETRY.toMillis(), TimeUnit.MILLISECONDS).execute(() -> onControl(() -> {
                    if (!closed && !members.containsKey(origin)) {
                        promote(origin);
                    }
                }));
                return;
            }
            int adopted = 0;
            for (String clientId : granted) {
                SessionState state = replicas.take(origin, clientId);
                if (state != null) {
                    port.adopt(state);
                    adopted++;
                }
            }
            // the others were claimed by clients elsewhere already: their replicas wait to be asked for
            log.info("cluster: node {} is gone; {} of its persistent sessions taken over here from their replicas", origin, adopted);
        }));
    }

    private void sendRetainedSnapshot(List<Address> to) {
        List<Message> snapshot = port.retainedSnapshot();
        for (Address member : to) {
            for (int from = 0; from < snapshot.size(); from += SNAPSHOT_BATCH) {
                List<Message> batch = snapshot.subList(from, Math.min(snapshot.size(), from + SNAPSHOT_BATCH));
                try {
                    channel.send(new BytesMessage(member, ClusterWire.messages(ClusterWire.Kind.RETAINED, config.nodeName(), batch)));
                    stats.retainedSent.add(batch.size());
                } catch (Exception e) {
                    log.warn("cluster: could not send the retained messages to {}: {}", name(member), e.toString());
                    break;
                }
            }
        }
    }

    /** What the broker tells this node. */
    private final class Events implements ClusterEvents {
        @Override
        public CompletableFuture<Void> routeAdded(String filter) {
            if (closed) {
                return CompletableFuture.completedFuture(null);
            }
            try {
                return routes.add(filter);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.completedFuture(null);
            }
        }

        @Override
        public void routeRemoved(String filter) {
            if (!closed) {
                try {
                    routes.remove(filter);
                } catch (RejectedExecutionException e) {
                    // closing
                }
            }
        }

        @Override
        public void forward(String node, Message message, List<String> shares) {
            forwarder.forward(node, message, shares);
        }

        @Override
        public void retainedChanged(Message message) {
            forwarder.broadcastRetained(message);
        }

        @Override
        public CompletableFuture<Void> claim(String clientId, boolean cleanStart) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("this node is leaving the cluster"));
            }
            return ownership.claim(clientId).thenCompose(previous -> {
                if (previous == null) {
                    return CompletableFuture.completedFuture(null);
                }
                Address owner = members.get(previous);
                if (owner == null) {
                    // the node that held it is gone: its backup holds the replica
                    return handover.takeReplica(members, previous, clientId, cleanStart)
                            .thenCompose(state -> state.isPresent() ? port.adopt(state.get()) : CompletableFuture.completedFuture(null));
                }
                return handover.take(owner, previous, clientId, cleanStart)
                        .thenCompose(state -> state.isPresent() ? port.adopt(state.get()) : CompletableFuture.completedFuture(null));
            });
        }

        @Override
        public void sessionEnded(String clientId) {
            ownership.ended(clientId);
        }

        @Override
        public CompletableFuture<Void> replicate(List<SessionChange> changes) {
            return replicator.replicate(changes);
        }

        @Override
        public ClusterStatus status() {
            return ClusterStatusView.of(config.name(), config.nodeName(), members(), stats, forwarder, replicator.waiting());
        }
    }

    /** What the other nodes tell this node, on JGroups' threads (one at a time per sender, in order). */
    private final class Inbound implements Receiver {
        @Override
        public void viewAccepted(View next) {
            Map<String, Address> byName = new java.util.LinkedHashMap<>();
            for (Address member : next.getMembers()) {
                byName.put(name(member), member);
            }
            members = byName;
            log.info("cluster {}: view {} with {} members: {}", config.name(), next.getViewId().getId(), byName.size(),
                    String.join(", ", byName.keySet()));
            View previous = view;
            view = next;
            onControl(() -> viewChanged(previous, next));
        }

        @Override
        public void receive(org.jgroups.Message message) {
            if (SessionWire.isSessionFrame(message.getArray(), message.getOffset(), message.getLength())) {
                receiveHandover(message);
                return;
            }
            if (ReplicationWire.isReplicationFrame(message.getArray(), message.getOffset(), message.getLength())) {
                receiveReplication(message);
                return;
            }
            ClusterWire.Frame frame;
            try {
                frame = ClusterWire.decode(message.getArray(), message.getOffset(), message.getLength());
            } catch (IllegalArgumentException e) {
                log.warn("cluster: dropped a frame from {}: {}", message.getSrc(), e.getMessage());
                return;
            }
            switch (frame.kind()) {
                case ROUTES -> applyRoutes(frame.sender(), frame.routes());
                case ROUTE_SET -> port.routesAdded(frame.sender(), frame.routes().stream().map(RouteChange::filter).toList());
                case FORWARD -> {
                    for (ClusterWire.Forwarded forwarded : frame.forwarded()) {
                        port.deliverForwarded(forwarded.message(), forwarded.shares());
                    }
                    stats.receivedMessages.add(frame.forwarded().size());
                    stats.receivedBatches.increment();
                    stats.receivedBytes.add(message.getLength());
                }
                case RETAINED -> {
                    for (Message retained : frame.messages()) {
                        port.retainedReplicated(retained);
                    }
                    stats.retainedReceived.add(frame.messages().size());
                }
            }
        }

        private void receiveReplication(org.jgroups.Message message) {
            Object frame;
            try {
                frame = ReplicationWire.decode(message.getArray(), message.getOffset(), message.getLength());
            } catch (IllegalArgumentException e) {
                log.warn("cluster: dropped a replication frame from {}: {}", message.getSrc(), e.getMessage());
                return;
            }
            if (frame instanceof ReplicationWire.Batch batch) {
                replicas.apply(batch.origin(), batch.changes(), port::retainedReplicated);
                if (!batch.snapshot()) {
                    Address origin = message.getSrc();
                    byte[] ack = ReplicationWire.ack(new ReplicationWire.Ack(config.nodeName(), batch.id()));
                    onControl(() -> {
                        try {
                            channel.send(new BytesMessage(origin, ack));
                        } catch (Exception e) {
                            log.warn("cluster: could not acknowledge session changes to {}: {}", batch.origin(), e.toString());
                        }
                    });
                }
            } else if (frame instanceof ReplicationWire.Ack ack) {
                replicator.acknowledged(ack.backup(), ack.id());
            }
        }

        private void receiveHandover(org.jgroups.Message message) {
            Object frame;
            try {
                frame = SessionWire.decode(message.getArray(), message.getOffset(), message.getLength());
            } catch (IllegalArgumentException e) {
                log.warn("cluster: dropped a hand-over frame from {}: {}", message.getSrc(), e.getMessage());
                return;
            }
            if (frame instanceof SessionWire.Take take) {
                handover.onTake(take, message.getSrc());
            } else if (frame instanceof SessionWire.Answer answer) {
                handover.onAnswer(answer);
            }
        }

        /** Applies route changes in order, each run of adds or removes in one call. */
        private void applyRoutes(String sender, List<RouteChange> changes) {
            int from = 0;
            while (from < changes.size()) {
                boolean add = changes.get(from).add();
                int to = from;
                List<String> filters = new ArrayList<>();
                while (to < changes.size() && changes.get(to).add() == add) {
                    filters.add(changes.get(to).filter());
                    to++;
                }
                if (add) {
                    port.routesAdded(sender, filters);
                } else {
                    port.routesRemoved(sender, filters);
                }
                from = to;
            }
        }
    }

    @Override
    public String toString() {
        return "ClusterNode[" + config.nodeName() + ", " + members.size() + " members]";
    }

}
