package io.starling.broker.admin;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The operator's view of a running broker. Every method may be called from any thread; what it
 * returns is a snapshot, taken without stopping the broker (counts of a session that is busy at
 * that moment may be a message off).
 */
public interface BrokerAdmin {

    /** Connected clients that match {@code query}, ordered by client identifier. */
    Page<ClientSummary> clients(ClientQuery query, int offset, int limit);

    /** One client's connection (when connected) and session (when it has one); empty when it has neither. */
    Optional<ClientDetails> client(String clientId);

    /**
     * Closes the client's connection as an administrative action (DISCONNECT 0x98 to a 5.0
     * client, then the close): its will is published and its session kept as after any lost
     * connection. False when it is not connected.
     */
    boolean disconnect(String clientId);

    /** Sessions, connected or not, whose client identifier contains {@code clientIdPart} (null: all), ordered by client identifier. */
    Page<SessionSummary> sessions(@Nullable String clientIdPart, int offset, int limit);

    /**
     * Deletes an offline session: its subscriptions, queued messages and stored state go, as if
     * it had expired (a pending will is published). A connected client's session is not deleted.
     */
    SessionDeletion deleteSession(String clientId);

    /**
     * Subscriptions of {@code clientId} (null: every client) whose topic filter contains {@code
     * filterPart} (null: all), ordered by client identifier then filter.
     */
    Page<SubscriptionInfo> subscriptions(@Nullable String clientId, @Nullable String filterPart, int offset, int limit);

    /** Retained messages whose topic matches {@code topicFilter} (an MQTT filter such as {@code #}), ordered by topic. */
    Page<RetainedSummary> retained(String topicFilter, int offset, int limit);

    /** The retained message of {@code topic}, payload included. */
    Optional<RetainedMessage> retainedMessage(String topic);

    /** Removes the retained message of {@code topic}, from memory and the store; false when there was none. */
    boolean deleteRetained(String topic);

    /**
     * Publishes {@code message} as the broker (publisher id {@code ""}), subject to the same
     * routing, retained handling and storage as a client's message; completes once it is stored
     * for every persistent session it reaches, with the number of subscribers it went to.
     */
    CompletableFuture<Integer> publish(AdminMessage message);

    /**
     * Hands every message published to a topic matching {@code topicFilter} to {@code listener}
     * (on a broker thread: it must return quickly) until the returned handle is closed. Watching
     * is not a session: it is not counted as a subscription, gets QoS 0 copies, and drops what it
     * cannot take.
     */
    Watch watch(String topicFilter, Consumer<WatchedMessage> listener);

    /** The broker's size at this moment. */
    Overview overview();

    /** A page of a longer, ordered list. */
    record Page<T>(List<T> items, int total, int offset, int limit) {
        public Page {
            items = List.copyOf(items);
        }
    }

    /** What to list clients by; null fields match everything, others match as substrings. */
    record ClientQuery(@Nullable String clientIdPart, @Nullable String usernamePart, @Nullable String addressPart) {
        public static final ClientQuery ALL = new ClientQuery(null, null, null);
    }

    /**
     * A connected client.
     *
     * @param address the remote address as {@code host:port} (what a PROXY header named, if any)
     * @param protocol {@code 3.1}, {@code 3.1.1} or {@code 5.0}
     * @param connectedAtMillis when its CONNECT was accepted (epoch milliseconds)
     */
    record ClientSummary(String clientId, @Nullable String username, String address, String protocol, long connectedAtMillis) {}

    /**
     * A client's connection and session.
     *
     * @param connection the connection, or null when the client is not connected (its session is offline)
     * @param session the session, or null while a client with a clean session has none between connections
     */
    record ClientDetails(String clientId, @Nullable ClientSummary connection, int keepAliveSeconds,
            @Nullable SessionSummary session, List<SubscriptionInfo> subscriptions) {}

    /**
     * A session.
     *
     * @param expirySeconds the Session Expiry Interval in force (0xFFFFFFFF: never expires; 0:
     *     ends with its connection, a 3.1.1 clean session)
     * @param queued messages waiting to be sent (QoS 0 included)
     * @param inflight QoS 1 and 2 messages sent and not yet acknowledged
     */
    record SessionSummary(String clientId, boolean online, boolean persistent, long expirySeconds, int subscriptions,
            int queued, long queuedBytes, int inflight) {}

    /** What {@link #deleteSession} did. */
    enum SessionDeletion { DELETED, NOT_FOUND, CONNECTED }

    /**
     * One subscription.
     *
     * @param filter the topic filter as subscribed, {@code $share/group/...} included
     * @param shareGroup the Share Name of a shared subscription, or null
     */
    record SubscriptionInfo(String clientId, String filter, int qos, boolean noLocal, boolean retainAsPublished,
            int retainHandling, @Nullable String shareGroup) {}

    /** A retained message without its payload. */
    record RetainedSummary(String topic, int qos, int payloadBytes, @Nullable String publisherId) {}

    /**
     * A retained message.
     *
     * @param payloadUtf8 whether its 5.0 Payload Format Indicator says UTF-8
     * @param contentType its 5.0 Content Type, or null
     * @param expiresAtMillis when it expires (epoch milliseconds), 0 for never
     */
    record RetainedMessage(String topic, int qos, byte[] payload, String publisherId, boolean payloadUtf8,
            @Nullable String contentType, long expiresAtMillis) {}

    /** A message an operator publishes. */
    record AdminMessage(String topic, byte[] payload, int qos, boolean retain) {
        public AdminMessage {
            if (qos < 0 || qos > 2) {
                throw new IllegalArgumentException("QoS must be 0, 1 or 2, not " + qos);
            }
        }
    }

    /** A message seen by a {@link #watch}. */
    record WatchedMessage(String topic, int qos, boolean retain, byte[] payload, String publisherId, long receivedAtMillis) {}

    /** A watch in progress; closing it stops the messages. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * The broker's size.
     *
     * @param sharedGroups shared subscription groups ({@code $share/group/filter} with at least one member)
     */
    record Overview(int connections, int sessionsOnline, int sessionsOffline, int subscriptions, int sharedGroups,
            int retainedMessages, long retainedBytes) {}
}
