package io.starling.broker.cluster;

import io.starling.broker.Broker;
import io.starling.broker.model.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster transport in memory, for tests: one {@link Node} per broker, which hears its broker's
 * {@link ClusterEvents} and hands each on to the other brokers' {@link ClusterPort} on a thread of
 * its own (one per node, so that what one node says arrives in order, and no broker thread ever
 * calls into another broker). It records what it was told, for exact assertions.
 */
final class InMemoryTransport implements AutoCloseable {
    private final Map<String, Node> nodes = new ConcurrentHashMap<>();

    /** One broker in the cluster. */
    final class Node implements ClusterEvents {
        final String name;
        final Broker broker;
        private final ExecutorService thread;
        /** Messages forwarded, by the node they went to. */
        final Map<String, AtomicInteger> forwards = new ConcurrentHashMap<>();
        /** The shared subscriptions named with each forward, by the node it went to, in order. */
        final Map<String, List<List<String>>> shares = new ConcurrentHashMap<>();
        final List<String> routesAdded = new CopyOnWriteArrayList<>();
        final List<String> routesRemoved = new CopyOnWriteArrayList<>();
        final List<Message> retainedChanges = new CopyOnWriteArrayList<>();
        /** Announcements held back while {@link #holdRoutes}: completed by the test, or never. */
        final List<CompletableFuture<Void>> held = new CopyOnWriteArrayList<>();
        volatile boolean holdRoutes;

        Node(String name, Broker broker) {
            this.name = name;
            this.broker = broker;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "transport-" + name);
                t.setDaemon(true);
                return t;
            });
        }

        @Override
        public CompletableFuture<Void> routeAdded(String filter) {
            routesAdded.add(filter);
            CompletableFuture<Void> known = new CompletableFuture<>();
            boolean hold = holdRoutes;
            thread.execute(() -> {
                for (Node other : others()) {
                    other.broker.cluster().routesAdded(name, List.of(filter));
                }
                if (hold) {
                    held.add(known);
                } else {
                    known.complete(null);
                }
            });
            return known;
        }

        @Override
        public void routeRemoved(String filter) {
            routesRemoved.add(filter);
            thread.execute(() -> others().forEach(other -> other.broker.cluster().routesRemoved(name, List.of(filter))));
        }

        @Override
        public void forward(String node, Message message, List<String> picked) {
            forwards.computeIfAbsent(node, n -> new AtomicInteger()).incrementAndGet();
            shares.computeIfAbsent(node, n -> new CopyOnWriteArrayList<>()).add(List.copyOf(picked));
            thread.execute(() -> nodes.get(node).broker.cluster().deliverForwarded(message, picked));
        }

        @Override
        public void retainedChanged(Message message) {
            retainedChanges.add(message);
            thread.execute(() -> others().forEach(other -> other.broker.cluster().retainedReplicated(message)));
        }

        /** Messages forwarded to {@code node}. */
        int forwardedTo(String node) {
            AtomicInteger n = forwards.get(node);
            return n == null ? 0 : n.get();
        }

        /** The shared subscriptions named with each forward to {@code node}, in order. */
        List<List<String>> sharesTo(String node) {
            return shares.getOrDefault(node, List.of());
        }

        /** Messages forwarded to any node. */
        int forwarded() {
            return forwards.values().stream().mapToInt(AtomicInteger::get).sum();
        }

        /** Waits until everything this node said so far has been handed on. */
        void drain() {
            try {
                thread.submit(() -> {}).get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError(name + ": transport not drained", e);
            }
        }

        private List<Node> others() {
            return nodes.values().stream().filter(n -> n != this).toList();
        }
    }

    /**
     * Adds {@code broker} as {@code name}: attaches it, announces its routes to the others and
     * theirs to it, and sends it their retained messages.
     */
    Node join(String name, Broker broker) {
        Node node = new Node(name, broker);
        nodes.put(name, node);
        List<String> routes = List.copyOf(broker.cluster().attach(node));
        node.routesAdded.addAll(routes);
        for (Node other : nodes.values()) {
            if (other == node) {
                continue;
            }
            other.drain();
            broker.cluster().routesAdded(other.name, routesOf(other));
            other.broker.cluster().retainedSnapshot().forEach(broker.cluster()::retainedReplicated);
            other.broker.cluster().routesAdded(name, routes);
        }
        return node;
    }

    /** The routes {@code node} has announced and not withdrawn. */
    private static List<String> routesOf(Node node) {
        List<String> now = new ArrayList<>(node.routesAdded);
        node.routesRemoved.forEach(now::remove);
        return now;
    }

    @Override
    public void close() {
        for (Node node : nodes.values()) {
            node.thread.shutdownNow();
        }
        nodes.clear();
    }
}
