package io.starling.broker.internal.protocol;

import io.starling.broker.spi.AuthenticationMechanism;
import io.starling.broker.spi.AuthenticationMechanism.Step;
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MQTT 5.0 enhanced authentication (section 4.12), carried out by the {@link
 * AuthenticationMechanism} named by the client's Authentication Method. At CONNECT: the
 * mechanism's challenges go out in AUTH 0x18 and the client's answers come back in AUTH 0x18 until
 * it decides; success sends the CONNACK with the method [MQTT-4.12.0-5], failure CONNACK 0x87, and
 * a method no mechanism answers CONNACK 0x8C [MQTT-4.12.0-1]. Until the CONNACK the client may send
 * only AUTH or DISCONNECT [MQTT-3.1.2-30]. Connected, the client may re-authenticate with AUTH
 * 0x19 and the same method [MQTT-4.12.1-1]: success is answered with AUTH 0x00, failure with
 * DISCONNECT 0x87 [MQTT-4.12.1-2]. Runs on the connection's event loop.
 */
final class EnhancedAuthFlow {
    private static final Logger log = LoggerFactory.getLogger(EnhancedAuthFlow.class);

    /** A CONNECT waiting for its authentication to finish. */
    record Pending(Connect connect, String clientId, boolean assigned, String method) {}

    /** An exchange in progress on a connection: the CONNECT's (pending set) or a re-authentication's. */
    static final class Exchange {
        final @Nullable Pending pending;
        final String method;
        final AuthenticationMechanism.Exchange steps;

        Exchange(@Nullable Pending pending, String method, AuthenticationMechanism.Exchange steps) {
            this.pending = pending;
            this.method = method;
            this.steps = steps;
        }
    }

    private final ConnectFlow connect;
    private final Map<String, AuthenticationMechanism> mechanisms;

    EnhancedAuthFlow(ConnectFlow connect, Map<String, AuthenticationMechanism> mechanisms) {
        this.connect = connect;
        this.mechanisms = Map.copyOf(mechanisms);
    }

    /** A CONNECT names {@code pending.method()}: start its exchange, or refuse it with 0x8C. */
    void start(Connection connection, Pending pending) {
        AuthenticationMechanism mechanism = mechanisms.get(pending.method());
        if (mechanism == null) {
            connection.refuse(MqttVersion.V5, ReasonCode.BAD_AUTHENTICATION_METHOD,
                    "authentication method '" + pending.method() + "' is not supported");
            return;
        }
        Exchange exchange = new Exchange(pending, pending.method(),
                mechanism.start(pending.clientId(), pending.connect().username(), false));
        connection.authenticating(exchange);
        step(connection, exchange, data(pending.connect().properties()));
    }

    /** An AUTH from the client. */
    void onAuth(Connection connection, @Nullable Exchange current, @Nullable String connectedMethod, Auth auth) {
        String method = auth.properties().string(PropertyId.AUTHENTICATION_METHOD).orElse(null);
        if (current != null) {
            if (auth.reasonCode() != ReasonCode.CONTINUE_AUTHENTICATION || !current.method.equals(method)) {
                // [MQTT-4.12.0-3] the answer to a challenge is AUTH 0x18 with the same method
                failProtocol(connection, current, "AUTH " + auth.reasonCode() + " with method '" + method
                        + "' while authenticating with '" + current.method + "'");
                return;
            }
            step(connection, current, data(auth.properties()));
            return;
        }
        if (connectedMethod == null) {
            // [MQTT-4.12.0-7] no Authentication Method in the CONNECT: no AUTH
            connection.disconnect(ReasonCode.PROTOCOL_ERROR, "AUTH without an Authentication Method in the CONNECT");
            return;
        }
        if (auth.reasonCode() != ReasonCode.RE_AUTHENTICATE || !connectedMethod.equals(method)) {
            // [MQTT-4.12.1-1] re-authentication is AUTH 0x19 with the method of the CONNECT
            connection.disconnect(ReasonCode.PROTOCOL_ERROR, "AUTH " + auth.reasonCode() + " with method '" + method
                    + "' where re-authentication with '" + connectedMethod + "' was expected");
            return;
        }
        AuthenticationMechanism mechanism = mechanisms.get(connectedMethod);
        if (mechanism == null) {
            connection.disconnect(ReasonCode.BAD_AUTHENTICATION_METHOD, "authentication method '" + method + "' is gone");
            return;
        }
        // the user must stay who it was: the mechanism is told the name the connection has
        Exchange exchange = new Exchange(null, connectedMethod, mechanism.start(connection.clientId(), connection.username(), true));
        connection.authenticating(exchange);
        step(connection, exchange, data(auth.properties()));
    }

