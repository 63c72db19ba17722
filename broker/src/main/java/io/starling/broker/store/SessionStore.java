package io.starling.broker.store;

import io.starling.broker.session.Session;
import java.util.Collection;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where sessions live, by client identifier. The in-memory implementation is the default; the
 * durable store implements the same interface. Safe to call from any thread.
 */
public interface SessionStore {
    /** The session of {@code clientId}, or null. */
    @Nullable Session get(String clientId);

    /**
     * Atomically returns the session of {@code clientId}, first creating it with {@code create}
     * when there is none or the present one is {@link Session#isDiscarded() discarded}.
     */
    Session getOrCreate(String clientId, Function<String, Session> create);

    /** Removes {@code session} if it is still the one stored for its client identifier. */
    void remove(Session session);

    /** Every stored session. */
    Collection<Session> all();
}
