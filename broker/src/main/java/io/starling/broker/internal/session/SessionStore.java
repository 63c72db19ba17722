package io.starling.broker.internal.session;

import io.starling.broker.internal.session.Session;
import java.util.Collection;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where live sessions are found, by client identifier; {@link InMemorySessionStore} is the only
 * implementation (persistent sessions reach the durable store as records, through {@link
 * io.starling.broker.spi.Persistence}). Safe to call from any thread.
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
