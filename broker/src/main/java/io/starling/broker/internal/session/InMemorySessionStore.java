package io.starling.broker.internal.session;

import io.starling.broker.internal.session.Session;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** Sessions in a concurrent map: lost when the broker stops. */
public final class InMemorySessionStore implements SessionStore {
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();

    @Override
    public @Nullable Session get(String clientId) {
        return sessions.get(clientId);
    }

    @Override
    public Session getOrCreate(String clientId, Function<String, Session> create) {
        return sessions.compute(clientId, (id, present) ->
                present == null || present.isDiscarded() ? create.apply(id) : present);
    }

    @Override
    public void remove(Session session) {
        sessions.remove(session.clientId(), session);
    }

    @Override
    public Collection<Session> all() {
        return List.copyOf(sessions.values());
    }
}
