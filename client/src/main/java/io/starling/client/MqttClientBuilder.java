package io.starling.client;

import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Builds an {@link MqttClient}. Defaults: {@code localhost:1883}, MQTT 3.1.1, a random client id
 * {@code starling-<16 hex digits>}, clean session (5.0: clean start, session expiry 0), keep alive 60 s, no credentials, no will,
 * plain TCP (port 8883 when TLS is set and no port is), {@link ReconnectPolicy#DEFAULT}, 100
 * in-flight publishes, 10,000 buffered publishes, connect timeout 10 s, listeners on the
 * client's own callback thread.
 */
public final class MqttClientBuilder {
    private String host = "localhost";
    private int port = -1;
    private MqttVersion version = MqttVersion.V3_1_1;
    private String clientId = "starling-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private boolean cleanSession = true;
    private Duration keepAlive = Duration.ofSeconds(60);
    private @Nullable String username;
    private byte @Nullable [] password;
    private @Nullable MqttMessage will;
    private @Nullable TlsOptions tls;
    private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
    private int maxInflight = 100;
    private int maxBufferedMessages = 10_000;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxPacketSize = PacketDecoder.MAX_PACKET_SIZE;
    private @Nullable Executor callbackExecutor;
    private @Nullable MessageListener messageListener;
    private @Nullable ConnectionListener connectionListener;
    private @Nullable PacketTracer packetTracer;
    private long sessionExpiryInterval;
    private int receiveMaximum = 65_535;
    private int topicAliasMaximum;
    private boolean requestResponseInformation;
    private boolean requestProblemInformation = true;
    private final List<UserProperty> userProperties = new ArrayList<>();
    private @Nullable EnhancedAuthentication authentication;
    private boolean followRedirects;

    MqttClientBuilder() {}

    public MqttClientBuilder host(String host) {
        this.host = host;
        return this;
    }

    public MqttClientBuilder port(int port) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("a port is 1 to 65535, not " + port);
        }
        this.port = port;
        return this;
    }

    /** MQTT 3.1, 3.1.1 (the default) or 5.0. */
    public MqttClientBuilder version(MqttVersion version) {
        this.version = version;
        return this;
    }

    public MqttClientBuilder clientId(String clientId) {
        MqttStrings.require(clientId, "client identifier");
        this.clientId = clientId;
        return this;
    }

    /** True (the default) starts a new session; false resumes the server's session for this client id. */
    public MqttClientBuilder cleanSession(boolean cleanSession) {
        this.cleanSession = cleanSession;
        return this;
    }

    /** The keep alive interval, whole seconds up to 65,535; zero turns it off. */
    public MqttClientBuilder keepAlive(Duration keepAlive) {
        long seconds = keepAlive.getSeconds();
        if (keepAlive.isNegative() || seconds > 0xFFFF || keepAlive.getNano() != 0) {
            throw new IllegalArgumentException("keep alive is 0 to 65535 whole seconds, not " + keepAlive);
        }
        this.keepAlive = keepAlive;
        return this;
    }

    public MqttClientBuilder username(@Nullable String username) {
        this.username = username;
        return this;
    }

    public MqttClientBuilder password(byte @Nullable [] password) {
        this.password = password == null ? null : password.clone();
        return this;
    }

    /** The password as UTF-8. */
    public MqttClientBuilder password(@Nullable String password) {
        this.password = password == null ? null : password.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** The message the server publishes if this client's connection ends without DISCONNECT. */
    public MqttClientBuilder will(@Nullable MqttMessage will) {
        this.will = will;
        return this;
    }

    /** Speak TLS with these options; null for plain TCP. */
    public MqttClientBuilder tls(@Nullable TlsOptions tls) {
        this.tls = tls;
        return this;
    }

    public MqttClientBuilder reconnect(ReconnectPolicy reconnect) {
        this.reconnect = reconnect;
        return this;
    }

    /** How many QoS 1 and 2 publishes may await acknowledgement at once, 1 to 65,535. */
    public MqttClientBuilder maxInflight(int maxInflight) {
        if (maxInflight < 1 || maxInflight > 65_535) {
            throw new IllegalArgumentException("the in-flight window is 1 to 65535, not " + maxInflight);
        }
        this.maxInflight = maxInflight;
        return this;
    }

    /**
     * How many publishes may wait to be sent, while offline or while the in-flight window is full.
     * One more fails its future with {@link MessageBufferFullException}.
     */
    public MqttClientBuilder maxBufferedMessages(int maxBufferedMessages) {
        if (maxBufferedMessages < 0) {
            throw new IllegalArgumentException("the message buffer cannot be negative: " + maxBufferedMessages);
        }
        this.maxBufferedMessages = maxBufferedMessages;
        return this;
    }

    public MqttClientBuilder connectTimeout(Duration connectTimeout) {
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("the connect timeout must be positive, not " + connectTimeout);
        }
        this.connectTimeout = connectTimeout;
        return this;
    }

    /** The largest packet accepted from the server; a larger one closes the connection. */
    public MqttClientBuilder maxPacketSize(int maxPacketSize) {
        if (maxPacketSize < 2 || maxPacketSize > PacketDecoder.MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("the maximum packet size is 2 to " + PacketDecoder.MAX_PACKET_SIZE);
        }
        this.maxPacketSize = maxPacketSize;
        return this;
    }

    /**
     * Where message listeners, connection listeners and future completions run. The default is one
     * thread of the client's own, which keeps messages in order and keeps the I/O thread free.
     * {@code Runnable::run} runs them on the I/O thread: fastest, but a listener that blocks then
     * stalls the connection.
     */
    public MqttClientBuilder callbackExecutor(@Nullable Executor callbackExecutor) {
        this.callbackExecutor = callbackExecutor;
        return this;
    }

    /** Receives every message that no subscription's own listener takes. */
    public MqttClientBuilder messageListener(@Nullable MessageListener messageListener) {
        this.messageListener = messageListener;
        return this;
    }

    public MqttClientBuilder connectionListener(@Nullable ConnectionListener connectionListener) {
        this.connectionListener = connectionListener;
        return this;
    }

    /** Sees every packet sent and received, on the I/O thread (see {@link PacketTracer}). */
    public MqttClientBuilder packetTracer(@Nullable PacketTracer packetTracer) {
        this.packetTracer = packetTracer;
        return this;
    }

    // ---- MQTT 5.0

    /**
     * Session Expiry Interval in seconds (5.0): how long the server keeps the session once the
     * connection ends; 0 (the default) ends it with the connection, {@link
     * MqttClientConfig#SESSION_NEVER_EXPIRES} keeps it. While it is above 0 the client keeps
     * unacknowledged messages across a lost connection and reconnects with Clean Start 0.
     */
    public MqttClientBuilder sessionExpiryInterval(long seconds) {
        if (seconds < 0 || seconds > MqttClientConfig.SESSION_NEVER_EXPIRES) {
            throw new IllegalArgumentException("the session expiry interval is 0 to 4294967295 s, not " + seconds);
        }
        this.sessionExpiryInterval = seconds;
        return this;
    }

    /** Receive Maximum (5.0): QoS 1 and 2 publishes the server may have in flight to this client, 1 to 65,535. */
    public MqttClientBuilder receiveMaximum(int receiveMaximum) {
        if (receiveMaximum < 1 || receiveMaximum > 65_535) {
            throw new IllegalArgumentException("receive maximum is 1 to 65535 (0 is a protocol error), not " + receiveMaximum);
        }
        this.receiveMaximum = receiveMaximum;
        return this;
    }

    /** Topic Alias Maximum (5.0): aliases the server may use in what it sends; 0 (the default) for none. */
    public MqttClientBuilder topicAliasMaximum(int topicAliasMaximum) {
        if (topicAliasMaximum < 0 || topicAliasMaximum > 65_535) {
            throw new IllegalArgumentException("topic alias maximum is 0 to 65535, not " + topicAliasMaximum);
        }
        this.topicAliasMaximum = topicAliasMaximum;
        return this;
    }

    /** Request Response Information (5.0): ask the server for the base of this client's response topics. */
    public MqttClientBuilder requestResponseInformation(boolean request) {
        this.requestResponseInformation = request;
        return this;
    }

    /** Request Problem Information (5.0, default true): false asks the server to leave out Reason Strings. */
    public MqttClientBuilder requestProblemInformation(boolean request) {
        this.requestProblemInformation = request;
        return this;
    }

    /** A user property of the CONNECT (5.0); a name may repeat. */
    public MqttClientBuilder userProperty(String name, String value) {
        userProperties.add(new UserProperty(name, value));
        return this;
    }

    /** Enhanced authentication (5.0), e.g. {@link ScramSha256Authentication}; null for none. */
    public MqttClientBuilder authentication(@Nullable EnhancedAuthentication authentication) {
        this.authentication = authentication;
        return this;
    }

    /**
     * Follow server redirection (5.0, off by default): a CONNACK or DISCONNECT with 0x9C Use
     * another server or 0x9D Server moved and a Server Reference makes the client connect to that
     * server ({@code host} or {@code host:port}) instead.
     */
    public MqttClientBuilder followServerRedirects(boolean follow) {
        this.followRedirects = follow;
        return this;
    }

    /** The configuration as it stands. */
    public MqttClientConfig config() {
        int effectivePort = port > 0 ? port : tls != null ? 8883 : 1883;
        if (clientId.isEmpty() && !cleanSession && version != MqttVersion.V5) {
            throw new IllegalArgumentException("[MQTT-3.1.3-7] an empty client id needs a clean session");
        }
        if (will != null && version == MqttVersion.V5) {
            // checked here: a CONNECT that cannot be made would otherwise fail only at the connect timeout
            will.properties().requireAllowedIn(PacketType.CONNECT, true);
        }
        if (authentication != null && version != MqttVersion.V5) {
            throw new IllegalArgumentException("enhanced authentication is MQTT 5.0; set version(MqttVersion.V5)");
        }
        if (password != null && username == null && version != MqttVersion.V5) {
            throw new IllegalArgumentException("[MQTT-3.1.2-22] a password needs a user name in MQTT 3.1 and 3.1.1");
        }
        return new MqttClientConfig(host, effectivePort, version, clientId, cleanSession, keepAlive, username,
                password == null ? null : password.clone(), will, tls, reconnect, maxInflight, maxBufferedMessages,
                connectTimeout, maxPacketSize, callbackExecutor, messageListener, connectionListener, packetTracer,
                new MqttClientConfig.Mqtt5(sessionExpiryInterval, receiveMaximum, topicAliasMaximum, requestResponseInformation,
                        requestProblemInformation, userProperties, authentication, followRedirects));
    }

    /** A client with this configuration, not yet connected. */
    public MqttClient build() {
        return new MqttClient(config());
    }
}
