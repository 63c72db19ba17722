package io.starling.broker.session;

import io.starling.broker.routing.TopicTree;
import io.starling.broker.store.SessionStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
    private final @Nullable Duration expiry;

    public SessionRegistry(SessionStore store, TopicTree subscriptions, Session.Delivery delivery, @Nullable Duration expiry) {
        this.store = store;
        this.subscriptions = subscriptions;
        this.delivery = delivery;
        this.expiry = expiry;
    }

    public SessionStore store() {
        return store;
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
        cancelExpiry(session);
        boolean sessionPresent = !cleanSession && session.persistent();
        if (cleanSession || !session.persistent()) {
            // [MQTT-3.1.2-6] a clean session starts empty; so does a new persistent one
            clear(session);
        }
        session.cleanSession(cleanSession);
        session.persistent(!cleanSession);
        session.connection(connection);
        session.moveTo(connection.eventLoop());
        attached.attached(session, connection, sessionPresent);
    }

    /** Detaches {@code connection} from its session when it closes; runs in the session's mailbox. */
    public void closed(Session session, ClientConnection connection) {
        session.submit(() -> {
            if (session.connection() != connection) {
                return; // taken over: the session belongs to another connection now
            }
            session.connection(null);
            if (session.cleanSession()) {
                discard(session);
            } else if (expiry != null) {
                session.expiry(session.owner().schedule(() -> session.submit(() -> expire(session)),
                        expiry.toMillis(), TimeUnit.MILLISECONDS));
            }
        });
    }

    private void expire(Session session) {
        if (session.connection() == null && !session.isDiscarded()) {
            log.info("client {}: persistent session expired after {} offline", session.clientId(), expiry);
            discard(session);
        }
    }

    private void discard(Session session) {
        clear(session);
        // a revived session is new: its next CONNACK must not claim a session present [MQTT-3.2.2-3]
        session.persistent(false);
        session.markDiscarded();
        store.remove(session);
    }

    private void clear(Session session) {
        for (String filter : session.subscriptions().keySet()) {
            subscriptions.unsubscribe(filter, session);
        }
        session.subscriptions().clear();
        session.clearMessages();
    }

    /** A session that reconnects does not expire. */
    private static void cancelExpiry(Session session) {
        var pending = session.expiry();
        if (pending != null) {
            pending.cancel(false);
            session.expiry(null);
        }
    }
}
