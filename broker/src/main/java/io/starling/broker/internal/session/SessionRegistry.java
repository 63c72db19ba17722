package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.session.SessionStore;
import io.starling.broker.model.QueueRef;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.Recovered;
import io.starling.broker.spi.StoreChanges;
import java.time.Duration;
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

    private final SessionStore store;
    private final TopicTree subscriptions;
    private final Session.Delivery delivery;
    private final Persistence persistence;
    private final @Nullable Duration expiry;

    public SessionRegistry(SessionStore store, TopicTree subscriptions, Session.Delivery delivery, Persistence persistence,
            @Nullable Duration expiry) {
        this.store = store;
        this.subscriptions = subscriptions;
        this.delivery = delivery;
        this.persistence = persistence;
        this.expiry = expiry;
    }

    public SessionStore store() {
        return store;
    }

    /**
     * Rebuilds the persistent sessions a store held at start-up, before any client connects:
     * offline, with their subscriptions in the topic tree, their in-flight messages (re-sent with
     * DUP when the client comes back [MQTT-4.4.0-1]), queued messages and inbound QoS 2 packet
     * identifiers; each expires as if the broker had not stopped, counted from when it went
     * offline (or from now, when the broker stopped while it was connected).
     */
    public void restore(Recovered recovered, Supplier<EventExecutor> owners) {
        long now = System.currentTimeMillis();
        for (Recovered.Session r : recovered.sessions()) {
            Session session = new Session(r.clientId(), owners.get(), delivery);
            session.restored(persistence.enabled(), r.nextSeq());
            r.subscriptions().forEach((filter, qos) -> {
                session.subscriptions().put(filter, qos);
                subscriptions.subscribe(filter, session, qos);
            });
            session.inboundQos2().addAll(r.inbound());
            for (Recovered.Delivery d : r.deliveries()) {
                QueueRef stored = new QueueRef(d.seq(), d.stored());
                if (d.packetId() != 0) {
                    session.inflight().add(d.packetId(), d.message(), d.qos(), d.retain(), stored).released = d.released();
                } else {
                    session.enqueue(new Session.Pending(d.message(), d.qos(), d.retain(), stored));
                }
            }
            store.getOrCreate(r.clientId(), id -> session);
            long offlineSince = r.offlineSinceMillis() == 0 ? now : r.offlineSinceMillis();
            scheduleExpiry(session, expiry == null ? null : expiry.minusMillis(now - offlineSince));
        }
    }

    /**
     * Opens the session of {@code clientId} for {@code connection}. Returns at once with the
     * session, whose mailbox then attaches the connection (closing any other that held it) and
     * calls {@code attached}; packets the connection submits after this call run after that.
     */
    public Session open(String clientId, boolean cleanSession, ClientConnection connection, Attached attached) {
        Session session = store.getOrCreate(clientId, id -> new Session(id, connection.eventLoop(), delivery));
        session.submit(() -> attach(session, cleanSession, connection, attached));
        return session;
    }

    private void attach(Session session, boolean cleanSession, ClientConnection connection, Attached attached) {
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
            // [MQTT-3.1.4-2] the existing client is disconnected first
            previous.closeForTakeOver();
        }
        session.cancelExpiry();
        boolean sessionPresent = !cleanSession && session.persistent();
        StoreChanges changes = persistence.changes();
        if (cleanSession || !session.persistent()) {
            // [MQTT-3.1.2-6] a clean session starts empty; so does a new persistent one
            clear(session, changes);
        }
        if (!cleanSession && persistence.enabled()) {
            changes.session(session.clientId(), 0);
        }
        session.attach(connection, cleanSession, !cleanSession && persistence.enabled());
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
            if (session.cleanSession()) {
                discard(session);
                return;
            }
            if (session.durable()) {
                // when it went offline: its expiry counts from there, across restarts
                persistence.commitAny(persistence.changes().session(session.clientId(), System.currentTimeMillis()));
            }
            scheduleExpiry(session, expiry);
        });
    }

    private void scheduleExpiry(Session session, @Nullable Duration after) {
        if (after != null) {
            session.expireAfter(Math.max(0, after.toMillis()), () -> expire(session));
        }
    }

    private void expire(Session session) {
        if (session.connection() == null && !session.isDiscarded()) {
            log.info("client {}: persistent session expired after {} offline", session.clientId(), expiry);
            discard(session);
        }
    }

    private void discard(Session session) {
        StoreChanges changes = persistence.changes();
        clear(session, changes);
        persistence.commitAny(changes);
        session.end();
        store.remove(session);
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
        }
    }
}