    private void step(Connection connection, Exchange exchange, byte @Nullable [] data) {
        Step step;
        try {
            step = exchange.steps.next(data);
        } catch (RuntimeException e) {
            log.warn("authentication method '{}' failed", exchange.method, e);
            step = new Step.Failure("the authentication mechanism failed: " + e);
        }
        Pending pending = exchange.pending;
        if (step instanceof Step.Continue c) {
            // [MQTT-4.12.0-2] more data wanted: AUTH 0x18 with the method [MQTT-4.12.0-5]
            connection.sendAuth(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, authentication(exchange.method, c.data())));
        } else if (step instanceof Step.Success s) {
            connection.authenticating(null);
            Properties result = authentication(exchange.method, s.data());
            if (pending != null) {
                connection.authenticatedWith(exchange.method);
                connection.username(s.username() != null ? s.username() : pending.connect().username());
                connect.accept(connection, pending.connect(), pending.clientId(), pending.assigned(), result);
            } else {
                connection.sendAuth(new Auth(ReasonCode.SUCCESS, result));
            }
        } else if (step instanceof Step.Failure f) {
            connection.authenticating(null);
            String user = pending != null ? pending.connect().username() : connection.username();
            log.info("login failed: client {}, user {}, from {}: authentication with '{}' failed: {}",
                    pending != null ? pending.clientId() : connection.clientId(), user == null ? "(none)" : "'" + user + "'",
                    connection.peer().address(), exchange.method, f.reason());
            if (pending != null) {
                // [MQTT-4.12.0-4] refused, then closed
                connection.refuse(MqttVersion.V5, ReasonCode.NOT_AUTHORIZED, "authentication failed: " + f.reason());
            } else {
                connection.disconnect(ReasonCode.NOT_AUTHORIZED, "re-authentication failed: " + f.reason());
            }
        }
    }

    /** During the CONNECT's exchange, a packet other than AUTH or DISCONNECT [MQTT-3.1.2-30]. */
    void outOfTurn(Connection connection, Exchange exchange, String what) {
        failProtocol(connection, exchange, what + " before the authentication finished");
    }

    private static void failProtocol(Connection connection, Exchange exchange, String reason) {
        connection.authenticating(null);
        if (exchange.pending != null) {
            connection.refuse(MqttVersion.V5, new ConnAck(false, ReasonCode.PROTOCOL_ERROR,
                    Properties.of(Property.of(PropertyId.REASON_STRING, reason))), reason);
        } else {
            connection.disconnect(ReasonCode.PROTOCOL_ERROR, reason);
        }
    }

    private static byte @Nullable [] data(Properties properties) {
        return properties.binary(PropertyId.AUTHENTICATION_DATA).map(Bytes::toArray).orElse(null);
    }

    private static Properties authentication(String method, byte @Nullable [] data) {
        List<Property> all = new ArrayList<>(2);
        all.add(Property.of(PropertyId.AUTHENTICATION_METHOD, method));
        if (data != null) {
            all.add(Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of(data)));
        }
        return new Properties(all);
    }
}
