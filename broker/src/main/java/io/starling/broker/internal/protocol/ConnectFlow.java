package io.starling.broker.internal.protocol;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.acl.AccessControl;
import io.starling.broker.internal.auth.Authentication;
import io.starling.broker.internal.session.Session;
import io.starling.broker.internal.session.SessionRegistry;
import io.starling.broker.model.Message;
import io.starling.broker.spi.AuthenticationMechanism;
import io.starling.broker.spi.Authenticator;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECT and CONNACK. In order: server redirection, when configured (every client is refused
 * and told where to go instead; see {@link BrokerConfig.Redirect}), the client identifier (any
 * length and any valid UTF-8; an empty one is assigned a unique identifier, in 3.1.1 only with a
 * clean session and refused with 0x02 with a persistent one [MQTT-3.1.3-8], and refused in 3.1,
 * which requires one), the will against {@code maximum_qos} and {@code retain_available}, then
 * the credentials (0x04 or 0x05, in 5.0 0x86 or 0x87; see {@link Authentication}, which may decide
 * off the event loop, the connection holding what the client sends meanwhile) or, for a 5.0
 * CONNECT with an Authentication Method, the enhanced authentication exchange of {@link
 * EnhancedAuthFlow}. A 5.0
 * client's Session Expiry Interval is capped by {@code session_expiry} and its keep alive by
 * {@code max_keepalive}, and its CONNACK says so and carries what the broker offers. An accepted
 * client's session is opened, taking over any connection with the same client identifier
 * [MQTT-3.1.4-2]; its CONNACK carries session present as [MQTT-3.2.2-1..3] require and is
 * followed by any messages the session kept.
 */
public final class ConnectFlow {
    private static final Logger log = LoggerFactory.getLogger(ConnectFlow.class);

    private final Authentication authentication;
    private final AccessControl access;
    private final SessionRegistry sessions;
    private final PublishOutFlow out;
    /** The CONNACK every client gets while the broker redirects them, or null. */
    private final @Nullable ConnAck redirect;
    private final String redirectReason;
    private final BrokerConfig.Mqtt5 limits;
    private final EnhancedAuthFlow enhancedAuth;
    /** The CONNACK properties every 5.0 client gets. */
    private final Properties offers;

    public ConnectFlow(Authentication authentication, SessionRegistry sessions, PublishOutFlow out, BrokerConfig config,
            Map<String, AuthenticationMechanism> mechanisms, AccessControl access) {
        this.authentication = authentication;
        this.access = access;
        this.enhancedAuth = new EnhancedAuthFlow(this, mechanisms);
        this.sessions = sessions;
        this.out = out;
        this.limits = config.mqtt5();
        this.offers = offers(limits, config.maxPacketSize());
        BrokerConfig.Redirect redirect = config.redirect();
        this.redirect = redirect == null ? null : new ConnAck(false,
                redirect.moved() ? ReasonCode.SERVER_MOVED : ReasonCode.USE_ANOTHER_SERVER,
                Properties.of(Property.of(PropertyId.SERVER_REFERENCE, redirect.serverReference())));
        this.redirectReason = redirect == null ? ""
                : (redirect.moved() ? "server moved to " : "use another server: ") + redirect.serverReference();
    }

    /** The enhanced authentication exchanges, at CONNECT and after. */
    EnhancedAuthFlow enhancedAuth() {
        return enhancedAuth;
    }

