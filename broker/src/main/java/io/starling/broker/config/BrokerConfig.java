package io.starling.broker.config;

import io.starling.codec.packet.QoS;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The whole broker configuration: one immutable value, loaded and validated once at the edge
 * ({@link ConfigLoader} for YAML files, {@link #defaults()} for the embedded defaults). Every
 * component gets what it needs from here through its constructor.
 *
 * @param listeners where to accept MQTT over TCP; at least one
 * @param allowAnonymous true: clients without a user name are let in on every listener; false:
 *     on none; null (the default): only on listeners bound to a loopback address
 * @param passwordFile a file of {@code user:password} lines; null for none
 * @param maxPacketSize the largest packet accepted from a client, fixed header included
 * @param maxInflightMessages QoS 1 and 2 messages sent to one client and not yet acknowledged
 * @param maxQueuedMessages QoS 1 and 2 messages queued for one client beyond the in-flight window
 * @param maxPendingQos0Messages QoS 0 messages held for one client while its connection is not writable
 * @param queueQos0Offline whether QoS 0 messages are queued for an offline persistent session
 * @param sessionExpiry how long a persistent session outlives its connection; null: forever
 * @param storage where persistent sessions and retained messages are kept, and their limits
 * @param redirect where clients are sent instead of being served; null (the default): served here
 * @param mqtt5 what the broker tells MQTT 5.0 clients in CONNACK, and the limits behind it
 */
public record BrokerConfig(
        List<Listener> listeners,
        @Nullable Boolean allowAnonymous,
        @Nullable Path passwordFile,
        int maxPacketSize,
        int maxInflightMessages,
        int maxQueuedMessages,
        int maxPendingQos0Messages,
        boolean queueQos0Offline,
        @Nullable Duration sessionExpiry,
        Storage storage,
        @Nullable Redirect redirect,
        Mqtt5 mqtt5) {

    public static final int DEFAULT_PORT = 1883;
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** 1 MiB: large enough for typical telemetry and small firmware chunks, small enough that a client cannot make the broker buffer 256 MiB. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
    /** The largest packet MQTT can describe. */
    public static final int MAX_PACKET_SIZE_LIMIT = 268_435_460;
    public static final int DEFAULT_MAX_INFLIGHT = 32;
    public static final int DEFAULT_MAX_QUEUED = 1000;
    public static final int DEFAULT_MAX_PENDING_QOS0 = 1000;
    public static final Path DEFAULT_DATA_DIR = Path.of("data");
    /** Enough for a large fleet's last-known states; a bound so that a runaway publisher cannot fill the heap. */
    public static final int DEFAULT_MAX_RETAINED_MESSAGES = 1_000_000;
    public static final long DEFAULT_MAX_RETAINED_BYTES = 1L << 30;

    /**
     * Where and how durably the broker keeps persistent sessions, their messages and the
     * retained messages, and how many retained messages it keeps.
     *
     * @param persistence whether sessions and retained messages are stored on disk (true, the
     *     default) or kept in memory only
     * @param dataDir the store directory, relative to the working directory unless absolute
     * @param fsync when a write reaches the disk before it is acknowledged
     * @param maxRetainedMessages retained messages kept at most; a new one beyond is not kept
     * @param maxRetainedBytes topic and payload bytes of the retained messages at most
     */
    public record Storage(boolean persistence, Path dataDir, FsyncMode fsync, int maxRetainedMessages, long maxRetainedBytes) {
        public Storage {
            if (maxRetainedMessages < 0) {
                throw new IllegalArgumentException("max_retained_messages is 0 or more, not " + maxRetainedMessages);
            }
            if (maxRetainedBytes < 0) {
                throw new IllegalArgumentException("max_retained_bytes is 0 or more, not " + maxRetainedBytes);
            }
        }

        /** Stored on disk under ./data, fsync batch, the default retained limits. */
        public static Storage defaults() {
            return new Storage(true, DEFAULT_DATA_DIR, FsyncMode.BATCH, DEFAULT_MAX_RETAINED_MESSAGES, DEFAULT_MAX_RETAINED_BYTES);
        }

        /** Nothing on disk: sessions and retained messages are lost when the broker stops. */
        public Storage inMemory() {
            return new Storage(false, dataDir, fsync, maxRetainedMessages, maxRetainedBytes);
        }

        /** Stored in {@code dataDir} with {@code fsync}. */
        public Storage onDisk(Path dataDir, FsyncMode fsync) {
            return new Storage(true, dataDir, fsync, maxRetainedMessages, maxRetainedBytes);
        }

        public Storage withRetainedLimits(int maxRetainedMessages, long maxRetainedBytes) {
            return new Storage(persistence, dataDir, fsync, maxRetainedMessages, maxRetainedBytes);
        }
    }

    /** One TCP listener. */
    public record Listener(String bind, int port) {
        public Listener {
            if (bind.isBlank()) {
                throw new IllegalArgumentException("a listener's bind address must not be empty");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is 0 to 65535 (0: any free port), not " + port);
            }
        }

        /** Whether the bind address is a loopback address (127.0.0.0/8, ::1, localhost). */
        public boolean isLoopback() {
            try {
                return InetAddress.getByName(bind).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    /**
     * Server redirection: every CONNECT is refused and the client told to use another server, for
     * migrations and maintenance. An MQTT 5.0 client gets CONNACK 0x9D (server moved, for good)
     * or 0x9C (use another server, for now) with the Server Reference; MQTT 3.1 and 3.1.1 have no
     * way to say where, so their clients get CONNACK 0x03 (server unavailable).
     *
     * @param serverReference where to go, as the Server Reference property says it (for example
     *     {@code mqtt2.example.com:1883}); not empty, at most 65,535 UTF-8 bytes
     * @param moved true: the server moved for good (0x9D); false: use another server for now (0x9C)
     */
    public record Redirect(String serverReference, boolean moved) {
        public Redirect {
            if (serverReference.isBlank()) {
                throw new IllegalArgumentException("server_reference must not be empty");
            }
            if (serverReference.getBytes(StandardCharsets.UTF_8).length > 65_535) {
                throw new IllegalArgumentException("server_reference is at most 65535 bytes of UTF-8");
            }
        }
    }

    /**
     * What the broker offers MQTT 5.0 clients in CONNACK, and enforces. {@code maximumQos} and
     * {@code retainAvailable} bind clients of every version: a 3.1 or 3.1.1 client that publishes
     * above them is disconnected, as Mosquitto does, since it cannot be told in advance.
     *
     * @param maxKeepAlive the longest keep alive a 5.0 client gets, in seconds (1 to 65535); a
     *     longer one, or 0, is replaced and the client told so with Server Keep Alive
     * @param receiveMaximum QoS 1 and 2 PUBLISHes a 5.0 client may have unacknowledged towards the
     *     broker (1 to 65535); one more gets DISCONNECT 0x93
     * @param maximumQos the highest QoS a client may publish with
     * @param retainAvailable whether clients may publish retained messages
     * @param topicAliasMaximum topic aliases a 5.0 client may set towards the broker (0 to 65535)
     * @param responseInformation what a 5.0 client that asks for Response Information gets (the
     *     base of its response topics), or null to give none
     */
    public record Mqtt5(int maxKeepAlive, int receiveMaximum, QoS maximumQos, boolean retainAvailable, int topicAliasMaximum,
            @Nullable String responseInformation) {
        /** As many aliases as Mosquitto allows by default, so that clients written against it work. */
        public static final int DEFAULT_TOPIC_ALIAS_MAXIMUM = 10;

        public Mqtt5 {
            if (maxKeepAlive < 1 || maxKeepAlive > 65535) {
                throw new IllegalArgumentException("max_keepalive is 1 to 65535 seconds, not " + maxKeepAlive);
            }
            if (receiveMaximum < 1 || receiveMaximum > 65535) {
                throw new IllegalArgumentException("receive_maximum is 1 to 65535, not " + receiveMaximum);
            }
            if (topicAliasMaximum < 0 || topicAliasMaximum > 65535) {
                throw new IllegalArgumentException("topic_alias_maximum is 0 to 65535, not " + topicAliasMaximum);
            }
            if (responseInformation != null && responseInformation.getBytes(StandardCharsets.UTF_8).length > 65_535) {
                throw new IllegalArgumentException("response_information is at most 65535 bytes of UTF-8");
            }
        }

        /** Keep alive up to 65535 s, Receive Maximum 65535, QoS 2, retain on, 10 topic aliases, no response information. */
        public static Mqtt5 defaults() {
            return new Mqtt5(65535, 65535, QoS.EXACTLY_ONCE, true, DEFAULT_TOPIC_ALIAS_MAXIMUM, null);
        }
    }

    public BrokerConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("at least one listener is needed");
        }
        if (maxPacketSize < 2 || maxPacketSize > MAX_PACKET_SIZE_LIMIT) {
            throw new IllegalArgumentException("max_packet_size is 2 to " + MAX_PACKET_SIZE_LIMIT + ", not " + maxPacketSize);
        }
        if (maxInflightMessages < 1 || maxInflightMessages > 65535) {
            throw new IllegalArgumentException("max_inflight_messages is 1 to 65535, not " + maxInflightMessages);
        }
        if (maxQueuedMessages < 0) {
            throw new IllegalArgumentException("max_queued_messages is 0 or more, not " + maxQueuedMessages);
        }
        if (maxPendingQos0Messages < 0) {
            throw new IllegalArgumentException("max_pending_qos0_messages is 0 or more, not " + maxPendingQos0Messages);
        }
        if (sessionExpiry != null && (sessionExpiry.isNegative() || sessionExpiry.isZero())) {
            throw new IllegalArgumentException("session_expiry is a positive duration or 'never', not " + sessionExpiry);
        }
    }

    /**
     * The embedded defaults: one listener on 127.0.0.1:1883, anonymous clients on loopback only,
     * sessions stored under ./data.
     */
    public static BrokerConfig defaults() {
        return new BrokerConfig(List.of(new Listener(DEFAULT_BIND, DEFAULT_PORT)), null, null,
                DEFAULT_MAX_PACKET_SIZE, DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_QUEUED, DEFAULT_MAX_PENDING_QOS0,
                false, null, Storage.defaults(), null, Mqtt5.defaults());
    }

    public BrokerConfig withStorage(Storage storage) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    /** The same configuration with persistence off: nothing is written to disk. */
    public BrokerConfig inMemory() {
        return withStorage(storage.inMemory());
    }

    /**
     * The same configuration with one listener, on 127.0.0.1 at a port the system picks
     * ({@code Broker.port()} tells which): a broker embedded in tests or tools.
     */
    public BrokerConfig onLoopback() {
        return withListeners(List.of(new Listener("127.0.0.1", 0)));
    }

    public BrokerConfig withListeners(List<Listener> listeners) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    public BrokerConfig withAllowAnonymous(@Nullable Boolean allowAnonymous) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    public BrokerConfig withPasswordFile(@Nullable Path passwordFile) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    public BrokerConfig withLimits(int maxPacketSize, int maxInflightMessages, int maxQueuedMessages, int maxPendingQos0Messages) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    public BrokerConfig withSessions(boolean queueQos0Offline, @Nullable Duration sessionExpiry) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    /** The same configuration redirecting every client to another server (null: serving them here). */
    public BrokerConfig withRedirect(@Nullable Redirect redirect) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    /** The same configuration with other MQTT 5.0 offers and limits. */
    public BrokerConfig withMqtt5(Mqtt5 mqtt5) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5);
    }

    /** Whether anonymous clients are let in on {@code listener}. */
    public boolean anonymousAllowedOn(Listener listener) {
        return allowAnonymous != null ? allowAnonymous : listener.isLoopback();
    }

    /**
     * Why this configuration must not start, or null: a listener off loopback that would let
     * anonymous clients in only by default, with no password file configured.
     */
    public @Nullable String securityViolation() {
        for (Listener listener : listeners) {
            if (!listener.isLoopback() && allowAnonymous == null && passwordFile == null) {
                return "listener " + listener.bind() + ":" + listener.port() + " is not on loopback: configure"
                        + " password_file, or set allow_anonymous: true to let anyone connect";
            }
        }
        return null;
    }
}
