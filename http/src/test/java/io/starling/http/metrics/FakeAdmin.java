package io.starling.http.metrics;

import io.starling.broker.admin.BrokerAdmin;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A broker view with a fixed overview and fixed sessions, counting how often it is asked; the rest is not needed. */
final class FakeAdmin implements BrokerAdmin {
    final AtomicInteger overviews = new AtomicInteger();
    private final Overview overview;
    private final List<SessionSummary> sessions;

    FakeAdmin(Overview overview, List<SessionSummary> sessions) {
        this.overview = overview;
        this.sessions = sessions;
    }

    @Override
    public Overview overview() {
        overviews.incrementAndGet();
        return overview;
    }

    @Override
    public Page<SessionSummary> sessions(String clientIdPart, int offset, int limit) {
        int from = Math.min(offset, sessions.size());
        int to = (int) Math.min((long) from + limit, sessions.size());
        return new Page<>(sessions.subList(from, to), sessions.size(), offset, limit);
    }

    @Override
    public Page<ClientSummary> clients(ClientQuery query, int offset, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<ClientDetails> client(String clientId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean disconnect(String clientId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public SessionDeletion deleteSession(String clientId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Page<SubscriptionInfo> subscriptions(String clientId, String filterPart, int offset, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Page<RetainedSummary> retained(String topicFilter, int offset, int limit) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<RetainedMessage> retainedMessage(String topic) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean deleteRetained(String topic) {
        throw new UnsupportedOperationException();
    }

    @Override
    public CompletableFuture<Integer> publish(AdminMessage message) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Watch watch(String topicFilter, Consumer<WatchedMessage> listener) {
        throw new UnsupportedOperationException();
    }
}