    /** Runs on the connection's event loop when its CONNECT arrives. */
    void onConnect(Connection connection, Connect connect) {
        MqttVersion version = connect.version();
        if (redirect != null) {
            // 3.1 and 3.1.1 clients get return code 0x03, server unavailable, without the reference
            connection.refuse(version, redirect, redirectReason);
            return;
        }
        boolean v5 = version.isV5();
        String clientId = connect.clientId();
        boolean assigned = false;
        if (clientId.isEmpty()) {
            if (version == MqttVersion.V3_1) {
                connection.refuse(version, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "MQTT 3.1 requires a client identifier");
                return;
            }
            if (!v5 && !connect.cleanStart()) {
                // [MQTT-3.1.3-8] an empty identifier cannot name a session to keep
                connection.refuse(version, ReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "empty client identifier with a persistent session");
                return;
            }
            // [MQTT-3.1.3-6] [MQTT-3.1.3-7] a unique identifier, told to a 5.0 client [MQTT-3.2.2-16]
            clientId = "starling-" + UUID.randomUUID();
            assigned = true;
        }
        Will will = connect.will();
        if (will != null && will.qos().value() > limits.maximumQos().value()) {
            // [MQTT-3.2.2-12] a will above the Maximum QoS is refused
            connection.refuse(version, ReasonCode.QOS_NOT_SUPPORTED, "will QoS " + will.qos().value()
                    + " is above the maximum of " + limits.maximumQos().value());
            return;
        }
        if (will != null && will.retained() && !limits.retainAvailable()) {
            // [MQTT-3.2.2-13] a retained will while retained messages are not available is refused
            connection.refuse(version, ReasonCode.RETAIN_NOT_SUPPORTED, "retained wills are not available on this broker");
            return;
        }
        String willTopicRefused = will == null ? null : connection.limits().topicRefused(will.topic());
        if (willTopicRefused != null) {
            // max_topic_levels, max_topic_length: 0x90 Topic Name invalid (3.1.1: 0x03, the nearest it has)
            connection.refuse(version, ReasonCode.TOPIC_NAME_INVALID, "will topic " + willTopicRefused);
            return;
        }
        String method = v5 ? connect.properties().string(PropertyId.AUTHENTICATION_METHOD).orElse(null) : null;
        if (method != null) {
            // enhanced authentication decides instead of the password file (section 4.12)
            enhancedAuth.start(connection, new EnhancedAuthFlow.Pending(connect, clientId, assigned, method));
            return;
        }
        Peer peer = connection.peer();
        BrokerConfig.Listener listener = connection.listener();
        Authenticator.Login login = new Authenticator.Login(clientId, connect.username(),
                connect.password() == null ? null : connect.password().toArray(), peer.address(),
                listener.scheme() + "://" + listener.bind() + ":" + listener.port(), peer.certificateIdentity(), version);
        String id = clientId;
        boolean assignedId = assigned;
        Authentication.Verdict now = authentication.authenticate(login, listener, connection.eventLoop(), verdict -> {
            // back on the connection's event loop; the client may have gone meanwhile
            if (connection.open()) {
                decided(connection, connect, id, assignedId, login, verdict);
            }
            connection.releaseHeldPackets();
        });
        if (now != null) {
            decided(connection, connect, clientId, assigned, login, now);
        } else {
            // what the client sends behind its CONNECT waits for the verdict
            connection.holdPackets();
        }
    }

    private void decided(Connection connection, Connect connect, String clientId, boolean assigned, Authenticator.Login login,
            Authentication.Verdict verdict) {
        if (!verdict.allowed()) {
            connection.metrics().loginsRefused.increment();
            log.info("login failed: client {}, user {}, from {}: {}", clientId,
                    login.username() == null ? "(none)" : "'" + login.username() + "'", login.remoteAddress(), verdict.reason());
            connection.refuse(connect.version(), verdict.code(), verdict.reason());
            return;
        }
        connection.username(verdict.username());
        accept(connection, connect, clientId, assigned, Properties.EMPTY);
    }

