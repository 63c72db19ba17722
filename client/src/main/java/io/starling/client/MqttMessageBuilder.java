package io.starling.client;

import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds an {@link MqttMessage}, with its MQTT 5.0 properties by name (3.1 and 3.1.1 servers are
 * sent none of them). Made by {@link MqttMessage#builder}.
 */
public final class MqttMessageBuilder {
    private final String topic;
    private byte[] payload = new byte[0];
    private QoS qos = QoS.AT_MOST_ONCE;
    private boolean retain;
    private final List<Property> properties = new ArrayList<>();

    MqttMessageBuilder(String topic) {
        this.topic = topic;
    }

    /** The payload; the array is not copied. */
    public MqttMessageBuilder payload(byte[] payload) {
        this.payload = payload;
        return this;
    }

    /** The payload as UTF-8. */
    public MqttMessageBuilder payload(String payload) {
        this.payload = payload.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public MqttMessageBuilder qos(QoS qos) {
        this.qos = qos;
        return this;
    }

    public MqttMessageBuilder retain(boolean retain) {
        this.retain = retain;
        return this;
    }

    /** Message Expiry Interval: the server drops the message if it is not delivered in time. */
    public MqttMessageBuilder messageExpiry(Duration expiry) {
        return set(PropertyId.MESSAGE_EXPIRY_INTERVAL, seconds(expiry, "message expiry"));
    }

    /** Payload Format Indicator 1: the payload is UTF-8 text (the server may check it). */
    public MqttMessageBuilder payloadIsUtf8(boolean utf8) {
        return set(PropertyId.PAYLOAD_FORMAT_INDICATOR, utf8 ? 1 : 0);
    }

    public MqttMessageBuilder contentType(String contentType) {
        return set(new Property(PropertyId.CONTENT_TYPE, contentType));
    }

    public MqttMessageBuilder responseTopic(String responseTopic) {
        return set(new Property(PropertyId.RESPONSE_TOPIC, responseTopic));
    }

    public MqttMessageBuilder correlationData(byte[] correlationData) {
        return set(new Property(PropertyId.CORRELATION_DATA, Bytes.of(correlationData.clone())));
    }

    /** A user property; a name may repeat, and the order is kept. */
    public MqttMessageBuilder userProperty(String name, String value) {
        properties.add(Property.user(name, value));
        return this;
    }

    /** Will Delay Interval, for a will message only: how long the server waits before publishing it. */
    public MqttMessageBuilder willDelay(Duration delay) {
        return set(PropertyId.WILL_DELAY_INTERVAL, seconds(delay, "will delay"));
    }

    /** Any other property a PUBLISH (or a will) may carry; replaces one with the same identifier. */
    public MqttMessageBuilder property(Property property) {
        if (property.id() == PropertyId.USER_PROPERTY) {
            properties.add(property);
            return this;
        }
        return set(property);
    }

    public MqttMessage build() {
        return new MqttMessage(topic, payload, qos, retain, false, new Properties(List.copyOf(properties)));
    }

    private MqttMessageBuilder set(PropertyId id, long value) {
        return set(new Property(id, value));
    }

    private MqttMessageBuilder set(Property property) {
        properties.removeIf(p -> p.id() == property.id());
        properties.add(property);
        return this;
    }

    private static long seconds(Duration d, String what) {
        if (d.isNegative() || d.toSeconds() > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(what + " is 0 to 4294967295 seconds, not " + d);
        }
        return d.toSeconds();
    }
}
