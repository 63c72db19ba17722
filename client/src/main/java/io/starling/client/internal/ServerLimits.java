package io.starling.client.internal;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import org.jspecify.annotations.Nullable;

/**
 * What the server said in its CONNACK that it takes (MQTT 5.0, 3.2.2.3); every value is the
 * standard's default when the property is absent, and for 3.1 and 3.1.1.
 *
 * @param receiveMaximum QoS 1 and 2 publishes it takes at once
 * @param maximumPacketSize the largest packet it takes, in bytes
 * @param topicAliasMaximum aliases the client may use
 * @param maximumQos the highest QoS of a PUBLISH it takes
 * @param retainAvailable whether it takes retained messages
 * @param wildcards whether it takes wildcard subscriptions
 * @param subscriptionIdentifiers whether it takes subscription identifiers
 * @param shared whether it takes shared subscriptions
 */
public record ServerLimits(int receiveMaximum, long maximumPacketSize, int topicAliasMaximum, QoS maximumQos,
        boolean retainAvailable, boolean wildcards, boolean subscriptionIdentifiers, boolean shared) {
    /** The standard's defaults: what a 3.1.1 server, or a 5.0 one that names no limit, allows. */
    public static final ServerLimits NONE = new ServerLimits(65_535, 268_435_460L, 0, QoS.EXACTLY_ONCE, true, true, true, true);

    public static ServerLimits of(MqttVersion version, Properties p) {
        if (!version.isV5()) {
            return NONE;
        }
        ServerLimits limits = new ServerLimits((int) p.integer(PropertyId.RECEIVE_MAXIMUM).orElse(65_535),
                p.integer(PropertyId.MAXIMUM_PACKET_SIZE).orElse(NONE.maximumPacketSize),
                (int) p.integer(PropertyId.TOPIC_ALIAS_MAXIMUM).orElse(0),
                QoS.of((int) p.integer(PropertyId.MAXIMUM_QOS).orElse(2)),
                flag(p, PropertyId.RETAIN_AVAILABLE), flag(p, PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE),
                flag(p, PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE), flag(p, PropertyId.SHARED_SUBSCRIPTION_AVAILABLE));
        return limits.equals(NONE) ? NONE : limits; // one instance for "no limits", so that a check can be ==
    }

    private static boolean flag(Properties p, PropertyId id) {
        return p.integer(id).orElse(1) == 1;
    }

    /** Why the server would refuse a PUBLISH with this QoS and retain flag, or null if it takes it. */
    public @Nullable ReasonCode refusesPublish(QoS qos, boolean retain) {
        if (qos.value() > maximumQos.value()) {
            return ReasonCode.QOS_NOT_SUPPORTED; // [MQTT-3.2.2-11]
        }
        if (retain && !retainAvailable) {
            return ReasonCode.RETAIN_NOT_SUPPORTED; // [MQTT-3.2.2-14]
        }
        return null;
    }
}