    /**
     * Accepts the CONNECT of {@code clientId} (authenticated): opens its session and sends CONNACK
     * with what the broker offers, and {@code authentication} (the enhanced authentication's
     * method and data, or none).
     */
    void accept(Connection connection, Connect connect, String clientId, boolean assigned, Properties authentication) {
        boolean v5 = connect.version().isV5();
        long expiry;
        int keepAlive = connect.keepAlive();
        Properties connAckProperties = Properties.EMPTY;
        if (v5) {
            List<Property> personal = null;
            long requested = connect.properties().integer(PropertyId.SESSION_EXPIRY_INTERVAL).orElse(0);
            expiry = sessions.capExpiry(requested);
            if (expiry != requested) {
                // the client uses the interval the server sends (section 3.2.2.3.2)
                personal = add(personal, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, expiry));
            }
            int max = limits.maxKeepAlive();
            if (keepAlive > max || (keepAlive == 0 && max < 65535)) {
                // [MQTT-3.1.2-21] the client uses the Server Keep Alive instead of its own
                keepAlive = max;
                personal = add(personal, Property.of(PropertyId.SERVER_KEEP_ALIVE, max));
            }
            if (assigned) {
                personal = add(personal, Property.of(PropertyId.ASSIGNED_CLIENT_IDENTIFIER, clientId));
            }
            String responseInformation = limits.responseInformation();
            if (responseInformation != null && connect.properties().integer(PropertyId.REQUEST_RESPONSE_INFORMATION).orElse(0) == 1) {
                personal = add(personal, Property.of(PropertyId.RESPONSE_INFORMATION, responseInformation));
            }
            for (Property p : authentication.all()) {
                personal = add(personal, p);
            }
            if (personal == null) {
                // most clients: the same offers for all, made once
                connAckProperties = offers;
            } else {
                personal.addAll(offers.all());
                connAckProperties = new Properties(personal);
            }
        } else {
            expiry = connect.cleanStart() ? 0 : StoreChanges.BROKER_EXPIRY;
        }
        Message willMessage = null;
        long willDelay = 0;
        Will will = connect.will();
        if (will != null) {
            willMessage = new Message(will.topic(), will.qos(), will.retained(), will.payload().toArray(), clientId,
                    will.properties(), 0);
            willDelay = will.properties().integer(PropertyId.WILL_DELAY_INTERVAL).orElse(0);
        }
        Opening opening = new Opening(connection, connect, clientId, keepAlive, expiry, willMessage, willDelay, connAckProperties);
        // in a cluster, the session is this node's once the others agree (an identifier the broker
        // assigned is unique already); the client waits meanwhile, and what it sends is held
        CompletableFuture<Void> claimed = assigned ? null : sessions.claims().claim(clientId, connect.cleanStart());
        if (claimed == null || (claimed.isDone() && !claimed.isCompletedExceptionally())) {
            open(opening);
            return;
        }
        connection.holdPackets();
        claimed.whenComplete((ok, failed) -> connection.eventLoop().execute(() -> {
            if (connection.open()) {
                if (failed == null) {
                    open(opening);
                } else {
                    Throwable cause = failed instanceof CompletionException && failed.getCause() != null ? failed.getCause() : failed;
                    log.warn("client {}: its session could not be claimed in the cluster: {}", clientId, cause.toString());
                    connection.refuse(connect.version(), ReasonCode.SERVER_UNAVAILABLE,
                            "the cluster could not give this node the session: " + cause.getMessage());
                }
            }
            connection.releaseHeldPackets();
        }));
    }

    /** An accepted CONNECT about to open its session. */
    private record Opening(Connection connection, Connect connect, String clientId, int keepAlive, long expiry,
            @Nullable Message willMessage, long willDelay, Properties connAckProperties) {}

    private void open(Opening o) {
        Connection connection = o.connection();
        connection.accepted(o.clientId(), o.connect(), o.keepAlive(), o.willMessage(), o.willDelay());
        Properties properties = o.connAckProperties();
        Message willMessage = o.willMessage();
        Session.PendingWill pendingWill = willMessage == null ? null : new Session.PendingWill(willMessage, o.willDelay());
        Session session = sessions.open(o.clientId(), o.connect().cleanStart(), o.expiry(), pendingWill, connection,
                (opened, attachedTo, present) -> attached(opened, connection, present, properties));
        connection.session(session);
    }

    private static List<Property> add(@Nullable List<Property> list, Property property) {
        List<Property> to = list == null ? new ArrayList<>(12) : list;
        to.add(property);
        return to;
    }

    /** What the broker offers and limits, the same in the CONNACK of every 5.0 client [MQTT-3.2.2-9..22]. */
    private static Properties offers(BrokerConfig.Mqtt5 limits, int maxPacketSize) {
        List<Property> offers = new ArrayList<>(8);
        if (limits.receiveMaximum() != 65535) {
            offers.add(Property.of(PropertyId.RECEIVE_MAXIMUM, limits.receiveMaximum()));
        }
        if (limits.maximumQos() != QoS.EXACTLY_ONCE) {
            offers.add(Property.of(PropertyId.MAXIMUM_QOS, limits.maximumQos().value()));
        }
        if (!limits.retainAvailable()) {
            offers.add(Property.of(PropertyId.RETAIN_AVAILABLE, 0));
        }
        offers.add(Property.of(PropertyId.MAXIMUM_PACKET_SIZE, maxPacketSize));
        if (limits.topicAliasMaximum() > 0) {
            offers.add(Property.of(PropertyId.TOPIC_ALIAS_MAXIMUM, limits.topicAliasMaximum()));
        }
        offers.add(Property.of(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE, 1));
        offers.add(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE, 1));
        offers.add(Property.of(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE, 1));
        return new Properties(offers);
    }

    /** In the session's mailbox, once the connection holds the session. */
    private void attached(Session session, Connection connection, boolean sessionPresent, Properties properties) {
        // from now on (not before: a will of the session's previous connection is judged by its own client's rights)
        session.rights(access.rights(connection.username(), session.clientId()));
        connection.send(new ConnAck(sessionPresent, ReasonCode.SUCCESS, properties));
        connection.logConnected(sessionPresent);
        out.resume(session);
    }
}
