package io.starling.client;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The server's answer to a successful CONNECT. In MQTT 5.0 the CONNACK's properties say what the
 * server allows; the accessors below give each with the standard's default when it is absent.
 * 3.1 and 3.1.1 carry no properties, so there every accessor gives the default.
 *
 * @param sessionPresent the server resumed a session it held for this client id (always false
 *     for a clean session, and in MQTT 3.1, which has no such flag)
 * @param reasonCode {@link ReasonCode#SUCCESS}; a refusal fails the connect future instead
 * @param properties the CONNACK's properties ({@link Properties#EMPTY} before 5.0)
 */
public record ConnectResult(boolean sessionPresent, ReasonCode reasonCode, Properties properties) {
    public ConnectResult(boolean sessionPresent, ReasonCode reasonCode) {
        this(sessionPresent, reasonCode, Properties.EMPTY);
    }

    /** The client identifier the server assigned, when the client connected with an empty one. */
    public Optional<String> assignedClientIdentifier() {
        return properties.string(PropertyId.ASSIGNED_CLIENT_IDENTIFIER);
    }

    /** The keep alive the server imposes instead of the requested one, if it sent one. */
    public OptionalLong serverKeepAlive() {
        return properties.integer(PropertyId.SERVER_KEEP_ALIVE);
    }

    /** The session expiry interval the server applies instead of the requested one, if it sent one. */
    public OptionalLong sessionExpiryInterval() {
        return properties.integer(PropertyId.SESSION_EXPIRY_INTERVAL);
    }

    /** How many QoS 1 and 2 publishes the server takes at once (65,535 when absent). */
    public int receiveMaximum() {
        return (int) properties.integer(PropertyId.RECEIVE_MAXIMUM).orElse(65_535);
    }

    /** The largest packet the server accepts, or empty for no limit but the protocol's. */
    public OptionalLong maximumPacketSize() {
        return properties.integer(PropertyId.MAXIMUM_PACKET_SIZE);
    }

    /** How many topic aliases the client may use towards the server (0 when absent). */
    public int topicAliasMaximum() {
        return (int) properties.integer(PropertyId.TOPIC_ALIAS_MAXIMUM).orElse(0);
    }

    /** The highest QoS the server takes in a PUBLISH (2 when absent). */
    public QoS maximumQos() {
        return QoS.of((int) properties.integer(PropertyId.MAXIMUM_QOS).orElse(2));
    }

    public boolean retainAvailable() {
        return properties.integer(PropertyId.RETAIN_AVAILABLE).orElse(1) == 1;
    }

    public boolean wildcardSubscriptionAvailable() {
        return properties.integer(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE).orElse(1) == 1;
    }

    public boolean subscriptionIdentifiersAvailable() {
        return properties.integer(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE).orElse(1) == 1;
    }

    public boolean sharedSubscriptionAvailable() {
        return properties.integer(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE).orElse(1) == 1;
    }

    /** The Response Information given when the client asked for it: the base of response topics. */
    public Optional<String> responseInformation() {
        return properties.string(PropertyId.RESPONSE_INFORMATION);
    }

    public Optional<String> reasonString() {
        return properties.string(PropertyId.REASON_STRING);
    }

    public List<UserProperty> userProperties() {
        return properties.userProperties();
    }
}
