package io.starling.broker.internal.protocol;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.auth.Authenticator;
import io.starling.broker.internal.session.Session;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * CONNECT and CONNACK. In order: server redirection, when configured (every client is refused
 * and told where to go instead; see {@link BrokerConfig.Redirect}), the protocol version (MQTT 5.0
 * is refused with 0x84 until the broker speaks it), the client identifier (any length and any valid UTF-8; an empty one is
 * assigned a unique identifier with a clean session and refused with 0x02 with a persistent one
 * [MQTT-3.1.3-8], and in 3.1, which requires one), then the credentials (0x04 or 0x05). An
 * accepted client's session is opened, taking over any connection with the same client
 * identifier [MQTT-3.1.4-2]; its CONNACK carries session present as [MQTT-3.2.2-1..3] require
 * and is followed by any messages the session kept.
 */
public final class ConnectFlow {
    private final Authenticator authenticator;
    private final SessionRegistry sessions;
    private final PublishOutFlow out;
    /** The CONNACK every client gets while the broker redirects them, or null. */
    private final @Nullable ConnAck redirect;
    private final String redirectReason;

    public ConnectFlow(Authenticator authenticator, SessionRegistry sessions, PublishOutFlow out,
            BrokerConfig.@Nullable Redirect redirect) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.out = out;
        this.redirect = redirect == null ? null : new ConnAck(false,
                redirect.moved() ? ReasonCode.SERVER_MOVED : ReasonCode.USE_ANOTHER_SERVER,
                Properties.of(Property.of(PropertyId.SERVER_REFERENCE, redirect.serverReference())));
        this.redirectReason = redirect == null ? ""
                : (redirect.moved() ? "server moved to " : "use another server: ") + redirect.serverReference();
    }

    /** Runs on the connection's event loop when its CONNECT arrives. */
    void onConnect(Connection connection, Connect connect) {
        MqttVersion version = connect.version();
        if (redirect != null) {
            // 3.1 and 3.1.1 clients get return code 0x03, server unavailable, without the reference
            connection.refuse(version, redirect, redirectReason);
            return;
        }
        if (version.isV5()) {
            connection.refuse(version, ReasonCode.UNSUPPORTED_PROTOCOL_VERSION, "MQTT 5.0 is not supported yet");
            return;
        }
        String clientId = connect.clientId();
        if (clientId.isEmpty()) {
            if (version == MqttVersion.V3_1) {
                connection.refuse(version, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "MQTT 3.1 requires a client identifier");
                return;
            }
            if (!connect.cleanStart()) {
                // [MQTT-3.1.3-8] an empty identifier cannot name a session to keep
                connection.refuse(version, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "empty client identifier with a persistent session");
                return;
            }
            clientId = "starling-" + UUID.randomUUID();
        }
        ReasonCode verdict = authenticator.authenticate(connection.listener(), connect.username(), connect.password());
        if (verdict != ReasonCode.SUCCESS) {
            connection.refuse(version, verdict, verdict == ReasonCode.NOT_AUTHORIZED
                    ? "anonymous clients are not allowed on this listener"
                    : "bad user name or password for '" + connect.username() + "'");
            return;
        }
        connection.accepted(clientId, connect);
        Session session = sessions.open(clientId, connect.cleanStart(), connection,
                (opened, attachedTo, present) -> attached(opened, connection, present));
        connection.session(session);
    }

    /** In the session's mailbox, once the connection holds the session. */
    private void attached(Session session, Connection connection, boolean sessionPresent) {
        connection.send(new ConnAck(sessionPresent, ReasonCode.SUCCESS));
        connection.logConnected(sessionPresent);
        out.resume(session);
    }
}
