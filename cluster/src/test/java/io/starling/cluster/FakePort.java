package io.starling.cluster;

import io.starling.broker.cluster.ClusterEvents;
import io.starling.broker.cluster.ClusterPort;
import io.starling.broker.cluster.SessionState;
import io.starling.broker.model.Message;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A broker side that records what the transport tells it. */
final class FakePort implements ClusterPort {
    final Set<String> initialRoutes = ConcurrentHashMap.newKeySet();
    final List<Message> snapshot = new CopyOnWriteArrayList<>();
    final Map<String, Set<String>> routes = new ConcurrentHashMap<>();
    final List<Message> delivered = new CopyOnWriteArrayList<>();
    /** The shared subscriptions each delivered message came with, in the same order. */
    final List<List<String>> deliveredShares = new CopyOnWriteArrayList<>();
    final Map<String, Message> retained = new ConcurrentHashMap<>();
    final List<String> gone = new CopyOnWriteArrayList<>();
    volatile ClusterEvents events;

    @Override
    public Set<String> attach(ClusterEvents events) {
        this.events = events;
        return Set.copyOf(initialRoutes);
    }

    @Override
    public void routesAdded(String node, Collection<String> filters) {
        routes.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).addAll(filters);
    }

    @Override
    public void routesRemoved(String node, Collection<String> filters) {
        routes.computeIfAbsent(node, n -> ConcurrentHashMap.newKeySet()).removeAll(filters);
    }

    @Override
    public void nodeGone(String node) {
        gone.add(node);
        routes.remove(node);
    }

    @Override
    public CompletableFuture<Void> deliverForwarded(Message message, List<String> shares) {
        delivered.add(message);
        deliveredShares.add(shares);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void retainedReplicated(Message message) {
        if (message.payload().length == 0) {
            retained.remove(message.topic());
        } else {
            retained.put(message.topic(), message);
        }
    }

    @Override
    public List<Message> retainedSnapshot() {
        return new ArrayList<>(snapshot);
    }

    /** Sessions this side holds, by client identifier, to hand over when another node takes one. */
    final Map<String, SessionState> sessions = new ConcurrentHashMap<>();
    /** Take-overs asked of this side, as client identifier and clean start. */
    final List<String> released = new CopyOnWriteArrayList<>();
    final List<SessionState> adopted = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<Optional<SessionState>> release(String clientId, boolean cleanStart) {
        released.add(clientId + (cleanStart ? " clean" : ""));
        SessionState state = sessions.remove(clientId);
        return CompletableFuture.completedFuture(cleanStart ? Optional.empty() : Optional.ofNullable(state));
    }

    @Override
    public CompletableFuture<Void> adopt(SessionState state) {
        adopted.add(state);
        sessions.put(state.clientId(), state);
        return CompletableFuture.completedFuture(null);
    }

    final List<String> fenced = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<List<io.starling.broker.cluster.SessionChange>> replicaSnapshot() {
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public List<String> durableSessions() {
        return List.copyOf(sessions.keySet());
    }

    @Override
    public void dropIfOffline(String clientId) {
        sessions.remove(clientId);
    }

    @Override
    public int fence() {
        fenced.add("fenced");
        return 0;
    }

    Set<String> routesOf(String node) {
        return routes.getOrDefault(node, Set.of());
    }
}
