package io.starling.broker.internal.admin;

import io.netty.channel.group.ChannelGroup;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.retained.RetainedIndex;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.broker.model.Message;
import io.starling.codec.packet.QoS;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The broker's {@link BrokerAdmin}: each call goes to the part that knows (the connected clients,
 * the sessions, the retained messages, the watches) and publishing goes through the router as a
 * client's message does. Threads: see those parts; a call waits at most {@link OwnerReads#TIMEOUT}
 * for the broker's threads, then throws {@link IllegalStateException}.
 */
public final class Administration implements BrokerAdmin {
    private final ConnectedClients clients;
    private final SessionStates sessions;
    private final RetainedMessages retained;
    private final Watches watches;
    private final Router router;

    /**
     * @param channels the open connections
     * @param clientsRetained the clients' retained messages (the router's store, or the part of it
     *     that is not the broker's {@code $SYS} messages)
     */
    public Administration(SessionRegistry sessions, Router router, RetainedIndex clientsRetained, ChannelGroup channels) {
        this.clients = new ConnectedClients(channels);
        this.sessions = new SessionStates(sessions);
        this.retained = new RetainedMessages(router, clientsRetained);
        this.watches = new Watches(router.subscriptions());
        this.router = router;
    }

    @Override
    public Page<ClientSummary> clients(ClientQuery query, int offset, int limit) {
        return clients.clients(query, offset, limit);
    }

    @Override
    public Optional<ClientDetails> client(String clientId) {
        Connection connection = clients.find(clientId).orElse(null);
        SessionStates.Details session = sessions.details(clientId).orElse(null);
        if (connection == null && session == null) {
            return Optional.empty();
        }
        return Optional.of(new ClientDetails(clientId,
                connection == null ? null : ConnectedClients.summary(connection),
                connection == null ? 0 : connection.keepAliveSeconds(),
                session == null ? null : session.summary(),
                session == null ? List.of() : session.subscriptions()));
    }

    /** Closes every client connection: this cluster node lost the majority. Returns how many. */
    public int disconnectAllForLostMajority() {
        return clients.disconnectAllForLostMajority();
    }

    @Override
    public boolean disconnect(String clientId) {
        return clients.disconnect(clientId);
    }

    @Override
    public Page<SessionSummary> sessions(@Nullable String clientIdPart, int offset, int limit) {
        return sessions.sessions(clientIdPart, offset, limit);
    }

    @Override
    public SessionDeletion deleteSession(String clientId) {
        return sessions.delete(clientId);
    }

    @Override
    public Page<SubscriptionInfo> subscriptions(@Nullable String clientId, @Nullable String filterPart, int offset, int limit) {
        return sessions.subscriptions(clientId, filterPart, offset, limit);
    }

    @Override
    public Page<RetainedSummary> retained(String topicFilter, int offset, int limit) {
        return retained.list(topicFilter, offset, limit);
    }

    @Override
    public Optional<RetainedMessage> retainedMessage(String topic) {
        return retained.get(topic);
    }

    @Override
    public boolean deleteRetained(String topic) {
        return retained.delete(topic);
    }

    /**
     * Routes the message as the broker's (publisher id "", no properties, no ACL check), then
     * hands it to its subscribers once it is stored for the persistent ones.
     *
     * @throws IllegalArgumentException when the topic is not a topic name a client could publish to
     */
    @Override
    public CompletableFuture<Integer> publish(AdminMessage message) {
        OperatorTopics.requireTopicName(message.topic());
        // a copy: the caller's array could change, and the broker's messages never do
        Message routed = new Message(message.topic(), QoS.of(message.qos()), message.retain(), message.payload().clone(), "");
        Router.Publication publication = router.publish(routed, null);
        CompletableFuture<Void> stored = publication.stored();
        if (stored == null) {
            return CompletableFuture.completedFuture(publication.deliver());
        }
        return stored.thenApply(done -> publication.deliver());
    }

    /** @throws IllegalArgumentException when {@code topicFilter} is not a topic filter, or is a shared subscription */
    @Override
    public Watch watch(String topicFilter, Consumer<WatchedMessage> listener) {
        return watches.watch(topicFilter, listener);
    }

    @Override
    public Overview overview() {
        SessionStates.Counts counts = sessions.counts();
        return new Overview(clients.count(), counts.online(), counts.offline(), router.subscriptions().size(),
                router.subscriptions().sharedGroups(), retained.count(), retained.bytes());
    }
}
