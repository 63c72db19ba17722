package io.starling.cluster.replication;

import io.starling.broker.cluster.SessionChange;
import io.starling.broker.cluster.SessionState;
import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas this node keeps of other nodes' persistent sessions, in memory, by origin node:
 * rebuilt from the changes each origin sends, in order (a snapshot is the same changes, applied on
 * top). A replica leaves when its session ends on the origin, when it is taken (by this node, or
 * by another node whose client resumed the session) after its origin died, or when this node
 * stops being the origin's backup. Thread-safe.
 */
public final class Replicas {
    private static final Logger log = LoggerFactory.getLogger(Replicas.class);

    /** One replicated session. */
    private static final class Replica {
        long expirySeconds;
        long offlineSinceMillis;
        final Map<String, SubscriptionOptions> subscriptions = new LinkedHashMap<>();
        final TreeMap<Long, SessionChange.Queued> entries = new TreeMap<>();
        final Set<Integer> inbound = new HashSet<>();
        @Nullable Message will;
        long willDelaySeconds;
    }

    /** What one origin node has replicated here. */
    private static final class Origin {
        final Map<String, Replica> sessions = new HashMap<>();
        final Map<Long, Message> messages = new HashMap<>();
    }

    private final Map<String, Origin> origins = new HashMap<>();

    /**
     * Applies {@code changes} of {@code origin}'s sessions, in order; its retained changes go to
     * {@code retained} (an empty payload: removed), outside this object's lock.
     */
    public void apply(String origin, List<SessionChange> changes, Consumer<Message> retained) {
        List<Message> retainedChanges = null;
        synchronized (this) {
            Origin o = origins.computeIfAbsent(origin, name -> new Origin());
            for (SessionChange change : changes) {
                if (change instanceof SessionChange.Session c) {
                    Replica r = replica(o, c.clientId());
                    r.expirySeconds = c.expirySeconds();
                    r.offlineSinceMillis = c.offlineSinceMillis();
                } else if (change instanceof SessionChange.Will c) {
                    Replica r = replica(o, c.clientId());
                    r.will = c.will();
                    r.willDelaySeconds = c.delaySeconds();
                } else if (change instanceof SessionChange.WillRemoved c) {
                    Replica r = o.sessions.get(c.clientId());
                    if (r != null) {
                        r.will = null;
                    }
                } else if (change instanceof SessionChange.SessionRemoved c) {
                    o.sessions.remove(c.clientId());
                } else if (change instanceof SessionChange.Subscribed c) {
                    replica(o, c.clientId()).subscriptions.put(c.filter(), c.options());
                } else if (change instanceof SessionChange.Unsubscribed c) {
                    Replica r = o.sessions.get(c.clientId());
                    if (r != null) {
                        r.subscriptions.remove(c.filter());
                    }
                } else if (change instanceof SessionChange.MessageStored c) {
                    o.messages.put(c.id(), c.message());
                } else if (change instanceof SessionChange.MessageReleased c) {
                    o.messages.remove(c.id());
                } else if (change instanceof SessionChange.Queued c) {
                    replica(o, c.clientId()).entries.put(c.seq(), c);
                } else if (change instanceof SessionChange.Dequeued c) {
                    Replica r = o.sessions.get(c.clientId());
                    if (r != null) {
                        r.entries.remove(c.seq());
                    }
                } else if (change instanceof SessionChange.Inbound c) {
                    replica(o, c.clientId()).inbound.add(c.packetId());
                } else if (change instanceof SessionChange.InboundReleased c) {
                    Replica r = o.sessions.get(c.clientId());
                    if (r != null) {
                        r.inbound.remove(c.packetId());
                    }
                } else if (change instanceof SessionChange.Retained c) {
                    retainedChanges = retainedChanges == null ? new ArrayList<>() : retainedChanges;
                    retainedChanges.add(c.message());
                } else if (change instanceof SessionChange.RetainedRemoved c) {
                    retainedChanges = retainedChanges == null ? new ArrayList<>() : retainedChanges;
                    retainedChanges.add(new Message(c.topic(), io.starling.codec.packet.QoS.AT_MOST_ONCE, true, new byte[0], ""));
                }
            }
        }
        if (retainedChanges != null) {
            retainedChanges.forEach(retained);
        }
    }

    private static Replica replica(Origin origin, String clientId) {
        return origin.sessions.computeIfAbsent(clientId, id -> new Replica());
    }

    /** The origins this node holds replicas of. */
    public synchronized Set<String> origins() {
        return Set.copyOf(origins.keySet());
    }

    /** The client identifiers of {@code origin}'s replicated sessions. */
    public synchronized List<String> clientIdsOf(String origin) {
        Origin o = origins.get(origin);
        return o == null ? List.of() : List.copyOf(o.sessions.keySet());
    }

    /** How many sessions are replicated here, of every origin. */
    public synchronized int size() {
        int n = 0;
        for (Origin o : origins.values()) {
            n += o.sessions.size();
        }
        return n;
    }

    /** Forgets every replica of {@code origin} (this node is no longer its backup). */
    public synchronized void drop(String origin) {
        Origin o = origins.remove(origin);
        if (o != null && !o.sessions.isEmpty()) {
            log.debug("cluster: dropped the replicas of {} sessions of node {}", o.sessions.size(), origin);
        }
    }

    /**
     * Takes the replica of {@code clientId}'s session out of {@code origin}'s: its state, as the
     * origin had it, with the will due if its client was connected; null when there is none.
     */
    public synchronized @Nullable SessionState take(String origin, String clientId) {
        Origin o = origins.get(origin);
        if (o == null) {
            return null;
        }
        Replica r = o.sessions.remove(clientId);
        if (r == null) {
            return null;
        }
        List<SessionState.Delivery> inflight = new ArrayList<>();
        List<SessionState.Delivery> waiting = new ArrayList<>();
        for (SessionChange.Queued q : r.entries.values()) {
            Message message = o.messages.get(q.messageId());
            if (message == null) {
                log.warn("cluster: the replica of {}'s session has a queue entry without its message record; skipped", clientId);
                continue;
            }
            SessionState.Delivery d = new SessionState.Delivery(message, q.qos(), q.retain(), q.subscriptionIds(), q.packetId(),
                    q.released());
            (q.packetId() != 0 ? inflight : waiting).add(d);
        }
        inflight.addAll(waiting);
        if (o.sessions.isEmpty()) {
            origins.remove(origin);
        }
        return new SessionState(clientId, r.expirySeconds, r.subscriptions, inflight, r.inbound, r.will, r.willDelaySeconds);
    }
}
