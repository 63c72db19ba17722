package io.starling.client;

import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Everything a client was built with; made by {@link MqttClientBuilder}, immutable.
 *
 * @param host the server's host name or address
 * @param port the server's TCP port
 * @param version the protocol version spoken: 3.1, 3.1.1 or 5.0
 * @param clientId the client identifier; empty asks the server to assign one (clean session only)
 * @param cleanSession start a new session (true), or resume the server's one for this client id
 *     (Clean Start in 5.0, where reconnects resume the session while it has not expired)
 * @param keepAlive the keep alive interval; zero turns keep alive off
 * @param username the user name, or null
 * @param password the password, or null
 * @param will the will message, or null
 * @param tls TLS options, or null for plain TCP
 * @param reconnect when to reconnect by itself
 * @param maxInflight how many QoS 1 and 2 publishes may await their acknowledgement at once
 * @param maxBufferedMessages how many publishes may wait to be sent (offline or window full)
 * @param connectTimeout how long a TCP connect plus CONNECT/CONNACK may take
 * @param maxPacketSize the largest packet accepted from the server, in bytes
 * @param callbackExecutor where listeners and future completions run, or null for the client's own
 *     thread
 * @param messageListener receives messages that no subscription's own listener takes, or null
 * @param connectionListener told of connects and disconnects, or null
 * @param packetTracer sees every packet sent and received, or null
 * @param mqtt5 what only MQTT 5.0 sends; ignored by 3.1 and 3.1.1
 */
@SuppressWarnings("ArrayRecordComponent") // the password is MQTT binary data; configs are never compared
public record MqttClientConfig(
        String host,
        int port,
        MqttVersion version,
        String clientId,
        boolean cleanSession,
        Duration keepAlive,
        @Nullable String username,
        byte @Nullable [] password,
        @Nullable MqttMessage will,
        @Nullable TlsOptions tls,
        ReconnectPolicy reconnect,
        int maxInflight,
        int maxBufferedMessages,
        Duration connectTimeout,
        int maxPacketSize,
        @Nullable Executor callbackExecutor,
        @Nullable MessageListener messageListener,
        @Nullable ConnectionListener connectionListener,
        @Nullable PacketTracer packetTracer,
        Mqtt5 mqtt5) {

    /** The session expiry interval meaning "never expires". */
    public static final long SESSION_NEVER_EXPIRES = 0xFFFF_FFFFL;

    /**
     * The MQTT 5.0 part of the configuration.
     *
     * @param sessionExpiryInterval seconds the server keeps the session after the connection ends
     *     (0: it ends with the connection; {@link #SESSION_NEVER_EXPIRES}); it decides, as clean
     *     session does in 3.1.1, whether unacknowledged messages are kept and re-sent
     * @param receiveMaximum QoS 1 and 2 publishes the server may have in flight to this client, 1 to 65,535
     * @param topicAliasMaximum topic aliases the server may use towards this client (0: none)
     * @param requestResponseInformation ask the server for Response Information (the base of response topics)
     * @param requestProblemInformation let the server send Reason Strings and user properties on failures
     * @param userProperties the CONNECT's user properties
     * @param authentication the enhanced authentication mechanism, or null
     * @param followRedirects on CONNACK or DISCONNECT 0x9C/0x9D with a Server Reference, connect there
     */
    public record Mqtt5(
            long sessionExpiryInterval,
            int receiveMaximum,
            int topicAliasMaximum,
            boolean requestResponseInformation,
            boolean requestProblemInformation,
            List<UserProperty> userProperties,
            @Nullable EnhancedAuthentication authentication,
            boolean followRedirects) {
        public static final Mqtt5 DEFAULTS = new Mqtt5(0, 65_535, 0, false, true, List.of(), null, false);

        public Mqtt5 {
            userProperties = List.copyOf(userProperties);
        }
    }
}
