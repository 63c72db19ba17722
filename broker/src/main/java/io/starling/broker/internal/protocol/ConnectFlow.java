package io.starling.broker.internal.protocol;

import io.starling.broker.internal.auth.Authenticator;
import io.starling.broker.internal.session.Session;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.util.UUID;

/**
 * CONNECT and CONNACK. In order: the protocol version (MQTT 5.0 is refused with 0x84 until the
 * broker speaks it), the client identifier (any length and any valid UTF-8; an empty one is
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

    public ConnectFlow(Authenticator authenticator, SessionRegistry sessions, PublishOutFlow out) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.out = out;
    }

    /** Runs on the connection's event loop when its CONNECT arrives. */
    void onConnect(Connection connection, Connect connect) {
        MqttVersion version = connect.version();
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
