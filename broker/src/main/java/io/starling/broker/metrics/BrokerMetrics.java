package io.starling.broker.metrics;

import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.util.concurrent.atomic.LongAdder;

/** What the broker has done since it started; counters any thread may increment cheaply. */
public final class BrokerMetrics {
    private static final int QOS_LEVELS = 3;
    private static final int BY_VERSION_AND_QOS = MqttVersion.values().length * QOS_LEVELS;

    public final LongAdder connectionsOpened = new LongAdder();
    /** Connections closed for any reason: the sum of {@link #connectionsClosed(CloseReason)}. */
    public final LongAdder connectionsClosed = new LongAdder();
    /** Messages routed: clients' PUBLISH packets (QoS 2 re-sends and refused ones not counted) and wills. */
    public final LongAdder messagesReceived = new LongAdder();
    /** Messages published here and forwarded to another cluster node, counted once per node. */
    public final LongAdder messagesForwardedOut = new LongAdder();
    /** Messages another cluster node forwarded here (not counted in {@link #messagesReceived}). */
    public final LongAdder messagesForwardedIn = new LongAdder();
    /** TLS handshakes that succeeded (and whose client certificate, when one names the user, named one). */
    public final LongAdder tlsHandshakesSucceeded = new LongAdder();
    /** The store's commits; the broker hands it to the store at start-up. */
    public final StoreCommits storeCommits = new StoreCommits();

    // by protocol version and QoS, flat and indexed so that counting allocates nothing and looks nothing up
    private final LongAdder[] closedBy = adders(CloseReason.values().length);
    private final LongAdder[] receivedBy = adders(BY_VERSION_AND_QOS);
    private final LongAdder[] receivedBytesBy = adders(BY_VERSION_AND_QOS);
    private final LongAdder[] sentBy = adders(BY_VERSION_AND_QOS);
    private final LongAdder[] sentBytesBy = adders(BY_VERSION_AND_QOS);

    /**
     * PUBLISH packets written to clients (re-sends with DUP included): the sum of {@link
     * #messagesSent(MqttVersion, QoS)}, kept by those counters alone, so that a copy sent costs one
     * addition less (fan-out multiplies it).
     */
    public final Total messagesSent = new Total(sentBy);

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

    /** Counts a closed connection under {@code reason}; call once per connection. */
    public void connectionClosed(CloseReason reason) {
        connectionsClosed.increment();
        closedBy[reason.ordinal()].increment();
    }

    /** Connections closed for {@code reason}. */
    public long connectionsClosed(CloseReason reason) {
        return closedBy[reason.ordinal()].sum();
    }

    /** Counts a PUBLISH received from a {@code version} client and routed; wills are not counted here. */
    public void received(MqttVersion version, QoS qos, int payloadBytes) {
        int i = index(version, qos);
        receivedBy[i].increment();
        receivedBytesBy[i].add(payloadBytes);
    }

    /** Counts a PUBLISH written to a {@code version} client (re-sends with DUP included). */
    public void sent(MqttVersion version, QoS qos, int payloadBytes) {
        int i = index(version, qos);
        sentBy[i].increment();
        sentBytesBy[i].add(payloadBytes);
    }

    /** PUBLISH packets of {@code qos} received from {@code version} clients and routed. */
    public long messagesReceived(MqttVersion version, QoS qos) {
        return receivedBy[index(version, qos)].sum();
    }

    /** Payload bytes of {@link #messagesReceived(MqttVersion, QoS)}. */
    public long payloadBytesReceived(MqttVersion version, QoS qos) {
        return receivedBytesBy[index(version, qos)].sum();
    }

    /** PUBLISH packets of {@code qos} sent to {@code version} clients. */
    public long messagesSent(MqttVersion version, QoS qos) {
        return sentBy[index(version, qos)].sum();
    }

    /** Payload bytes of {@link #messagesSent(MqttVersion, QoS)}. */
    public long payloadBytesSent(MqttVersion version, QoS qos) {
        return sentBytesBy[index(version, qos)].sum();
    }

    private static int index(MqttVersion version, QoS qos) {
        return version.ordinal() * QOS_LEVELS + qos.value();
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] adders = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    /** A total kept by other counters: read it, never add to it. */
    public static final class Total {
        private final LongAdder[] parts;

        private Total(LongAdder[] parts) {
            this.parts = parts;
        }

        /** The sum of the counters it totals, now. */
        public long sum() {
            long sum = 0;
            for (LongAdder part : parts) {
                sum += part.sum();
            }
            return sum;
        }
    }
}
