package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import io.starling.broker.cluster.SessionChange;
import io.starling.broker.cluster.SessionState;
import io.starling.broker.internal.acl.ClientRights;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.session.SessionStore;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.broker.model.StoredMessage;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.Recovered;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.TopicMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions by client identifier, and their life cycle: a connection opens (or resumes) the
 * session of its client identifier, taking it over from any connection that holds it
 * [MQTT-3.1.4-2]; a clean session ends with its connection [MQTT-3.1.2-6]; a persistent one
 * outlives it [MQTT-3.1.2-4] until it expires.
 */
public final class SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

    /** Called on the session's owner once a connection is attached: sends CONNACK and resumes delivery. */
    @FunctionalInterface
    public interface Attached {
        void attached(Session session, ClientConnection connection, boolean sessionPresent);
    }

    /** Publishes a will, in the session's mailbox; the broker's publish-in flow. */
    @FunctionalInterface
    public interface Wills {
        void publish(Session session, Message will);
    }

    /** The Session Expiry Interval that means "never" (section 3.1.2.11.2): 0xFFFFFFFF. */
    public static final long NEVER = 0xFFFF_FFFFL;

    private final SessionStore store;
    private final TopicTree subscriptions;
    private final Session.Delivery delivery;
    private final Persistence persistence;
    private final @Nullable Duration expiry;
    private final Wills wills;
    /** Who owns sessions: this broker alone, or the cluster. Set once, before clients connect. */
    private volatile SessionClaims claims = SessionClaims.LOCAL;
    /** For sessions handed over by another node: their first event loop and their rights until their client is back. */
    private @Nullable Supplier<EventExecutor> owners;
    private @Nullable Function<String, ClientRights> restoredRights;

    public SessionRegistry(SessionStore store, TopicTree subscriptions, Session.Delivery delivery, Persistence persistence,
            @Nullable Duration expiry) {
        this(store, subscriptions, delivery, persistence, expiry, (session, will) -> {});
    }

    public SessionRegistry(SessionStore store, TopicTree subscriptions, Session.Delivery delivery, Persistence persistence,
            @Nullable Duration expiry, Wills wills) {
        this.store = store;
        this.subscriptions = subscriptions;
        this.delivery = delivery;
        this.persistence = persistence;
        this.expiry = expiry;
        this.wills = wills;
    }

    /**
     * The Session Expiry Interval a 5.0 client gets for the one it asked for: {@code session_expiry}
     * caps it (0xFFFFFFFF, never, included).
     */
    public long capExpiry(long requestedSeconds) {
        if (expiry == null || requestedSeconds == 0) {
            return requestedSeconds;
        }
        return Math.min(requestedSeconds, Math.min(expiry.toSeconds(), NEVER - 1));
    }

    public SessionStore store() {
        return store;
    }

    /**
     * Joins a cluster: sessions are claimed through {@code claims}, and a session handed over by
     * another node is placed on one of {@code owners} with the rights {@code rights} gives its
     * client identifier until its client is back. Before clients connect.
     */
    public void cluster(SessionClaims claims, Supplier<EventExecutor> owners, Function<String, ClientRights> rights) {
        this.owners = owners;
        this.restoredRights = rights;
        this.claims = claims;
    }

    /** Who owns sessions (for the connect flow). */
    public SessionClaims claims() {
        return claims;
    }

    /**
     * Rebuilds the persistent sessions a store held at start-up, before any client connects:
     * offline, with their subscriptions in the topic tree, their in-flight messages (re-sent with
     * DUP when the client comes back [MQTT-4.4.0-1]), queued messages and inbound QoS 2 packet
     * identifiers; each expires as if the broker had not stopped, counted from when it went
     * offline (or from now, when the broker stopped while it was connected). Each gets the
     * rights {@code rights} gives its client identifier (the store keeps no user name) before
     * anything is routed to it or its will is due.
     */
    public void restore(Recovered recovered, Supplier<EventExecutor> owners, Function<String, ClientRights> rights) {
        long now = System.currentTimeMillis();
        for (Recovered.Session r : recovered.sessions()) {
            Session session = new Session(r.clientId(), owners.get(), delivery);
            session.rights(rights.apply(r.clientId()));
            session.restored(persistence.enabled(), r.nextSeq(), r.expirySeconds());
            r.subscriptions().forEach((filter, options) -> {
                session.subscriptions().put(filter, options);
                subscriptions.subscribe(filter, session, options);
            });
            session.inboundQos2().addAll(r.inbound());
            for (Recovered.Delivery d : r.deliveries()) {
                QueueRef stored = new QueueRef(d.seq(), d.stored());
                if (d.packetId() != 0) {
                    session.inflight().add(d.packetId(), d.message(), d.qos(), d.retain(), d.subscriptionIds(), stored)
                            .released = d.released();
                } else {
                    session.enqueue(new Session.Pending(d.message(), d.qos(), d.retain(), d.subscriptionIds(), stored));
                }
            }
            store.getOrCreate(r.clientId(), id -> session);
            long offlineSince = r.offlineSinceMillis() == 0 ? now : r.offlineSinceMillis();
            Duration left = expiryOf(session);
            scheduleExpiry(session, left == null ? null : left.minusMillis(now - offlineSince));
            Recovered.Will will = r.will();
            if (will != null) {
                // due as if the broker had not stopped; a session that reconnects first cancels it
                long delay = Math.max(0, will.delaySeconds() - (now - offlineSince) / 1000);
                session.submit(() -> awaitWill(session, new Session.PendingWill(will.message(), delay)));
            }
        }
    }

    /**
     * Opens the session of {@code clientId} for {@code connection}. Returns at once with the
     * session, whose mailbox then attaches the connection (closing any other that held it) and
     * calls {@code attached}; packets the connection submits after this call run after that.
     */
    public Session open(String clientId, boolean cleanSession, ClientConnection connection, Attached attached) {
        return open(clientId, cleanSession, cleanSession ? 0 : StoreChanges.BROKER_EXPIRY, null, connection, attached);
    }

    /**
     * Opens the session of {@code clientId} for {@code connection}, as {@link #open(String,
     * boolean, ClientConnection, Attached)} does: started empty when {@code cleanStart}, ending
     * with the connection when {@code expirySeconds} is 0, and with {@code will} (the connection's
     * will with its delay, or null) stored while the session is.
     */
    public Session open(String clientId, boolean cleanStart, long expirySeconds, Session.@Nullable PendingWill will,
            ClientConnection connection, Attached attached) {
        Session session = store.getOrCreate(clientId, id -> new Session(id, connection.eventLoop(), delivery));
        session.submit(() -> attach(session, cleanStart, expirySeconds, will, connection, attached));
        return session;
    }

    private void attach(Session session, boolean cleanSession, long expirySeconds, Session.@Nullable PendingWill will,
            ClientConnection connection, Attached attached) {
        if (session.isDiscarded()) {
            // the session ended between the look-up and this task: start it again, empty
            session.revive();
            if (store.getOrCreate(session.clientId(), id -> session) != session) {
                log.warn("client {}: connected while its session was being replaced; closing, to be retried", session.clientId());
                connection.closeForTakeOver();
                return;
            }
        }
        ClientConnection previous = session.connection();
        if (previous != null && previous != connection) {
            // [MQTT-3.1.4-2] the existing client is disconnected first; its will is published
            // unless the session goes on (Clean Start 0) and the will has a delay [MQTT-3.1.3-9]
            Session.PendingWill previousWill = previous.takeWill();
            previous.closeForTakeOver();
            if (previousWill != null && (cleanSession || previousWill.delaySeconds == 0)) {
                wills.publish(session, previousWill.will);
            }
            // attach once the previous connection is detached: what it read before its close (a
            // DISCONNECT ending the session, say) takes effect first
            previous.whenClosed(() -> session.submit(() -> attach(session, cleanSession, expirySeconds, will, connection, attached)));
            return;
        }
        session.cancelExpiry();
        boolean sessionPresent = !cleanSession && session.persistent();
        StoreChanges changes = persistence.changes();
        Session.PendingWill waiting = session.takePendingWill();
        if (waiting != null && cleanSession) {
            // the session it waited for ends now: a will waits no longer than its session
            wills.publish(session, waiting.will);
        }
        if (waiting != null && session.durable()) {
            changes.willRemoved(session.clientId());
        }
        if (cleanSession || !session.persistent()) {
            // [MQTT-3.1.2-6] a clean session starts empty; so does a new persistent one
            clear(session, changes);
        }
        boolean durable = expirySeconds != 0 && persistence.enabled();
        if (durable) {
            changes.session(session.clientId(), 0, expirySeconds);
            if (will != null) {
                changes.will(session.clientId(), will.will, will.delaySeconds);
            }
        }
        session.attach(connection, expirySeconds, durable);
        // CONNACK waits until the session is stored; messages wait in the queue until CONNACK is out
        session.gate().after(persistence.commitAny(changes), () -> {
            if (session.connection() == connection) {
                session.connAckSent();
                attached.attached(session, connection, sessionPresent);
            }
        });
    }


    /** Detaches {@code connection} from its session when it closes; runs in the session's mailbox. */
    public void closed(Session session, ClientConnection connection) {
        session.submit(() -> {
            if (session.connection() != connection) {
                return; // taken over: the session belongs to another connection now
            }
            session.detach();
            Session.PendingWill will = connection.takeWill();
            if (session.cleanSession()) {
                // the session ends with the connection: so does any will delay
                if (will != null) {
                    wills.publish(session, will.will);
                }
                discard(session);
                return;
            }
            StoreChanges changes = session.durable() ? persistence.changes() : null;
            if (changes != null) {
                // when it went offline: its expiry counts from there, across restarts
                changes.session(session.clientId(), System.currentTimeMillis(), session.expirySeconds());
            }
            if (will == null && changes != null) {
                changes.willRemoved(session.clientId());
            }
            if (will != null) {
                Session.PendingWill delayed = new Session.PendingWill(will.will, Math.min(will.delaySeconds, expiryCap(session)));
                if (delayed.delaySeconds == 0) {
                    wills.publish(session, will.will);
                    if (changes != null) {
                        changes.willRemoved(session.clientId());
                    }
                } else {
                    awaitWill(session, delayed);
                }
            }
            persistence.commitAny(changes);
            scheduleExpiry(session, expiryOf(session));
        });
    }

    /** Waits for {@code will}'s delay, then publishes it unless the session was resumed meanwhile. */
    private void awaitWill(Session session, Session.PendingWill will) {
        session.awaitWill(will, () -> {
            if (session.pendingWill() == will && session.connection() == null) {
                session.takePendingWill();
                wills.publish(session, will.will);
                if (session.durable()) {
                    persistence.commitAny(persistence.changes().willRemoved(session.clientId()));
                }
            }
        });
    }

    /** The session's expiry in seconds, for capping a will delay; Long.MAX_VALUE when it never expires. */
    private long expiryCap(Session session) {
        Duration d = expiryOf(session);
        return d == null ? Long.MAX_VALUE : d.toSeconds();
    }

    /** How long the session outlives its connection: null for never. */
    private @Nullable Duration expiryOf(Session session) {
        long seconds = session.expirySeconds();
        if (seconds == StoreChanges.BROKER_EXPIRY) {
            return expiry;
        }
        return seconds >= NEVER ? null : Duration.ofSeconds(seconds);
    }

    private void scheduleExpiry(Session session, @Nullable Duration after) {
        if (after != null) {
            session.expireAfter(Math.max(0, after.toMillis()), () -> expire(session));
        }
    }

    private void expire(Session session) {
        if (session.connection() == null && !session.isDiscarded()) {
            log.info("client {}: persistent session expired after {} offline", session.clientId(), expiryOf(session));
            endOffline(session);
        }
    }

    /** What {@link #delete} found. */
    public enum Deletion { DELETED, CONNECTED, NOT_FOUND }

    /**
     * Ends the session of {@code clientId} now if it is offline, as its expiry would: a pending
     * will is published, its subscriptions, messages and stored state go. A session a connection
     * holds is left as it is. Any thread; the work runs in the session's mailbox, and the future
     * completes there.
     */
    public CompletableFuture<Deletion> delete(String clientId) {
        Session session = store.get(clientId);
        if (session == null) {
            return CompletableFuture.completedFuture(Deletion.NOT_FOUND);
        }
        CompletableFuture<Deletion> done = new CompletableFuture<>();
        session.submit(() -> {
            if (session.isDiscarded()) {
                done.complete(Deletion.NOT_FOUND);
            } else if (session.connection() != null) {
                done.complete(Deletion.CONNECTED);
            } else {
                log.info("client {}: offline session deleted by an administrator", session.clientId());
                session.cancelExpiry();
                endOffline(session);
                done.complete(Deletion.DELETED);
            }
        });
        return done;
    }

    /** Ends an offline session: [MQTT-3.1.3-9] a will still waiting for its delay is published first. */
    private void endOffline(Session session) {
        Session.PendingWill will = session.takePendingWill();
        if (will != null) {
            wills.publish(session, will.will);
        }
        discard(session);
    }

    /**
     * The Session Expiry Interval in force for {@code session}, in seconds: 0 for a session that
     * ends with its connection, {@link #NEVER} for one that never expires, the broker's {@code
     * session_expiry} for a 3.1 or 3.1.1 persistent session. Mailbox only.
     */
    public long expirySecondsOf(Session session) {
        Duration d = expiryOf(session);
        return d == null ? NEVER : d.toSeconds();
    }

    private void discard(Session session) {
        SharedLeftovers leftovers = sharedLeftovers(session);
        forget(session);
        claims.ended(session.clientId());
        if (leftovers != null) {
            handOver(session, leftovers);
        }
    }

    /** Empties the session, deletes it from the store and from the live sessions: it has ended here. Mailbox only. */
    private void forget(Session session) {
        StoreChanges changes = persistence.changes();
        clear(session, changes);
        persistence.commitAny(changes);
        session.end();
        store.remove(session);
    }

    /** Messages of an ending session to hand to other members of its shared groups, and those groups. */
    private record SharedLeftovers(List<String> sharedFilters, List<Session.Pending> messages) {}

    /**
     * The QoS 0 and 1 messages queued or in flight to a session that ends which came (as far as
     * its subscriptions tell) through a shared subscription: they go to another member of the
     * group. QoS 2 ones do not [MQTT-4.8.2-5], nor those a non-shared subscription of the session
     * also matches. Null when there are none.
     */
    private static @Nullable SharedLeftovers sharedLeftovers(Session session) {
        if (!session.hasSubscriptions() || (session.inflight().size() == 0 && !session.hasQueued())) {
            return null;
        }
        List<String> shared = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        for (String filter : session.subscriptions().keySet()) {
            if (TopicTree.SharedFilter.parse(filter) != null) {
                shared.add(filter);
            } else {
                plain.add(filter);
            }
        }
        if (shared.isEmpty()) {
            return null;
        }
        List<Session.Pending> candidates = new ArrayList<>();
        for (InflightWindow.Entry entry : session.inflight().entries()) {
            candidates.add(new Session.Pending(entry.message, entry.qos, false, entry.subscriptionIds, null));
        }
        session.forEachQueued(candidates::add);
        List<Session.Pending> messages = new ArrayList<>();
        for (Session.Pending p : candidates) {
            String topic = p.message().topic();
            if (p.qos() != QoS.EXACTLY_ONCE
                    && plain.stream().noneMatch(f -> TopicMatcher.matches(f, topic))
                    && shared.stream().anyMatch(f -> TopicMatcher.matches(sharedTopicFilter(f), topic))) {
                messages.add(new Session.Pending(p.message(), p.qos(), false, p.subscriptionIds(), null));
            }
        }
        return messages.isEmpty() ? null : new SharedLeftovers(shared, messages);
    }

    private static String sharedTopicFilter(String sharedFilter) {
        TopicTree.SharedFilter parsed = TopicTree.SharedFilter.parse(sharedFilter);
        return parsed == null ? sharedFilter : parsed.filter();
    }

    /** Delivers each leftover to another member of a shared group of the session that left, not stored again. */
    private void handOver(Session left, SharedLeftovers leftovers) {
        int handed = 0;
        for (Session.Pending p : leftovers.messages()) {
            for (String filter : leftovers.sharedFilters()) {
                if (TopicMatcher.matches(sharedTopicFilter(filter), p.message().topic())
                        && subscriptions.pickShared(filter, p.message().topic(), (member, options) -> member.deliver(p.message(),
                                QoS.min(p.qos(), options.qos()), false, p.subscriptionIds(), null))) {
                    handed++;
                    break;
                }
            }
        }
        log.info("client {}: session ended; {} of its shared-subscription messages handed to other members", left.clientId(), handed);
    }

    /** Empties the session, and deletes what the store holds of it in {@code changes}. */
    private void clear(Session session, StoreChanges changes) {
        if (session.hasSubscriptions()) {
            for (String filter : session.subscriptions().keySet()) {
                subscriptions.unsubscribe(filter, session);
            }
            session.subscriptions().clear();
        }
        session.clearMessages(changes);
        if (session.durable()) {
            changes.sessionRemoved(session.clientId());
            changes.willRemoved(session.clientId());
        }
    }

    // ---- sessions moving between cluster nodes ----

    /**
     * Lets go of the session of {@code clientId} for another node whose client took it over; see
     * {@link io.starling.broker.cluster.ClusterPort#release}. Any thread; the work runs in the
     * session's mailbox, and the future completes there.
     */
    public CompletableFuture<Optional<SessionState>> release(String clientId, boolean cleanStart) {
        Session session = store.get(clientId);
        if (session == null) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<SessionState>> done = new CompletableFuture<>();
        session.submit(() -> release(session, cleanStart, done));
        return done;
    }

    private void release(Session session, boolean cleanStart, CompletableFuture<Optional<SessionState>> done) {
        if (session.isDiscarded()) {
            done.complete(Optional.empty());
            return;
        }
        ClientConnection connection = session.connection();
        if (connection != null) {
            // [MQTT-3.1.4-2] as a take-over on this node: the connection goes first, and its will
            // with it unless the session goes on and the will has a delay [MQTT-3.1.3-9]
            Session.PendingWill will = connection.takeWill();
            connection.closeForTakeOver();
            if (will != null && (cleanStart || will.delaySeconds == 0)) {
                wills.publish(session, will.will);
            }
            // once detached: what the connection read before its close takes effect first
            connection.whenClosed(() -> session.submit(() -> release(session, cleanStart, done)));
            return;
        }
        session.cancelExpiry();
        Session.PendingWill waiting = session.takePendingWill();
        if (waiting != null && cleanStart) {
            // the session it waited for ends now; resumed elsewhere, it is not published at all
            wills.publish(session, waiting.will);
        }
        if (cleanStart || !session.persistent()) {
            discard(session);
            done.complete(Optional.empty());
            return;
        }
        SessionState state = export(session);
        forget(session);
        log.info("client {}: session handed over to another node with {} messages and {} subscriptions", session.clientId(),
                state.deliveries().size(), state.subscriptions().size());
        done.complete(Optional.of(state));
    }

    /**
     * Forgets the session of {@code clientId} if no client holds it: another cluster node owns it
     * now and has its state. Nothing is published or handed over. Any thread.
     */
    public void dropIfOffline(String clientId) {
        Session session = store.get(clientId);
        if (session == null) {
            return;
        }
        session.submit(() -> {
            if (session.isDiscarded() || session.connection() != null) {
                return;
            }
            session.cancelExpiry();
            session.takePendingWill();
            forget(session);
            log.info("client {}: session dropped, another cluster node owns it now", clientId);
        });
    }

    /** What {@code session} holds, for another node. Mailbox only. */
    private static SessionState export(Session session) {
        List<SessionState.Delivery> deliveries = new ArrayList<>(session.inflight().size() + session.queued());
        for (InflightWindow.Entry e : session.inflight().entries()) {
            deliveries.add(new SessionState.Delivery(e.message, e.qos, e.retain, e.subscriptionIds, e.packetId, e.released));
        }
        session.forEachQueued(p -> deliveries.add(new SessionState.Delivery(p.message(), p.qos(), p.retain(), p.subscriptionIds(), 0,
                false)));
        Map<String, SubscriptionOptions> subscriptions = session.hasSubscriptions() ? Map.copyOf(session.subscriptions()) : Map.of();
        Set<Integer> inbound = Set.copyOf(session.inboundQos2());
        return new SessionState(session.clientId(), session.expirySeconds(), subscriptions, deliveries, inbound);
    }

    /**
     * Makes {@code state}, handed over by another node, the session of its client identifier
     * here, offline, stored when persistence is on; the routes of its subscriptions are announced
     * to the other nodes on the way. Completes once it is stored. A session of that client
     * identifier already here (a connection that beat the hand-over) is kept, and the state dropped.
     */
    public CompletableFuture<Void> adopt(SessionState state) {
        Supplier<EventExecutor> loops = owners;
        Function<String, ClientRights> rights = restoredRights;
        if (loops == null || rights == null) {
            throw new IllegalStateException("not in a cluster");
        }
        Session existing = store.get(state.clientId());
        if (existing != null && !existing.isDiscarded()) {
            log.warn("client {}: a session handed over by another node was dropped, one is here already", state.clientId());
            return CompletableFuture.completedFuture(null);
        }
        Session session = new Session(state.clientId(), loops.get(), delivery);
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.submit(() -> {
            session.rights(rights.apply(state.clientId()));
            boolean durable = persistence.enabled();
            session.restored(durable, 1, state.expirySeconds());
            StoreChanges changes = persistence.changes();
            if (durable) {
                changes.session(state.clientId(), System.currentTimeMillis(), state.expirySeconds());
            }
            state.subscriptions().forEach((filter, options) -> {
                session.subscriptions().put(filter, options);
                subscriptions.subscribe(filter, session, options);
                if (durable) {
                    changes.subscribed(state.clientId(), filter, options);
                }
            });
            session.inboundQos2().addAll(state.inbound());
            for (int packetId : state.inbound()) {
                if (durable) {
                    changes.inbound(state.clientId(), packetId);
                }
            }
            for (SessionState.Delivery d : state.deliveries()) {
                QueueRef stored = null;
                if (durable && d.qos() != QoS.AT_MOST_ONCE) {
                    long id = persistence.nextMessageId();
                    StoredMessage record = new StoredMessage(id);
                    record.retain();
                    long seq = session.nextQueueSeq();
                    changes.message(id, d.message());
                    changes.queued(state.clientId(), seq, id, d.qos(), d.retain(), d.subscriptionIds(), d.packetId(), d.released());
                    stored = new QueueRef(seq, record);
                }
                if (d.packetId() != 0) {
                    session.inflight().add(d.packetId(), d.message(), d.qos(), d.retain(), d.subscriptionIds(), stored)
                            .released = d.released();
                } else {
                    session.enqueue(new Session.Pending(d.message(), d.qos(), d.retain(), d.subscriptionIds(), stored));
                }
            }
            if (store.getOrCreate(state.clientId(), id -> session) != session) {
                // a connection opened a session meanwhile: it stays, this one goes
                log.warn("client {}: a session handed over by another node was dropped, one is here already", state.clientId());
                StoreChanges undo = persistence.changes();
                clear(session, undo);
                session.end();
                done.complete(null);
                return;
            }
            scheduleExpiry(session, expiryOf(session));
            Message will = state.will();
            if (will != null) {
                // its client went with the node that held it: the will is due unless the client is back in time
                if (durable) {
                    changes.will(state.clientId(), will, state.willDelaySeconds());
                }
                awaitWill(session, new Session.PendingWill(will, state.willDelaySeconds()));
            }
            CompletableFuture<Void> stored = persistence.commitAny(changes);
            if (stored == null) {
                done.complete(null);
            } else {
                stored.whenComplete((ok, failed) -> {
                    if (failed != null) {
                        done.completeExceptionally(failed);
                    } else {
                        done.complete(null);
                    }
                });
            }
        });
        return done;
    }

    /** The client identifiers of the persistent sessions stored now with no client connected. Any thread. */
    public List<String> durableClientIds() {
        List<String> ids = new ArrayList<>();
        for (Session session : store.all()) {
            if (session.durable() && !session.isDiscarded() && !session.online()) {
                ids.add(session.clientId());
            }
        }
        return ids;
    }

    /**
     * Every persistent session as the store changes that rebuild it, read in each session's
     * mailbox: for a cluster node that starts keeping a replica of this node's sessions. Any
     * thread.
     */
    public CompletableFuture<List<SessionChange>> durableChanges() {
        List<CompletableFuture<List<SessionChange>>> each = new ArrayList<>();
        for (Session session : store.all()) {
            if (!session.durable()) {
                continue;
            }
            CompletableFuture<List<SessionChange>> one = new CompletableFuture<>();
            session.submit(() -> one.complete(session.durable() && !session.isDiscarded() ? changesOf(session) : List.of()));
            each.add(one);
        }
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<SessionChange> all = new ArrayList<>();
            each.forEach(one -> all.addAll(one.join()));
            return all;
        });
    }

    /** What the store holds of {@code session}, as changes. Mailbox only. */
    private static List<SessionChange> changesOf(Session session) {
        String clientId = session.clientId();
        List<SessionChange> changes = new ArrayList<>();
        changes.add(new SessionChange.Session(clientId, session.connection() == null ? System.currentTimeMillis() : 0,
                session.expirySeconds()));
        Session.PendingWill will = session.pendingWill();
        if (will != null) {
            changes.add(new SessionChange.Will(clientId, will.will, will.delaySeconds));
        }
        if (session.hasSubscriptions()) {
            session.subscriptions().forEach((filter, options) -> changes.add(new SessionChange.Subscribed(clientId, filter, options)));
        }
        for (int packetId : session.inboundQos2()) {
            changes.add(new SessionChange.Inbound(clientId, packetId));
        }
        for (InflightWindow.Entry e : session.inflight().entries()) {
            QueueRef stored = e.stored;
            if (stored != null) {
                changes.add(new SessionChange.MessageStored(stored.message().id(), e.message));
                changes.add(new SessionChange.Queued(clientId, stored.seq(), stored.message().id(), e.qos, e.retain, e.subscriptionIds,
                        e.packetId, e.released));
            }
        }
        session.forEachQueued(p -> {
            QueueRef stored = p.stored();
            if (stored != null) {
                changes.add(new SessionChange.MessageStored(stored.message().id(), p.message()));
                changes.add(new SessionChange.Queued(clientId, stored.seq(), stored.message().id(), p.qos(), p.retain(),
                        p.subscriptionIds(), 0, false));
            }
        });
        return changes;
    }
}
