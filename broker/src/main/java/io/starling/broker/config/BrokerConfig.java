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
 * @param aclFile a Mosquitto-style ACL file: once given, nothing is allowed that no rule allows;
 *     null (the default): every client may publish and subscribe to everything
 * @param limits limits against abuse and overload
 * @param sysInterval seconds between two rounds of {@code $SYS/broker/...} messages; 0: none are published
 * @param http the HTTP listener (metrics, health, admin API, dashboard); null (the default): none
 * @param cluster this node's place in a cluster of brokers; null (the default): a broker of its own
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
        Mqtt5 mqtt5,
        @Nullable Path aclFile,
        Limits limits,
        int sysInterval,
        @Nullable Http http,
        @Nullable Cluster cluster) {

    public static final int DEFAULT_PORT = 1883;
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** 1 MiB: large enough for typical telemetry and small firmware chunks, small enough that a client cannot make the broker buffer 256 MiB. */
    public static final int DEFAULT_MAX_PACKET_SIZE = 1024 * 1024;
    /** The largest packet MQTT can describe. */
    public static final int MAX_PACKET_SIZE_LIMIT = 268_435_460;
    public static final int DEFAULT_MAX_INFLIGHT = 32;
    public static final int DEFAULT_MAX_QUEUED = 1000;
    public static final int DEFAULT_MAX_PENDING_QOS0 = 1000;
    /** Seconds between two rounds of {@code $SYS} messages, as Mosquitto's default. */
    public static final int DEFAULT_SYS_INTERVAL = 10;
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

    /** How a listener carries MQTT: straight over TCP, or inside WebSocket binary frames. */
    public enum Transport {
        TCP,
        WEBSOCKET
    }

    /**
     * One listener: an address to accept connections on, and how they arrive.
     *
     * @param bind the address to bind (a host name or IP address)
     * @param port the port (0: any free port)
     * @param transport TCP (the default) or WebSocket
     * @param path the HTTP path a WebSocket client upgrades on (default {@code /mqtt}); unused for TCP
     * @param tls TLS on this listener (mqtts, wss), or null for none
     * @param proxyProtocol whether every connection starts with a PROXY protocol v1 or v2 header that
     *     names the real client address (behind a load balancer); a connection without one is closed
     * @param maxConnections connections open at once on this listener at most; 0: no limit of its own
     * @param maxConnectionRate new connections per second accepted on this listener at most; 0: no limit
     */
    public record Listener(String bind, int port, Transport transport, String path, @Nullable Tls tls, boolean proxyProtocol,
            int maxConnections, int maxConnectionRate) {
        public static final String DEFAULT_WEBSOCKET_PATH = "/mqtt";

        public Listener {
            if (bind.isBlank()) {
                throw new IllegalArgumentException("a listener's bind address must not be empty");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("a port is 0 to 65535 (0: any free port), not " + port);
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("a WebSocket path starts with '/', not " + path);
            }
            if (maxConnections < 0) {
                throw new IllegalArgumentException("max_connections is 0 (no limit) or more, not " + maxConnections);
            }
            if (maxConnectionRate < 0) {
                throw new IllegalArgumentException("max_connection_rate is 0 (no limit) or more, not " + maxConnectionRate);
            }
        }

        /** Plain MQTT over TCP on {@code bind:port}, no limits of its own. */
        public Listener(String bind, int port) {
            this(bind, port, Transport.TCP, DEFAULT_WEBSOCKET_PATH, null, false, 0, 0);
        }

        /** The same listener with TLS ({@code tls}) or without (null). */
        public Listener withTls(@Nullable Tls tls) {
            return new Listener(bind, port, transport, path, tls, proxyProtocol, maxConnections, maxConnectionRate);
        }

        /** The same listener carrying MQTT in WebSocket frames, upgraded on {@code path}. */
        public Listener withWebSocket(String path) {
            return new Listener(bind, port, Transport.WEBSOCKET, path, tls, proxyProtocol, maxConnections, maxConnectionRate);
        }

        /** The same listener expecting (or not) a PROXY protocol header on every connection. */
        public Listener withProxyProtocol(boolean proxyProtocol) {
            return new Listener(bind, port, transport, path, tls, proxyProtocol, maxConnections, maxConnectionRate);
        }

        /** The same listener with its own connection limits (0: none). */
        public Listener withConnectionLimits(int maxConnections, int maxConnectionRate) {
            return new Listener(bind, port, transport, path, tls, proxyProtocol, maxConnections, maxConnectionRate);
        }

        /** The URI scheme of this listener: {@code mqtt}, {@code mqtts}, {@code ws} or {@code wss}. */
        public String scheme() {
            if (transport == Transport.WEBSOCKET) {
                return tls == null ? "ws" : "wss";
            }
            return tls == null ? "mqtt" : "mqtts";
        }

        /** Whether the bind address is a loopback address (127.0.0.0/8, ::1, localhost). */
        public boolean isLoopback() {
            return isLoopbackAddress(bind);
        }
    }

    /**
     * The HTTP listener: {@code /metrics}, {@code /health/live} and {@code /health/ready}, the
     * admin API under {@code /api/v1/} and the web dashboard.
     *
     * @param bind the address to listen on; 127.0.0.1 by default
     * @param port the port; {@value #DEFAULT_PORT} by default, 0 for one the system picks
     * @param tls HTTPS with these files, as for an MQTT listener; null: plain HTTP
     * @param passwordFile users (the MQTT password file's format) who may sign in with HTTP Basic authentication
     * @param tokenFile bearer tokens, one {@code name:token} per line
     * @param allowAnonymous true: no credentials needed; null (the default): none needed on loopback
     *     when neither file is configured
     */
    public record Http(String bind, int port, @Nullable Tls tls, @Nullable Path passwordFile, @Nullable Path tokenFile,
            @Nullable Boolean allowAnonymous) {
        public static final int DEFAULT_PORT = 8080;

        public Http {
            if (bind.isBlank()) {
                throw new IllegalArgumentException("the HTTP listener's bind address must not be empty");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("the HTTP listener's port must be 0 to 65535, not " + port);
            }
        }

        /** Plain HTTP on 127.0.0.1 at a port the system picks, open without credentials: for tests and tools. */
        public static Http onLoopback() {
            return new Http(DEFAULT_BIND, 0, null, null, null, null);
        }

        /** The same listener with users and tokens (null: none) and the anonymous rule. */
        public Http withCredentials(@Nullable Path passwordFile, @Nullable Path tokenFile, @Nullable Boolean allowAnonymous) {
            return new Http(bind, port, tls, passwordFile, tokenFile, allowAnonymous);
        }

        /** Whether the listener is bound to a loopback address. */
        public boolean isLoopback() {
            return isLoopbackAddress(bind);
        }

        /** Whether a request without credentials is let in. */
        public boolean anonymousAllowed() {
            if (allowAnonymous != null) {
                return allowAnonymous;
            }
            return passwordFile == null && tokenFile == null && isLoopback();
        }

        /** Why this listener must not start, or null: off loopback, open to anyone only by default. */
        public @Nullable String securityViolation() {
            if (!isLoopback() && allowAnonymous == null && passwordFile == null && tokenFile == null) {
                return "the HTTP listener " + bind + ":" + port + " is not on loopback: configure http.password_file or"
                        + " http.token_file, or set http.allow_anonymous: true to let anyone in";
            }
            return null;
        }
    }

    /**
     * This node's place in a cluster of Starling brokers (JGroups over TCP): messages published on
     * any node reach matching subscribers on every node, and retained messages are kept on all.
     *
     * @param name the cluster's name: nodes with the same name (and reachable seeds) form one cluster
     * @param nodeName this node's name, unique in the cluster; by default {@code bind:port}
     * @param bind the address the cluster transport listens on; 127.0.0.1 by default
     * @param port the cluster transport's port; {@value #DEFAULT_PORT} by default
     * @param seeds {@code host:port} of nodes to contact when joining (this node may be among them)
     * @param dns a DNS name whose A or SRV records list the nodes (JGroups DNS_PING), or null: seeds only
     * @param tls TLS between the nodes, as for an MQTT listener; null: plain TCP (loopback only)
     * @param members the node names of every node of the cluster, this one included: a majority of
     *     them decides who owns each session (jgroups-raft); empty: the seeds as written and this
     *     node's name, which is right when every node keeps its default name {@code bind:port}
     * @param replicationFactor on how many nodes each persistent session's state is held before
     *     what changed it is acknowledged: this one and {@code replicationFactor - 1} backups; 1: no
     *     replica
     */
    public record Cluster(String name, String nodeName, String bind, int port, List<String> seeds, @Nullable String dns,
            @Nullable Tls tls, List<String> members, int replicationFactor) {
        public static final String DEFAULT_NAME = "starling";
        public static final int DEFAULT_PORT = 7800;
        public static final int DEFAULT_REPLICATION_FACTOR = 2;

        public Cluster {
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("the replication factor is at least 1, not " + replicationFactor);
            }
            seeds = List.copyOf(seeds);
            if (members.isEmpty()) {
                java.util.LinkedHashSet<String> derived = new java.util.LinkedHashSet<>(seeds);
                derived.add(nodeName);
                members = List.copyOf(derived);
            } else {
                members = List.copyOf(members);
                if (!members.contains(nodeName)) {
                    throw new IllegalArgumentException("the members must list this node's own name '" + nodeName + "'");
                }
                if (new java.util.HashSet<>(members).size() != members.size()) {
                    throw new IllegalArgumentException("the members list a node twice: " + members);
                }
            }
            if (name.isBlank()) {
                throw new IllegalArgumentException("the cluster's name must not be empty");
            }
            if (nodeName.isBlank()) {
                throw new IllegalArgumentException("the node's name must not be empty");
            }
            if (bind.isBlank()) {
                throw new IllegalArgumentException("the cluster's bind address must not be empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("the cluster's port must be 1 to 65535, not " + port);
            }
            for (String seed : seeds) {
                seedPort(seed);
            }
        }

        /** A plain cluster node on {@code bind:port}, named so, contacting {@code seeds}. */
        public static Cluster of(String bind, int port, List<String> seeds) {
            return new Cluster(DEFAULT_NAME, bind + ":" + port, bind, port, seeds, null, null, List.of(), DEFAULT_REPLICATION_FACTOR);
        }

        /** A cluster node whose members are its seeds and itself (see {@link #members}). */
        public Cluster(String name, String nodeName, String bind, int port, List<String> seeds, @Nullable String dns,
                @Nullable Tls tls) {
            this(name, nodeName, bind, port, seeds, dns, tls, List.of());
        }

        /** A cluster node with the default replication factor. */
        public Cluster(String name, String nodeName, String bind, int port, List<String> seeds, @Nullable String dns,
                @Nullable Tls tls, List<String> members) {
            this(name, nodeName, bind, port, seeds, dns, tls, members, DEFAULT_REPLICATION_FACTOR);
        }

        /** The same node with {@code replicationFactor}. */
        public Cluster withReplicationFactor(int replicationFactor) {
            return new Cluster(name, nodeName, bind, port, seeds, dns, tls, members, replicationFactor);
        }

        /** How many members decide: a majority of them. */
        public int quorum() {
            return members.size() / 2 + 1;
        }

        /** The host of a {@code host:port} seed ({@code [v6]:port} allowed). */
        public static String seedHost(String seed) {
            int colon = seed.lastIndexOf(':');
            String host = seed.substring(0, Math.max(colon, 0));
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return host;
        }

        /** The port of a {@code host:port} seed. */
        public static int seedPort(String seed) {
            int colon = seed.lastIndexOf(':');
            if (colon <= 0 || colon == seed.length() - 1) {
                throw new IllegalArgumentException("a seed is host:port, not '" + seed + "'");
            }
            int port;
            try {
                port = Integer.parseInt(seed.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a seed is host:port, not '" + seed + "'", e);
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("a seed's port is 1 to 65535, not " + port + " in '" + seed + "'");
            }
            return port;
        }

        /** Whether the cluster transport is bound to a loopback address. */
        public boolean isLoopback() {
            return isLoopbackAddress(bind);
        }

        /** Why this node must not start, or null: off loopback without TLS, anyone could join and read every message. */
        public @Nullable String securityViolation() {
            if (!isLoopback() && tls == null) {
                return "the cluster transport " + bind + ":" + port + " is not on loopback: configure cluster.tls"
                        + " (with ca_file and client_auth: required), or anyone who reaches the port can join and read every message";
            }
            return null;
        }
    }

    /** Whether a TLS listener asks connecting clients for a certificate. */
    public enum ClientAuth {
        /** No client certificate is asked for. */
        NONE,
        /** A certificate is asked for; one that is sent must be trusted, but a client may send none. */
        OPTIONAL,
        /** A trusted certificate is required: the handshake fails without one. */
        REQUIRED
    }

    /** Which part of a client certificate names the user when {@code use_identity_as_username} is on. */
    public enum CertificateIdentity {
        /** The subject's common name (CN), as Mosquitto takes it. */
        CN,
        /** The first DNS name among the subject alternative names. */
        SAN_DNS,
        /** The first e-mail address (rfc822Name) among the subject alternative names. */
        SAN_EMAIL,
        /** The first URI among the subject alternative names (a SPIFFE id, for example). */
        SAN_URI
    }

    /** Which TLS implementation serves a listener. */
    public enum TlsEngine {
        /** OpenSSL (BoringSSL through netty-tcnative) when it is on the class path, else the JDK's. */
        AUTO,
        /** OpenSSL only: the broker does not start without it. */
        OPENSSL,
        /** The JDK's own TLS. */
        JDK
    }

    /**
     * TLS on a listener. The server's certificate and key come either from PEM files ({@code
     * certFile} and {@code keyFile}) or from a PKCS#12 {@code keystore}, never both.
     *
     * @param certFile the server's certificate chain (PEM), leaf first
     * @param keyFile the server's private key (PEM, PKCS#8 or PKCS#1, unencrypted)
     * @param keystore a PKCS#12 file with the server's key and certificate chain
     * @param keystorePassword the keystore's password, or null for none
     * @param caFile the certificates (PEM) that client certificates must chain to; needed for
     *     {@code clientAuth} optional or required
     * @param clientAuth whether clients are asked for a certificate
     * @param protocols the TLS versions offered (default TLSv1.2 and TLSv1.3)
     * @param ciphers the cipher suites offered, in order; empty: the engine's defaults
     * @param identity the part of the client certificate that becomes the user name
     *     ({@code use_identity_as_username}), or null to keep the CONNECT's user name
     * @param crlFile a certificate revocation list (PEM or DER): client certificates it names are refused
     * @param engine which TLS implementation to use
     */
    public record Tls(@Nullable Path certFile, @Nullable Path keyFile, @Nullable Path keystore, @Nullable String keystorePassword,
            @Nullable Path caFile, ClientAuth clientAuth, List<String> protocols, List<String> ciphers,
            @Nullable CertificateIdentity identity, @Nullable Path crlFile, TlsEngine engine) {
        public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

        public Tls {
            protocols = List.copyOf(protocols);
            ciphers = List.copyOf(ciphers);
            boolean pem = certFile != null || keyFile != null;
            if (pem && keystore != null) {
                throw new IllegalArgumentException("give cert_file and key_file, or keystore, not both");
            }
            if (!pem && keystore == null) {
                throw new IllegalArgumentException("TLS needs cert_file and key_file, or a keystore");
            }
            if (pem && (certFile == null || keyFile == null)) {
                throw new IllegalArgumentException(certFile == null ? "key_file needs cert_file" : "cert_file needs key_file");
            }
            if (keystorePassword != null && keystore == null) {
                throw new IllegalArgumentException("keystore_password needs keystore");
            }
            if (clientAuth != ClientAuth.NONE && caFile == null) {
                throw new IllegalArgumentException("client_auth " + clientAuth.name().toLowerCase(java.util.Locale.ROOT)
                        + " needs ca_file: the certificates client certificates must chain to");
            }
            if (identity != null && clientAuth == ClientAuth.NONE) {
                throw new IllegalArgumentException("use_identity_as_username needs client_auth optional or required");
            }
            if (crlFile != null && caFile == null) {
                throw new IllegalArgumentException("crl_file needs ca_file");
            }
            if (protocols.isEmpty()) {
                throw new IllegalArgumentException("protocols must name at least one TLS version");
            }
        }

        /** TLS with a PEM certificate chain and key, no client certificates, the default protocols and engine. */
        public static Tls pem(Path certFile, Path keyFile) {
            return new Tls(certFile, keyFile, null, null, null, ClientAuth.NONE, DEFAULT_PROTOCOLS, List.of(), null, null,
                    TlsEngine.AUTO);
        }

        /** TLS with a PKCS#12 keystore, no client certificates, the default protocols and engine. */
        public static Tls keystore(Path keystore, @Nullable String password) {
            return new Tls(null, null, keystore, password, null, ClientAuth.NONE, DEFAULT_PROTOCOLS, List.of(), null, null,
                    TlsEngine.AUTO);
        }

        /** The same TLS asking clients for certificates that chain to {@code caFile}. */
        public Tls withClientAuth(ClientAuth clientAuth, @Nullable Path caFile) {
            return new Tls(certFile, keyFile, keystore, keystorePassword, caFile, clientAuth, protocols, ciphers, identity,
                    crlFile, engine);
        }

        /** The same TLS taking the user name from the client certificate ({@code identity}), or not (null). */
        public Tls withIdentityAsUsername(@Nullable CertificateIdentity identity) {
            return new Tls(certFile, keyFile, keystore, keystorePassword, caFile, clientAuth, protocols, ciphers, identity,
                    crlFile, engine);
        }

        /** The same TLS refusing the client certificates {@code crlFile} revokes. */
        public Tls withCrlFile(@Nullable Path crlFile) {
            return new Tls(certFile, keyFile, keystore, keystorePassword, caFile, clientAuth, protocols, ciphers, identity,
                    crlFile, engine);
        }

        /** The same TLS offering {@code protocols} and {@code ciphers} (empty: the engine's defaults). */
        public Tls withProtocols(List<String> protocols, List<String> ciphers) {
            return new Tls(certFile, keyFile, keystore, keystorePassword, caFile, clientAuth, protocols, ciphers, identity,
                    crlFile, engine);
        }

        /** The same TLS on {@code engine}. */
        public Tls withEngine(TlsEngine engine) {
            return new Tls(certFile, keyFile, keystore, keystorePassword, caFile, clientAuth, protocols, ciphers, identity,
                    crlFile, engine);
        }
    }

    /**
     * Limits against abuse and overload. 0 means "no limit" wherever it is allowed.
     *
     * @param maxConnections connections open at once on the whole broker; 0: no limit
     * @param maxTopicLevels levels in a topic name or filter at most (a/b/c has 3); more is refused
     * @param maxTopicLength UTF-8 bytes in a topic name or filter at most; more is refused
     * @param maxSubscriptionsPerClient subscriptions one session may hold; 0: no limit
     * @param maxInboundMessageRate PUBLISH packets per second read from one client; beyond it the
     *     broker stops reading that connection for a while; 0: no limit
     * @param maxInboundByteRate bytes per second read from one client, likewise; 0: no limit
     * @param maxInflightBytes payload bytes of QoS 1 and 2 messages sent to one client and not yet
     *     acknowledged, beside {@code max_inflight_messages}; 0: no limit
     * @param maxQueuedBytes payload bytes queued for one client beyond its in-flight window, beside
     *     {@code max_queued_messages}; 0: no limit
     * @param stuckClientTimeout how long a connected subscriber's queue may stay full before it is
     *     disconnected (5.0: 0x97), so that it cannot hold back its publishers; null: never
     */
    public record Limits(int maxConnections, int maxTopicLevels, int maxTopicLength, int maxSubscriptionsPerClient,
            int maxInboundMessageRate, long maxInboundByteRate, long maxInflightBytes, long maxQueuedBytes,
            @Nullable Duration stuckClientTimeout) {
        /** As many levels as EMQX allows by default. */
        public static final int DEFAULT_MAX_TOPIC_LEVELS = 128;
        /** The longest string MQTT can carry: no limit beyond the protocol's. */
        public static final int DEFAULT_MAX_TOPIC_LENGTH = 65_535;
        public static final Duration DEFAULT_STUCK_CLIENT_TIMEOUT = Duration.ofSeconds(60);

        public Limits {
            if (maxConnections < 0) {
                throw new IllegalArgumentException("max_connections is 0 (no limit) or more, not " + maxConnections);
            }
            if (maxTopicLevels < 1) {
                throw new IllegalArgumentException("max_topic_levels is 1 or more, not " + maxTopicLevels);
            }
            if (maxTopicLength < 1 || maxTopicLength > 65_535) {
                throw new IllegalArgumentException("max_topic_length is 1 to 65535, not " + maxTopicLength);
            }
            if (maxSubscriptionsPerClient < 0) {
                throw new IllegalArgumentException("max_subscriptions_per_client is 0 (no limit) or more, not " + maxSubscriptionsPerClient);
            }
            if (maxInboundMessageRate < 0) {
                throw new IllegalArgumentException("max_inbound_message_rate is 0 (no limit) or more, not " + maxInboundMessageRate);
            }
            if (maxInboundByteRate < 0) {
                throw new IllegalArgumentException("max_inbound_byte_rate is 0 (no limit) or more, not " + maxInboundByteRate);
            }
            if (maxInflightBytes < 0) {
                throw new IllegalArgumentException("max_inflight_bytes is 0 (no limit) or more, not " + maxInflightBytes);
            }
            if (maxQueuedBytes < 0) {
                throw new IllegalArgumentException("max_queued_bytes is 0 (no limit) or more, not " + maxQueuedBytes);
            }
            if (stuckClientTimeout != null && (stuckClientTimeout.isNegative() || stuckClientTimeout.isZero())) {
                throw new IllegalArgumentException("stuck_client_timeout is a positive duration or 'never', not " + stuckClientTimeout);
            }
        }

        /** No connection, subscription, rate or byte limits; 128 topic levels, 65535-byte topics; stuck clients dropped after 60 s. */
        public static Limits defaults() {
            return new Limits(0, DEFAULT_MAX_TOPIC_LEVELS, DEFAULT_MAX_TOPIC_LENGTH, 0, 0, 0, 0, 0, DEFAULT_STUCK_CLIENT_TIMEOUT);
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
        if (sysInterval < 0) {
            throw new IllegalArgumentException("sys_interval is 0 (off) or more seconds, not " + sysInterval);
        }
    }

    /**
     * The embedded defaults: one listener on 127.0.0.1:1883, anonymous clients on loopback only,
     * sessions stored under ./data.
     */
    public static BrokerConfig defaults() {
        return new BrokerConfig(List.of(new Listener(DEFAULT_BIND, DEFAULT_PORT)), null, null,
                DEFAULT_MAX_PACKET_SIZE, DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_QUEUED, DEFAULT_MAX_PENDING_QOS0,
                false, null, Storage.defaults(), null, Mqtt5.defaults(), null, Limits.defaults(), DEFAULT_SYS_INTERVAL, null, null);
    }

    public BrokerConfig withStorage(Storage storage) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
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
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    public BrokerConfig withAllowAnonymous(@Nullable Boolean allowAnonymous) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    public BrokerConfig withPasswordFile(@Nullable Path passwordFile) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    public BrokerConfig withLimits(int maxPacketSize, int maxInflightMessages, int maxQueuedMessages, int maxPendingQos0Messages) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    public BrokerConfig withSessions(boolean queueQos0Offline, @Nullable Duration sessionExpiry) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** The same configuration redirecting every client to another server (null: serving them here). */
    public BrokerConfig withRedirect(@Nullable Redirect redirect) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** The same configuration with other MQTT 5.0 offers and limits. */
    public BrokerConfig withMqtt5(Mqtt5 mqtt5) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** The same configuration with an ACL file (null: everything allowed). */
    public BrokerConfig withAclFile(@Nullable Path aclFile) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** The same configuration with other limits against abuse and overload. */
    public BrokerConfig withLimits(Limits limits) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** The same configuration publishing {@code $SYS} messages every {@code sysInterval} seconds (0: never). */
    public BrokerConfig withSysInterval(int sysInterval) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** The same configuration with an HTTP listener (null: none). */
    public BrokerConfig withHttp(@Nullable Http http) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** The same configuration as one node of a cluster (null: a broker of its own). */
    public BrokerConfig withCluster(@Nullable Cluster cluster) {
        return new BrokerConfig(listeners, allowAnonymous, passwordFile, maxPacketSize, maxInflightMessages,
                maxQueuedMessages, maxPendingQos0Messages, queueQos0Offline, sessionExpiry, storage, redirect, mqtt5, aclFile, limits, sysInterval, http, cluster);
    }

    /** Whether {@code bind} names a loopback address (127.0.0.0/8, ::1, localhost); an unknown name is not one. */
    static boolean isLoopbackAddress(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
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
            boolean certificates = listener.tls() != null && listener.tls().clientAuth() == ClientAuth.REQUIRED;
            if (!listener.isLoopback() && allowAnonymous == null && passwordFile == null && !certificates) {
                return "listener " + listener.bind() + ":" + listener.port() + " is not on loopback: configure"
                        + " password_file or required client certificates, or set allow_anonymous: true to let anyone connect";
            }
        }
        if (http != null) {
            String violation = http.securityViolation();
            if (violation != null) {
                return violation;
            }
        }
        if (cluster != null) {
            return cluster.securityViolation();
        }
        return null;
    }
}
