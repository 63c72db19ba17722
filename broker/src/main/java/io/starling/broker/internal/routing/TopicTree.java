package io.starling.broker.internal.routing;

import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The subscriptions of all sessions, in a tree keyed by topic level, so that routing one message
 * costs in proportion to its topic's levels and its matches, not to the number of subscriptions.
 * The wildcards {@code +} and {@code #} are children named after themselves.
 *
 * <p>Shared subscriptions ({@code $share/{group}/{filter}}, MQTT 5.0 section 4.8.2, for clients
 * of every version) sit at their filter's node in a group of their own: a matching message goes
 * to one member of each group, chosen round robin, passing over members that are offline or
 * whose queue is full while another one is not. In a cluster, another node with members of a group
 * is one member of it here ({@link #watchShared}, a {@link Subscriber#remote remote} subscriber),
 * so that each message goes to one member among this node's and the other nodes' together.
 *
 * <p>Thread-safety: any thread may {@link #match} while another changes the tree. Changes are
 * serialised by the tree's monitor; a match reads the concurrent maps without locking and sees
 * each subscription either before or after a concurrent change.
 */
public final class TopicTree {
    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        final ConcurrentHashMap<Subscriber, SubscriptionOptions> subscribers = new ConcurrentHashMap<>(2);
        /** Shared subscription groups by name; made on first use. */
        volatile @Nullable ConcurrentHashMap<String, SharedGroup> shared;

        boolean isEmpty() {
            ConcurrentHashMap<String, SharedGroup> groups = shared;
            return children.isEmpty() && subscribers.isEmpty() && (groups == null || groups.isEmpty());
        }
    }

    /** The members of one shared subscription group; replaced, never changed, under the tree's monitor. */
    private static final class SharedGroup {
        volatile Subscriber[] members = new Subscriber[0];
        volatile SubscriptionOptions[] options = new SubscriptionOptions[0];
        final AtomicInteger next = new AtomicInteger();

        /**
         * One member, round robin, among those that may read {@code topic} (the ACL file's
         * delivery check), preferring one that is online and not congested; only among this
         * node's sessions when {@code localOnly} (not {@link Subscriber#remote remote} members).
         * When no member may read it, the one whose turn it is when {@code anyone}, for the
         * delivery check to refuse and count; else nobody. Returns whether a member was handed it.
         */
        boolean pick(String topic, Match match, boolean anyone, boolean localOnly) {
            Subscriber[] m = members;
            SubscriptionOptions[] o = options;
            int n = m.length;
            if (n == 0 || o.length != n) {
                return false;
            }
            int start = localOnly ? localTurn(m) : Math.floorMod(next.getAndIncrement(), n);
            int reader = -1;
            int turn = -1;
            for (int k = 0; k < n; k++) {
                int i = (start + k) % n;
                if (localOnly && m[i].remote()) {
                    continue;
                }
                if (turn < 0) {
                    turn = i;
                }
                if (!m[i].mayRead(topic)) {
                    continue;
                }
                if (m[i].online() && !m[i].congested()) {
                    match.accept(m[i], o[i]);
                    return true;
                }
                if (reader < 0) {
                    reader = i;
                }
            }
            // nobody ready: queue it with the first reader from the one whose turn it is
            if (reader < 0 && (!anyone || turn < 0)) {
                return false;
            }
            int i = reader >= 0 ? reader : turn;
            match.accept(m[i], o[i]);
            return true;
        }

        /**
         * The position of the local member whose turn it is, counting local members only, so
         * that the other nodes among the members do not give the local member after them more turns.
         */
        private int localTurn(Subscriber[] m) {
            int locals = 0;
            for (Subscriber member : m) {
                if (!member.remote()) {
                    locals++;
                }
            }
            if (locals == 0) {
                return 0;
            }
            int turn = Math.floorMod(next.getAndIncrement(), locals);
            for (int i = 0; i < m.length; i++) {
                if (!m[i].remote() && turn-- == 0) {
                    return i;
                }
            }
            return 0;
        }

        /** Whether a member is one of this node's sessions (not another cluster node). */
        boolean hasLocalMember() {
            for (Subscriber member : members) {
                if (!member.remote()) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A parsed {@code $share/{group}/{filter}}: its group name and filter. */
    public record SharedFilter(String group, String filter) {
        private static final String PREFIX = "$share/";

        /** The group and filter of {@code filter}, or null when it is not a shared subscription. */
        public static @Nullable SharedFilter parse(String filter) {
            if (!filter.startsWith(PREFIX)) {
                return null;
            }
            int slash = filter.indexOf('/', PREFIX.length());
            if (slash < 0) {
                return null;
            }
            return new SharedFilter(filter.substring(PREFIX.length(), slash), filter.substring(slash + 1));
        }
    }

    /** Receives one matching subscription. */
    @FunctionalInterface
    public interface Match {
        void accept(Subscriber subscriber, SubscriptionOptions options);
    }

    /**
     * Hears of the subscriptions {@link #size} counts (not {@link #watch watches}), filter by
     * filter, under the tree's monitor, so that it sees them in the order they happen: the
     * cluster's table of this node's routes. Set once at start-up.
     */
    public interface Routes {
        /** A counted subscription to {@code filter} was added (not replaced). Must return quickly. */
        void added(String filter);

        /** A counted subscription to {@code filter} was removed. Must return quickly. */
        void removed(String filter);

        /**
         * What a SUBACK granting {@code filter} waits for: the other nodes learning the route; null
         * when nothing is pending. Never completes exceptionally.
         */
        @Nullable CompletableFuture<Void> announced(String filter);
    }

    private final Node root = new Node();
    private int count;
    private volatile @Nullable Routes routes;

    /** Tells {@code routes} of every counted subscription from now on (see {@link Routes}). */
    public synchronized void routes(Routes routes) {
        this.routes = routes;
    }

    /** What a SUBACK granting {@code filter} waits for (see {@link Routes#announced}); null: nothing. */
    public @Nullable CompletableFuture<Void> announced(String filter) {
        Routes r = routes;
        return r == null ? null : r.announced(filter);
    }

    /** Adds or replaces {@code subscriber}'s subscription to {@code filter} with default options. */
    public boolean subscribe(String filter, Subscriber subscriber, QoS qos) {
        return subscribe(filter, subscriber, SubscriptionOptions.of(qos));
    }

    /**
     * Adds or replaces {@code subscriber}'s subscription to {@code filter} (a shared one when it
     * is {@code $share/{group}/{filter}}); returns whether it replaced one.
     */
    public synchronized boolean subscribe(String filter, Subscriber subscriber, SubscriptionOptions options) {
        boolean replaced = add(filter, subscriber, options);
        if (!replaced) {
            count++;
            Routes r = routes;
            if (r != null) {
                r.added(filter);
            }
        }
        return replaced;
    }

    /**
     * Adds {@code watcher} for {@code filter} (not a shared one): it is matched as a subscription
     * is, but it is not one, so {@link #size} does not count it (an operator's live view of the
     * messages, say). {@link #unwatch} removes it.
     */
    public synchronized void watch(String filter, Subscriber watcher, SubscriptionOptions options) {
        if (SharedFilter.parse(filter) != null) {
            throw new IllegalArgumentException("a watch cannot be a shared subscription: " + filter);
        }
        add(filter, watcher, options);
    }

    /**
     * Adds {@code member}, another cluster node ({@link Subscriber#remote remote}), to the shared
     * group of {@code sharedFilter} ({@code $share/{group}/{filter}}) without counting it, as
     * {@link #watch} does: it takes its turn with this node's members, standing for its own.
     * {@link #unwatch} removes it.
     */
    public synchronized void watchShared(String sharedFilter, Subscriber member, SubscriptionOptions options) {
        if (SharedFilter.parse(sharedFilter) == null || !member.remote()) {
            throw new IllegalArgumentException("only another node watches a shared subscription: " + sharedFilter + ", " + member);
        }
        add(sharedFilter, member, options);
    }

    /** Removes the {@link #watch} (or {@link #watchShared}) of {@code watcher} for {@code filter}; returns whether there was one. */
    public synchronized boolean unwatch(String filter, Subscriber watcher) {
        SharedFilter shared = SharedFilter.parse(filter);
        return shared == null ? remove(root, filter, 0, watcher, null) : remove(root, shared.filter(), 0, watcher, shared.group());
    }

    /** Adds or replaces a subscription without counting it; returns whether it replaced one. Under the monitor. */
    private boolean add(String filter, Subscriber subscriber, SubscriptionOptions options) {
        SharedFilter shared = SharedFilter.parse(filter);
        Node node = nodeOf(shared == null ? filter : shared.filter());
        boolean replaced;
        if (shared == null) {
            replaced = node.subscribers.put(subscriber, options) != null;
        } else {
            ConcurrentHashMap<String, SharedGroup> groups = node.shared;
            if (groups == null) {
                groups = node.shared = new ConcurrentHashMap<>(2);
            }
            replaced = join(groups.computeIfAbsent(shared.group(), g -> new SharedGroup()), subscriber, options);
        }
        return replaced;
    }

    private static boolean join(SharedGroup group, Subscriber subscriber, SubscriptionOptions options) {
        Subscriber[] members = group.members;
        for (int i = 0; i < members.length; i++) {
            if (members[i] == subscriber) {
                SubscriptionOptions[] o = group.options.clone();
                o[i] = options;
                group.options = o;
                return true;
            }
        }
        SubscriptionOptions[] o = Arrays.copyOf(group.options, members.length + 1);
        o[members.length] = options;
        Subscriber[] m = Arrays.copyOf(members, members.length + 1);
        m[members.length] = subscriber;
        // options first: a reader that sees the new members sees options at least as long
        group.options = o;
        group.members = m;
        return false;
    }

    private static boolean leave(SharedGroup group, Subscriber subscriber) {
        Subscriber[] members = group.members;
        for (int i = 0; i < members.length; i++) {
            if (members[i] == subscriber) {
                Subscriber[] m = new Subscriber[members.length - 1];
                SubscriptionOptions[] o = new SubscriptionOptions[members.length - 1];
                for (int j = 0, k = 0; j < members.length; j++) {
                    if (j != i) {
                        m[k] = members[j];
                        o[k++] = group.options[j];
                    }
                }
                group.members = m;
                group.options = o;
                return true;
            }
        }
        return false;
    }

    private Node nodeOf(String filter) {
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
        return node;
    }

    /**
     * Hands {@code match} one member of the shared group of {@code sharedFilter} ({@code
     * $share/{group}/{filter}}) that may read {@code topic}, chosen as for a routed message but
     * among this node's sessions only (never another cluster node); false when the group has no
     * such member (left).
     */
    public boolean pickShared(String sharedFilter, String topic, Match match) {
        SharedFilter shared = SharedFilter.parse(sharedFilter);
        if (shared == null) {
            return false;
        }
        Node node = root;
        int start = 0;
        String filter = shared.filter();
        while (node != null) {
            int end = levelEnd(filter, start);
            node = node.children.get(filter.substring(start, end));
            if (end == filter.length()) {
                break;
            }
            start = end + 1;
        }
        ConcurrentHashMap<String, SharedGroup> groups = node == null ? null : node.shared;
        SharedGroup group = groups == null ? null : groups.get(shared.group());
        if (group == null || group.members.length == 0) {
            return false;
        }
        return group.pick(topic, match, false, true);
    }

    /** Removes {@code subscriber}'s subscription to exactly {@code filter}; returns whether there was one. */
    public synchronized boolean unsubscribe(String filter, Subscriber subscriber) {
        SharedFilter shared = SharedFilter.parse(filter);
        boolean removed = shared == null ? remove(root, filter, 0, subscriber, null)
                : remove(root, shared.filter(), 0, subscriber, shared.group());
        if (removed) {
            count--;
            Routes r = routes;
            if (r != null) {
                r.removed(filter);
            }
        }
        return removed;
    }

    private static boolean remove(Node node, String filter, int start, Subscriber subscriber, @Nullable String group) {
        int end = levelEnd(filter, start);
        String level = filter.substring(start, end);
        Node child = node.children.get(level);
        if (child == null) {
            return false;
        }
        boolean removed = end == filter.length()
                ? removeHere(child, subscriber, group)
                : remove(child, filter, end + 1, subscriber, group);
        if (removed && child.isEmpty()) {
            // prune, so that a churn of distinct filters does not grow the tree forever
            node.children.remove(level, child);
        }
        return removed;
    }

    private static boolean removeHere(Node node, Subscriber subscriber, @Nullable String group) {
        if (group == null) {
            return node.subscribers.remove(subscriber) != null;
        }
        ConcurrentHashMap<String, SharedGroup> groups = node.shared;
        if (groups == null) {
            return false;
        }
        SharedGroup g = groups.get(group);
        if (g == null || !leave(g, subscriber)) {
            return false;
        }
        if (g.members.length == 0) {
            groups.remove(group, g);
        }
        return true;
    }

    /** The number of subscriptions in the tree ({@link #watch watches} not counted). */
    public synchronized int size() {
        return count;
    }

    /**
     * The number of shared subscription groups with at least one member on this node (an emptied
     * group is removed; other nodes' memberships are not counted). Walks the whole tree: for an
     * operator's overview, not for routing.
     */
    public synchronized int sharedGroups() {
        return sharedGroups(root);
    }

    private static int sharedGroups(Node node) {
        int n = 0;
        ConcurrentHashMap<String, SharedGroup> groups = node.shared;
        if (groups != null) {
            for (SharedGroup group : groups.values()) {
                if (group.hasLocalMember()) {
                    n++;
                }
            }
        }
        for (Node child : node.children.values()) {
            n += sharedGroups(child);
        }
        return n;
    }

    /**
     * Calls {@code match} for every subscription whose filter matches {@code topic}, and for one
     * member of every shared group whose filter does; a subscriber with several matching
     * subscriptions is called once per subscription.
     */
    public void match(String topic, Match match) {
        // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'
        boolean system = !topic.isEmpty() && topic.charAt(0) == '$';
        match(root, topic, 0, !system, true, match);
    }

    /**
     * As {@link #match}, but no shared group's member: for a message another cluster node
     * forwarded, whose groups that node picked members for (see {@link #pickShared}).
     */
    public void matchUnshared(String topic, Match match) {
        boolean system = !topic.isEmpty() && topic.charAt(0) == '$';
        match(root, topic, 0, !system, false, match);
    }

    private static void match(Node node, String topic, int start, boolean wildcards, boolean shared, Match match) {
        Map<String, Node> children = node.children;
        if (children.isEmpty()) {
            return;
        }
        if (wildcards) {
            Node hash = children.get("#");
            if (hash != null) {
                // '#' matches this level and everything below it
                emit(hash, topic, shared, match);
            }
        }
        int end = levelEnd(topic, start);
        boolean last = end == topic.length();
        Node exact = children.get(topic.substring(start, end));
        if (exact != null) {
            next(exact, topic, end, last, shared, match);
        }
        if (wildcards) {
            Node plus = children.get("+");
            if (plus != null) {
                next(plus, topic, end, last, shared, match);
            }
        }
    }

    private static void next(Node node, String topic, int end, boolean last, boolean shared, Match match) {
        if (last) {
            emit(node, topic, shared, match);
            // "a/#" matches "a": '#' includes the parent level
            Node hash = node.children.get("#");
            if (hash != null) {
                emit(hash, topic, shared, match);
            }
        } else {
            match(node, topic, end + 1, true, shared, match);
        }
    }

    private static void emit(Node node, String topic, boolean shared, Match match) {
        if (!node.subscribers.isEmpty()) {
            node.subscribers.forEach(match::accept);
        }
        ConcurrentHashMap<String, SharedGroup> groups = shared ? node.shared : null;
        if (groups != null && !groups.isEmpty()) {
            for (SharedGroup group : groups.values()) {
                group.pick(topic, match, true, false);
            }
        }
    }

    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
