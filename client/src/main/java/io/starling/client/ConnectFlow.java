package io.starling.client;

import io.starling.client.internal.Failures;
import io.starling.client.internal.ServerLimits;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * CONNECT and CONNACK as they concern the session: the client identifier in use (the configured
 * one until a 5.0 server assigns one), the Clean Start flag (a 5.0 reconnect resumes a session
 * that outlives its connection), the session expiry and keep alive in force (the server's when its
 * CONNACK names them), and whether the session is kept once the connection ends. Confined to the
 * client's I/O thread, but for {@link #clientId()}.
 */
final class ConnectFlow {
    private final MqttClientConfig config;
    private final Authentication authentication;
    private volatile String clientId;
    /** A CONNACK was accepted before: 5.0 reconnects then resume the session while it lasts. */
    private boolean connectedBefore;
    /** The Clean Start flag of the last CONNECT. */
    private boolean cleanStartSent;
    /** The keep alive in force: the requested one, or the server's (5.0). */
    private int keepAliveSeconds;
    /** The session expiry interval in force (5.0): the requested one, the server's, or the one set at DISCONNECT. */
    private long sessionExpiry;

    /**
     * What an accepting CONNACK means for the client.
     *
     * @param result what the application is told
     * @param limits what the server takes, for the flows
     * @param resumed the server resumed the session the client holds
     * @param keepAliveChanged the server imposed another keep alive ({@link #keepAliveSeconds()})
     */
    record Accepted(ConnectResult result, ServerLimits limits, boolean resumed, boolean keepAliveChanged) {}

    ConnectFlow(MqttClientConfig config, Authentication authentication) {
        this.config = config;
        this.authentication = authentication;
        this.clientId = config.clientId();
        this.keepAliveSeconds = (int) config.keepAlive().toSeconds();
        this.sessionExpiry = config.mqtt5().sessionExpiryInterval();
    }

    /** The client identifier in use: the configured one, or the one the server assigned. Any thread. */
    String clientId() {
        return clientId;
    }

    int keepAliveSeconds() {
        return keepAliveSeconds;
    }

    /** The CONNECT of the next connection; starts an enhanced authentication exchange if there is one. */
    Connect connect() {
        MqttMessage w = config.will();
        boolean v5 = config.version().isV5();
        Will will = w == null ? null
                : new Will(w.topic(), Bytes.of(w.payload()), w.qos(), w.retain(), v5 ? w.properties() : Properties.EMPTY);
        Bytes password = config.password() == null ? null : Bytes.of(config.password());
        // 5.0: once connected, a session that outlives its connection is resumed, not started again
        boolean resumable = v5 && connectedBefore && sessionExpiry > 0;
        cleanStartSent = !resumable && config.cleanSession();
        // each CONNECT asks for the configured interval again: what a CONNACK or DISCONNECT set held for the last connection only
        sessionExpiry = config.mqtt5().sessionExpiryInterval();
        keepAliveSeconds = (int) config.keepAlive().toSeconds();
        return new Connect(config.version(), clientId, cleanStartSent, keepAliveSeconds,
                config.username(), password, will, v5 ? connectProperties() : Properties.EMPTY);
    }

    /** The CONNECT's 5.0 properties: only those that differ from the standard's defaults. */
    private Properties connectProperties() {
        MqttClientConfig.Mqtt5 m = config.mqtt5();
        List<Property> p = new ArrayList<>();
        if (sessionExpiry != 0) {
            p.add(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiry));
        }
        if (m.receiveMaximum() != 65_535) {
            p.add(Property.of(PropertyId.RECEIVE_MAXIMUM, m.receiveMaximum()));
        }
        if (config.maxPacketSize() < PacketDecoder.MAX_PACKET_SIZE) {
            p.add(Property.of(PropertyId.MAXIMUM_PACKET_SIZE, config.maxPacketSize()));
        }
        if (m.topicAliasMaximum() != 0) {
            p.add(Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, m.topicAliasMaximum()));
        }
        if (m.requestResponseInformation()) {
            p.add(Property.of(PropertyId.REQUEST_RESPONSE_INFORMATION, 1));
        }
        if (!m.requestProblemInformation()) {
            p.add(Property.of(PropertyId.REQUEST_PROBLEM_INFORMATION, 0));
        }
        for (UserProperty u : m.userProperties()) {
            p.add(Property.user(u.name(), u.value()));
        }
        p.addAll(authentication.connectProperties());
        return new Properties(p);
    }

    /** A refusing CONNACK in words: 3.1.1's as mosquitto says them, 5.0's code and Reason String. */
    String refusal(ConnAck ack) {
        return config.version().isV5() ? "Connection Refused: " + ReasonCodes.describe(ack.reasonCode(),
                ack.properties().string(PropertyId.REASON_STRING).orElse(null)) : Failures.refusal(ack);
    }

    /** An accepting CONNACK: takes on the identifier, session expiry and keep alive it imposes. */
    Accepted accepted(ConnAck ack) {
        ConnectResult result = new ConnectResult(ack.sessionPresent(), ack.reasonCode(), ack.properties());
        ServerLimits limits = ServerLimits.of(config.version(), ack.properties());
        boolean keepAliveChanged = false;
        if (config.version().isV5()) {
            result.assignedClientIdentifier().ifPresent(id -> clientId = id);
            sessionExpiry = result.sessionExpiryInterval().orElse(sessionExpiry);
            int serverKeepAlive = (int) result.serverKeepAlive().orElse(keepAliveSeconds);
            if (serverKeepAlive != keepAliveSeconds) {
                // [MQTT-3.2.2-21] the server's keep alive replaces the one the client asked for
                keepAliveSeconds = serverKeepAlive;
                keepAliveChanged = true;
            }
        }
        connectedBefore = true;
        return new Accepted(result, limits, ack.sessionPresent() && !cleanStartSent, keepAliveChanged);
    }

    /**
     * A 5.0 DISCONNECT of the client's with {@code properties} is about to go: its Session Expiry
     * Interval, if any, is the one in force from now on. False, changing nothing, when it would
     * give a life to a session that was to end with the connection: a protocol error (3.14.2.2.2).
     */
    boolean disconnecting(Properties properties) {
        long expiry = properties.integer(PropertyId.SESSION_EXPIRY_INTERVAL).orElse(-1);
        if (expiry > 0 && sessionExpiry == 0) {
            return false;
        }
        if (expiry >= 0) {
            sessionExpiry = expiry;
        }
        return true;
    }

    /**
     * Whether the server keeps the session once the connection ends, so that unacknowledged
     * messages are kept for the next connection: clean session false in 3.1.1, a session
     * expiry interval above 0 in 5.0.
     */
    boolean keepsSession() {
        return config.version().isV5() ? sessionExpiry > 0 : !config.cleanSession();
    }
}
