package io.starling.cluster;

import io.starling.cluster.wire.ClusterWire;
import io.starling.cluster.wire.ClusterWire.RouteChange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the other nodes this node's routes. Changes queue up and go out on the node's control
 * thread, as many as have queued in one broadcast; a broadcast with a new route is sent with
 * RSVP, so that the futures complete only once every member has applied it (or left, or the RSVP
 * timeout passed). The route set itself is kept here, changed only on the control thread, so that
 * a node that joins gets exactly the set the later changes apply to.
 */
final class RouteAnnouncer {
    private static final Logger log = LoggerFactory.getLogger(RouteAnnouncer.class);

    private record Pending(RouteChange change, @Nullable CompletableFuture<Void> done) {}

    private final JChannel channel;
    private final String self;
    private final Executor control;
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    /** This node's routes as announced; control thread only. */
    private final Set<String> routes = new LinkedHashSet<>();

    RouteAnnouncer(JChannel channel, String self, Executor control) {
        this.channel = channel;
        this.self = self;
        this.control = control;
    }

    CompletableFuture<Void> add(String filter) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pending.add(new Pending(new RouteChange(true, filter), done));
        control.execute(this::flush);
        return done;
    }

    void remove(String filter) {
        pending.add(new Pending(new RouteChange(false, filter), null));
        control.execute(this::flush);
    }

    /** Control thread: this node's routes at attach time, announced to every member. */
    void announceInitial(Collection<String> initial) {
        routes.addAll(initial);
        sendSet(null);
    }

    /** Control thread: the whole route set to {@code member}, which joined or merged. */
    void sendSet(@Nullable Address member) {
        List<RouteChange> all = new ArrayList<>();
        for (String filter : routes) {
            all.add(new RouteChange(true, filter));
        }
        try {
            channel.send(new BytesMessage(member, ClusterWire.routes(ClusterWire.Kind.ROUTE_SET, self, all)));
        } catch (Exception e) {
            log.warn("cluster: could not send this node's {} routes to {}: {}", all.size(), member == null ? "the members" : member, e.toString());
        }
    }

    private void flush() {
        List<RouteChange> changes = new ArrayList<>();
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (Pending next = pending.poll(); next != null; next = pending.poll()) {
            changes.add(next.change());
            if (next.done() != null) {
                waiting.add(next.done());
            }
            if (next.change().add()) {
                routes.add(next.change().filter());
            } else {
                routes.remove(next.change().filter());
            }
        }
        if (changes.isEmpty()) {
            return;
        }
        Message message = new BytesMessage(null, ClusterWire.routes(ClusterWire.Kind.ROUTES, self, changes));
        if (!waiting.isEmpty()) {
            message.setFlag(Message.Flag.RSVP);
        }
        try {
            channel.send(message);
        } catch (Exception e) {
            // the route stays local; members that missed it get it with the route set when they (re)join
            log.warn("cluster: could not announce {} route changes: {}", changes.size(), e.toString());
        }
        waiting.forEach(done -> done.complete(null));
    }
}
