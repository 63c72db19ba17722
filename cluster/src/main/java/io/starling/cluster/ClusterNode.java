package io.starling.cluster;

import io.starling.broker.cluster.ClusterEvents;
import io.starling.broker.cluster.ClusterPort;
import io.starling.broker.cluster.ClusterStatus;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.model.Message;
import io.starling.cluster.ownership.Ownership;
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

    private final BrokerConfig.Cluster config;
    private final ClusterPort port;
    private final JChannel channel;
    private final ClusterStats stats = new ClusterStats();
    private final ExecutorService control;
    private final Forwarder forwarder;
    private final RouteAnnouncer routes;
    private final Ownership ownership;
    private final Handover handover;
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
        this.handover = new Handover(channel, config.nodeName(), port, this::onControl);
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
        if (previous != null) {
            for (Address member : previous.getMembers()) {
                if (!next.containsMember(member)) {
                    port.nodeGone(name(member));
                    handover.nodeGone(name(member));
                }
            }
        }
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
                    log.info("client {}: its session was on node {}, which is not a member now; it starts without it", clientId,
                            previous);
                    return CompletableFuture.completedFuture(null);
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
        public ClusterStatus status() {
            return ClusterStatusView.of(config.name(), config.nodeName(), members(), stats, forwarder);
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
