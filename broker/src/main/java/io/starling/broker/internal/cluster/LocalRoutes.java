package io.starling.broker.internal.cluster;

import io.starling.broker.cluster.ClusterEvents;
import io.starling.broker.internal.routing.TopicTree;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's routes: the topic filters its sessions subscribe to (watches and other nodes'
 * routes not counted), each with the number of its subscriptions, so that the cluster hears of a
 * filter when its first subscription comes ({@link ClusterEvents#routeAdded}) and when its last
 * one goes ({@link ClusterEvents#routeRemoved}). Persistent sessions offline keep theirs: their
 * subscriptions still receive, queued. Counted from start-up, so that {@link #attach} can return
 * the routes of the sessions restored from the store.
 *
 * <p>A SUBACK waits for the other nodes to know its filter's route ({@link #announced}), at most
 * {@link #ANNOUNCE_BOUND}: past that, or when the transport fails the announcement, it is sent
 * anyway (a WARN says so, once), rather than never.
 *
 * <p>Thread-safety: counts change under the topic tree's monitor and this object's, in the order
 * the subscriptions change; {@link #announced} reads a concurrent map without locking.
 */
final class LocalRoutes implements TopicTree.Routes {
    private static final Logger log = LoggerFactory.getLogger(LocalRoutes.class);
    /** How long a SUBACK waits at most for the other nodes to know its route. */
    static final Duration ANNOUNCE_BOUND = Duration.ofSeconds(5);

    /** Subscriptions per filter, filters with none removed. Guarded by this. */
    private final Map<String, Integer> counts = new HashMap<>();
    /** Announcements not yet confirmed, by filter; each never fails and completes within the bound. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean warned = new AtomicBoolean();
    private volatile @Nullable ClusterEvents events;

    /** Starts telling {@code events} of route changes; returns the routes now. */
    synchronized Set<String> attach(ClusterEvents events) {
        if (this.events != null) {
            throw new IllegalStateException("a cluster transport is attached already");
        }
        this.events = events;
        return Set.copyOf(counts.keySet());
    }

    /** The transport attached, or null. */
    @Nullable ClusterEvents events() {
        return events;
    }

    @Override
    public synchronized void added(String filter) {
        int n = counts.merge(filter, 1, Integer::sum);
        ClusterEvents e = events;
        if (n == 1 && e != null) {
            announce(e, filter);
        }
    }

    @Override
    public synchronized void removed(String filter) {
        Integer n = counts.get(filter);
        if (n == null) {
            return;
        }
        if (n > 1) {
            counts.put(filter, n - 1);
            return;
        }
        counts.remove(filter);
        ClusterEvents e = events;
        if (e != null) {
            try {
                e.routeRemoved(filter);
            } catch (RuntimeException failed) {
                // the session's unsubscribe goes on: the transport's trouble is its own
                log.warn("cluster: the transport failed to withdraw the route '{}': {}", filter, failed.toString());
            }
        }
    }

    @Override
    public @Nullable CompletableFuture<Void> announced(String filter) {
        if (pending.isEmpty()) {
            return null;
        }
        return pending.get(filter);
    }

    private void announce(ClusterEvents e, String filter) {
        CompletableFuture<Void> known;
        try {
            known = e.routeAdded(filter);
        } catch (RuntimeException failed) {
            known = CompletableFuture.failedFuture(failed);
        }
        if (known.isDone() && !known.isCompletedExceptionally()) {
            return;
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        pending.put(filter, ready);
        ready.whenComplete((ok, never) -> pending.remove(filter, ready));
        known.whenComplete((ok, failed) -> {
            if (failed != null && ready.complete(null)) {
                warn(filter, "failed: " + failed);
            }
            ready.complete(null);
        });
        CompletableFuture.delayedExecutor(ANNOUNCE_BOUND.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (ready.complete(null)) {
                warn(filter, "was not confirmed within " + ANNOUNCE_BOUND.toSeconds() + " s");
            }
        });
    }

    private void warn(String filter, String what) {
        if (warned.compareAndSet(false, true)) {
            log.warn("cluster: announcing the route '{}' to the other nodes {}; its SUBACK was sent anyway, so a message"
                    + " published elsewhere meanwhile may not reach it. Logged once.", filter, what);
        } else {
            log.debug("cluster: announcing the route '{}' {}", filter, what);
        }
    }

    /** The number of filters with subscriptions here. */
    synchronized int size() {
        return counts.size();
    }
}
