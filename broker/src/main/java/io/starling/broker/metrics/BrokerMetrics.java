package io.starling.broker.metrics;

import java.util.concurrent.atomic.LongAdder;

/** What the broker has done since it started; counters any thread may increment cheaply. */
public final class BrokerMetrics {
    public final LongAdder connectionsOpened = new LongAdder();
    public final LongAdder connectionsClosed = new LongAdder();
    public final LongAdder messagesReceived = new LongAdder();
    public final LongAdder messagesSent = new LongAdder();
    /** Bytes read from clients' sockets (TLS and WebSocket framing included); counted only while {@code sys_interval} is not 0. */
    public final LongAdder bytesReceived = new LongAdder();
    /** Bytes written to clients' sockets (TLS and WebSocket framing included); counted only while {@code sys_interval} is not 0. */
    public final LongAdder bytesSent = new LongAdder();
    /** QoS 1 and 2 messages dropped because an offline session's queue was full. */
    public final LongAdder queuedMessagesDropped = new LongAdder();
    /** QoS 0 messages dropped: queue full, connection not writable, or session offline. */
    public final LongAdder qos0MessagesDropped = new LongAdder();
    /**
     * Times a publisher's connection stopped being read because a live subscriber it sends to had
     * a full queue (back-pressure instead of dropping what was acknowledged).
     */
    public final LongAdder publishersHeldBack = new LongAdder();
    /** Persistent sessions read back from the store at start-up. */
    public final LongAdder sessionsRestored = new LongAdder();
    /** Retained messages not kept because the retained-message limits were reached. */
    public final LongAdder retainedMessagesRefused = new LongAdder();
    /** Copies of messages whose Message Expiry Interval ran out before they could be sent. */
    public final LongAdder messagesExpired = new LongAdder();
    /** Copies of messages not sent because they exceed the receiving client's Maximum Packet Size. */
    public final LongAdder messagesTooLarge = new LongAdder();
    /**
     * Topics and topic filters refused for breaking {@code max_topic_levels} or {@code
     * max_topic_length}: SUBSCRIBE filters, PUBLISH topics (the client disconnected) and wills
     * (the CONNECT refused).
     */
    public final LongAdder topicsRefused = new LongAdder();
    /** SUBSCRIBE filters refused because the client had {@code max_subscriptions_per_client} already. */
    public final LongAdder subscriptionsRefused = new LongAdder();
    /** Times the broker stopped reading a client for a while because it sent faster than the inbound rate limits. */
    public final LongAdder clientsThrottled = new LongAdder();
    /** Connected subscribers disconnected because their queue stayed full for {@code stuck_client_timeout}. */
    public final LongAdder stuckClientsDisconnected = new LongAdder();
    /** SUBSCRIBE filters refused by the ACL file (one per filter). */
    public final LongAdder aclSubscribeDenied = new LongAdder();
    /** PUBLISH packets refused by the ACL file (acknowledged and dropped in 3.1.1, 0x87 or dropped in 5.0). */
    public final LongAdder aclPublishDenied = new LongAdder();
    /** Copies of messages not delivered because the subscriber may not read their topic (retained ones included). */
    public final LongAdder aclDeliveryDenied = new LongAdder();
    /** Wills not published because their client may not write to their topic. */
    public final LongAdder aclWillDenied = new LongAdder();
    /** Connections closed as soon as accepted: {@code max_connections} (the broker's or the listener's) was reached. */
    public final LongAdder connectionsRefusedAtLimit = new LongAdder();
    /** Connections closed as soon as accepted: the listener's {@code max_connection_rate} was exceeded. */
    public final LongAdder connectionsRefusedByRate = new LongAdder();
    /** Connections closed on a PROXY protocol listener because they did not start with a valid header. */
    public final LongAdder proxyHeadersInvalid = new LongAdder();
    /** Logins refused: bad user name or password, anonymous where not allowed, a plug-in's refusal, server busy. */
    public final LongAdder loginsRefused = new LongAdder();
    /** TLS handshakes that failed: no, untrusted, expired or revoked certificate, no common protocol, not TLS at all. */
    public final LongAdder tlsHandshakesFailed = new LongAdder();
}
