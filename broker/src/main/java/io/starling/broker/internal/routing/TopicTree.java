package io.starling.broker.internal.routing;

import io.starling.codec.packet.QoS;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The subscriptions of all sessions, in a tree keyed by topic level, so that routing one message
 * costs in proportion to its topic's levels and its matches, not to the number of subscriptions.
 * The wildcards {@code +} and {@code #} are children named after themselves.
 *
 * <p>Thread-safety: any thread may {@link #match} while another changes the tree. Changes are
 * serialised by the tree's monitor; a match reads the concurrent maps without locking and sees
 * each subscription either before or after a concurrent change.
 */
public final class TopicTree {
    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        final ConcurrentHashMap<Subscriber, QoS> subscribers = new ConcurrentHashMap<>(2);

        boolean isEmpty() {
            return children.isEmpty() && subscribers.isEmpty();
        }
    }

    /** Receives one matching subscription. */
    @FunctionalInterface
    public interface Match {
        void accept(Subscriber subscriber, QoS grantedQos);
    }

    private final Node root = new Node();
    private int count;

    /** Adds or replaces {@code subscriber}'s subscription to {@code filter}; returns whether it replaced one. */
    public synchronized boolean subscribe(String filter, Subscriber subscriber, QoS qos) {
        Node node = root;
        int start = 0;
        while (true) {
            int end = levelEnd(filter, start);
            node = node.children.computeIfAbsent(filter.substring(start, end), k -> new Node());
            if (end == filter.length()) {
                break;
            }
            start = end + 1;
        }
        boolean replaced = node.subscribers.put(subscriber, qos) != null;
        if (!replaced) {
            count++;
        }
        return replaced;
    }

    /** Removes {@code subscriber}'s subscription to exactly {@code filter}; returns whether there was one. */
    public synchronized boolean unsubscribe(String filter, Subscriber subscriber) {
        boolean removed = remove(root, filter, 0, subscriber);
        if (removed) {
            count--;
        }
        return removed;
    }

    private static boolean remove(Node node, String filter, int start, Subscriber subscriber) {
        int end = levelEnd(filter, start);
        String level = filter.substring(start, end);
        Node child = node.children.get(level);
        if (child == null) {
            return false;
        }
        boolean removed = end == filter.length()
                ? child.subscribers.remove(subscriber) != null
                : remove(child, filter, end + 1, subscriber);
        if (removed && child.isEmpty()) {
            // prune, so that a churn of distinct filters does not grow the tree forever
            node.children.remove(level, child);
        }
        return removed;
    }

    /** The number of subscriptions in the tree. */
    public synchronized int size() {
        return count;
    }

    /**
     * Calls {@code match} for every subscription whose filter matches {@code topic}; a subscriber
     * with several matching subscriptions is called once per subscription.
     */
    public void match(String topic, Match match) {
        // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'
        boolean system = !topic.isEmpty() && topic.charAt(0) == '$';
        match(root, topic, 0, !system, match);
    }

    private static void match(Node node, String topic, int start, boolean wildcards, Match match) {
        Map<String, Node> children = node.children;
        if (children.isEmpty()) {
            return;
        }
        if (wildcards) {
            Node hash = children.get("#");
            if (hash != null) {
                // '#' matches this level and everything below it
                emit(hash, match);
            }
        }
        int end = levelEnd(topic, start);
        boolean last = end == topic.length();
        Node exact = children.get(topic.substring(start, end));
        if (exact != null) {
            next(exact, topic, end, last, match);
        }
        if (wildcards) {
            Node plus = children.get("+");
            if (plus != null) {
                next(plus, topic, end, last, match);
            }
        }
    }

    private static void next(Node node, String topic, int end, boolean last, Match match) {
        if (last) {
            emit(node, match);
            // "a/#" matches "a": '#' includes the parent level
            Node hash = node.children.get("#");
            if (hash != null) {
                emit(hash, match);
            }
        } else {
            match(node, topic, end + 1, true, match);
        }
    }

    private static void emit(Node node, Match match) {
        if (!node.subscribers.isEmpty()) {
            node.subscribers.forEach(match::accept);
        }
    }

    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
