package io.starling.broker.internal.admin;

import io.starling.broker.admin.BrokerAdmin.Page;
import io.starling.broker.admin.BrokerAdmin.SessionDeletion;
import io.starling.broker.admin.BrokerAdmin.SessionSummary;
import io.starling.broker.admin.BrokerAdmin.SubscriptionInfo;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.internal.session.Session;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.broker.model.SubscriptionOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The sessions as an operator sees them: summaries, subscriptions, deletion. Which sessions
 * exist and whether they are online is read from any thread (the registry's map, volatile
 * fields); everything else (counts, subscriptions, expiry) is read in each session's mailbox
 * through {@link OwnerReads}, so that it is what the session's own thread would see, never a
 * half-changed map. Sessions ended between the look-up and the read show as they were.
 */
final class SessionStates {
    /** A session's summary and its subscriptions, ordered by filter. */
    record Details(SessionSummary summary, List<SubscriptionInfo> subscriptions) {}

    private static final Comparator<Session> BY_CLIENT_ID = Comparator.comparing(Session::clientId);

    private final SessionRegistry registry;

    SessionStates(SessionRegistry registry) {
        this.registry = registry;
    }

    /** Sessions whose client identifier contains {@code clientIdPart} (null: all), ordered by client identifier. */
    Page<SessionSummary> sessions(@Nullable String clientIdPart, int offset, int limit) {
        List<Session> matching = new ArrayList<>();
        for (Session session : registry.store().all()) {
            if (!session.isDiscarded() && Pages.contains(session.clientId(), clientIdPart)) {
                matching.add(session);
            }
        }
        matching.sort(BY_CLIENT_ID);
        return Pages.of(matching, offset, limit, page -> OwnerReads.read(page, this::summary));
    }

    /** The session of {@code clientId} with its subscriptions, or empty when it has none. */
    Optional<Details> details(String clientId) {
        Session session = registry.store().get(clientId);
        if (session == null || session.isDiscarded()) {
            return Optional.empty();
        }
        return Optional.of(OwnerReads.read(session, s -> new Details(summary(s), subscriptionsOf(s))));
    }

    /**
     * Subscriptions of {@code clientId}'s session (null: every session's) whose filter contains
     * {@code filterPart} (null: all), ordered by client identifier then filter.
     */
    Page<SubscriptionInfo> subscriptions(@Nullable String clientId, @Nullable String filterPart, int offset, int limit) {
        List<Session> sessions = new ArrayList<>();
        if (clientId != null) {
            Session session = registry.store().get(clientId);
            if (session != null && !session.isDiscarded()) {
                sessions.add(session);
            }
        } else {
            for (Session session : registry.store().all()) {
                if (!session.isDiscarded()) {
                    sessions.add(session);
                }
            }
            sessions.sort(BY_CLIENT_ID);
        }
        List<SubscriptionInfo> matching = new ArrayList<>();
        for (List<SubscriptionInfo> ofSession : OwnerReads.read(sessions, SessionStates::subscriptionsOf)) {
            for (SubscriptionInfo subscription : ofSession) {
                if (Pages.contains(subscription.filter(), filterPart)) {
                    matching.add(subscription);
                }
            }
        }
        return Pages.of(matching, offset, limit);
    }

    /** Deletes the offline session of {@code clientId}, as its expiry would (see {@link SessionRegistry#delete}). */
    SessionDeletion delete(String clientId) {
        SessionRegistry.Deletion done = OwnerReads.await(registry.delete(clientId), "deleting the session of client " + clientId);
        return switch (done) {
            case DELETED -> SessionDeletion.DELETED;
            case CONNECTED -> SessionDeletion.CONNECTED;
            case NOT_FOUND -> SessionDeletion.NOT_FOUND;
        };
    }

    /** How many sessions are connected and how many are not. */
    record Counts(int online, int offline) {}

    /** How many sessions are online and offline now, read from any thread. */
    Counts counts() {
        int online = 0;
        int offline = 0;
        for (Session session : registry.store().all()) {
            if (session.isDiscarded()) {
                continue;
            }
            if (session.online()) {
                online++;
            } else {
                offline++;
            }
        }
        return new Counts(online, offline);
    }

    /**
     * Mailbox only. {@code queuedBytes} counts the payloads of the queued QoS 1 and 2 messages
     * (what {@code max_queued_bytes} bounds), {@code queued} the messages of every QoS.
     */
    private SessionSummary summary(Session s) {
        return new SessionSummary(s.clientId(), s.connection() != null, s.persistent(), registry.expirySecondsOf(s),
                s.hasSubscriptions() ? s.subscriptions().size() : 0, s.queued(), s.queuedBytes(), s.inflight().size());
    }

    /** Mailbox only: the session's subscriptions, ordered by filter. */
    private static List<SubscriptionInfo> subscriptionsOf(Session s) {
        if (!s.hasSubscriptions()) {
            return List.of();
        }
        List<SubscriptionInfo> all = new ArrayList<>(s.subscriptions().size());
        for (Map.Entry<String, SubscriptionOptions> entry : s.subscriptions().entrySet()) {
            SubscriptionOptions o = entry.getValue();
            TopicTree.SharedFilter shared = TopicTree.SharedFilter.parse(entry.getKey());
            all.add(new SubscriptionInfo(s.clientId(), entry.getKey(), o.qos().value(), o.noLocal(), o.retainAsPublished(),
                    o.retainHandling().value(), shared == null ? null : shared.group()));
        }
        all.sort(Comparator.comparing(SubscriptionInfo::filter));
        return all;
    }
}
