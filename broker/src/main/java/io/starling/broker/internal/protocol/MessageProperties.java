package io.starling.broker.internal.protocol;

import io.starling.broker.model.Message;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The MQTT 5.0 properties of application messages on their way through the broker: which of a
 * PUBLISH's (or a will's) properties are kept with the message and forwarded unchanged
 * [MQTT-3.3.2-15..20], how its Message Expiry Interval becomes a deadline, and what a receiver
 * gets: the forwarded properties in order, the expiry left [MQTT-3.3.2-6], the Subscription
 * Identifiers of its matching subscriptions [MQTT-3.3.4-3] and a Topic Alias.
 */
final class MessageProperties {
    private MessageProperties() {}

    /** The properties of an incoming PUBLISH or will kept with the message; {@code in} itself when all are. */
    static Properties forwarded(Properties in) {
        if (in.isEmpty()) {
            return in;
        }
        List<Property> kept = null;
        List<Property> all = in.all();
        for (int i = 0; i < all.size(); i++) {
            Property p = all.get(i);
            boolean keep = switch (p.id()) {
                case PAYLOAD_FORMAT_INDICATOR, CONTENT_TYPE, RESPONSE_TOPIC, CORRELATION_DATA, USER_PROPERTY -> true;
                default -> false;
            };
            if (!keep && kept == null) {
                kept = new ArrayList<>(all.subList(0, i));
            } else if (keep && kept != null) {
                kept.add(p);
            }
        }
        if (kept == null) {
            return in;
        }
        return kept.isEmpty() ? Properties.EMPTY : new Properties(kept);
    }

    /** When a message with {@code properties} received at {@code nowMillis} expires; 0 for never. */
    static long expiresAt(Properties properties, long nowMillis) {
        if (properties.isEmpty()) {
            return 0;
        }
        long seconds = properties.integer(PropertyId.MESSAGE_EXPIRY_INTERVAL).orElse(-1);
        return seconds < 0 ? 0 : nowMillis + seconds * 1000;
    }

    /** A will kept as a message (its expiry still an interval) made into the message published now. */
    static Message publishedWill(Message will, long nowMillis) {
        return new Message(will.topic(), will.qos(), will.retain(), will.payload(), will.publisherId(),
                forwarded(will.properties()), expiresAt(will.properties(), nowMillis));
    }

    /** Whether a payload whose Payload Format Indicator is 1 is well-formed UTF-8 (section 3.3.2.3.2). */
    static boolean isUtf8(Properties properties, byte[] payload) {
        if (properties.isEmpty() || properties.integer(PropertyId.PAYLOAD_FORMAT_INDICATOR).orElse(0) != 1) {
            return true;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /**
     * The properties of the PUBLISH that delivers {@code message} to a 5.0 client at {@code
     * nowMillis}: the forwarded ones, the expiry left, the subscription identifiers and {@code
     * alias} (0 for none).
     */
    static Properties outbound(Message message, long nowMillis, int[] subscriptionIds, int alias) {
        Properties kept = message.properties();
        if (message.expiresAtMillis() == 0 && subscriptionIds.length == 0 && alias == 0) {
            return kept;
        }
        List<Property> all = new ArrayList<>(kept.all().size() + subscriptionIds.length + 2);
        all.addAll(kept.all());
        if (message.expiresAtMillis() != 0) {
            all.add(Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, message.remainingExpirySeconds(nowMillis)));
        }
        for (int id : subscriptionIds) {
            all.add(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, id));
        }
        if (alias != 0) {
            all.add(Property.of(PropertyId.TOPIC_ALIAS, alias));
        }
        return new Properties(all);
    }
}
