package io.starling.codec.decode;

import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.Topics;

/** Decodes PUBLISH (section 3.3). The payload is a retained slice of the input: no copy. */
final class PublishDecoder {
    private PublishDecoder() {}

    /**
     * Decodes the body of a PUBLISH whose fixed-header flags have already been checked.
     * {@code fromClient} is true on the server side, where 5.0 forbids Subscription Identifiers.
     */
    static Publish publish(PacketReader in, int flags, boolean fromClient) {
        boolean dup = (flags & 0x08) != 0;
        QoS qos = QoS.of((flags & 0x06) >>> 1);
        boolean retained = (flags & 0x01) != 0;

        String topic = in.string("topic name");
        if (Topics.hasWildcard(topic)) {
            throw in.topicNameInvalid("MQTT-3.3.2-2", "the topic name of a PUBLISH must not contain wildcards: '" + topic + "'");
        }
        if (topic.isEmpty() && !in.isV5()) {
            throw in.malformed("MQTT-4.7.3-1", "the topic name of a PUBLISH must be at least one character long");
        }
        int packetId = 0;
        if (qos != QoS.AT_MOST_ONCE) {
            packetId = in.u16("packet identifier");
            if (packetId == 0) {
                throw in.malformed(in.rule("MQTT-2.3.1-1", "MQTT-2.2.1-3"), "a QoS " + qos.value() + " PUBLISH needs a non-zero packet identifier");
            }
        }
        Properties properties = Properties.EMPTY;
        if (in.isV5()) {
            properties = PropertiesDecoder.read(in, PacketType.PUBLISH, false);
            if (topic.isEmpty() && !properties.contains(PropertyId.TOPIC_ALIAS)) {
                throw in.protocolError("§3.3.2.1", "a PUBLISH with an empty topic name needs a Topic Alias");
            }
            if (fromClient && properties.contains(PropertyId.SUBSCRIPTION_IDENTIFIER)) {
                throw in.protocolError("MQTT-3.3.4-6", "a client's PUBLISH must not contain a Subscription Identifier");
            }
        }
        return new Publish(topic, qos, dup, retained, packetId, properties, in.retainedRest());
    }
}
