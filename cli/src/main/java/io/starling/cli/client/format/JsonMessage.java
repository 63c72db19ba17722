package io.starling.cli.client.format;

import io.starling.client.MqttMessage;
import io.starling.codec.property.Property;
import java.io.ByteArrayOutputStream;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * -F's {@code %j} and {@code %J}: the message as one JSON object with mosquitto_sub's members, in
 * its order: {@code tst} (the time, {@code 2026-12-07T15:18:17.375153+0000}), {@code topic},
 * {@code qos}, {@code retain}, {@code payloadlen}, {@code mid} (QoS 1 and 2 only), {@code
 * properties} (MQTT 5.0, when the message has any: each by its {@code -D} name, user properties
 * together in a {@code user-properties} object) and {@code payload}: with {@code %j} a string,
 * with {@code %J} the payload's own JSON (an error on standard error if it is not JSON); null
 * when empty.
 */
final class JsonMessage {
    private JsonMessage() {}

    static void write(ReceivedMessage received, ZonedDateTime time, boolean quoted, boolean pretty,
            ByteArrayOutputStream out, Consumer<String> errors) {
        MqttMessage m = received.message();
        List<Json.Member> members = new ArrayList<>();
        members.add(Json.Member.of("tst", Json.Str.of(timestamp(time))));
        members.add(Json.Member.of("topic", Json.Str.of(m.topic())));
        members.add(Json.Member.of("qos", new Json.Num(m.qos().value())));
        members.add(Json.Member.of("retain", new Json.Num(m.retain() ? 1 : 0)));
        members.add(Json.Member.of("payloadlen", new Json.Num(m.payload().length)));
        if (m.qos().value() > 0) {
            members.add(Json.Member.of("mid", new Json.Num(received.packetId())));
        }
        List<Json.Member> properties = properties(received);
        if (!properties.isEmpty()) {
            members.add(Json.Member.of("properties", new Json.Obj(properties)));
        }
        Json payload;
        if (m.payload().length == 0) {
            payload = new Json.Null();
        } else if (quoted) {
            payload = new Json.Str(m.payload());
        } else {
            Json parsed = JsonPayload.parse(m.payload());
            if (parsed == null) {
                errors.accept("Error: Message payload is not valid JSON on topic " + m.topic() + ".");
                return;
            }
            payload = parsed;
        }
        members.add(Json.Member.of("payload", payload));
        Json.print(new Json.Obj(members), pretty, out);
    }

    /** ISO 8601 with microseconds and the offset, as mosquitto_sub 2.0.13 and later print {@code tst}. */
    static String timestamp(ZonedDateTime time) {
        return Strftime.format('F', time) + "T" + Strftime.format('T', time)
                + String.format(Locale.ROOT, ".%06d", time.getNano() / 1000) + Strftime.format('z', time);
    }

    /** The PUBLISH properties in the order they came, user properties gathered where the first one was. */
    private static List<Json.Member> properties(ReceivedMessage received) {
        List<Json.Member> members = new ArrayList<>();
        if (received.topicAlias() != 0) {
            members.add(Json.Member.of("topic-alias", new Json.Num(received.topicAlias())));
        }
        @Nullable List<Json.Member> users = null;
        for (Property p : received.message().properties().all()) {
            String name = p.id().name().toLowerCase(Locale.ROOT).replace('_', '-'); // as -D names it
            switch (p.id()) {
                case PAYLOAD_FORMAT_INDICATOR, MESSAGE_EXPIRY_INTERVAL, SUBSCRIPTION_IDENTIFIER ->
                        members.add(Json.Member.of(name, new Json.Num(p.longValue())));
                case CONTENT_TYPE, RESPONSE_TOPIC -> members.add(Json.Member.of(name, Json.Str.of(p.stringValue())));
                case CORRELATION_DATA -> members.add(Json.Member.of(name, new Json.Str(p.bytesValue().toArray())));
                case USER_PROPERTY -> {
                    if (users == null) {
                        users = new ArrayList<>();
                        members.add(Json.Member.of("user-properties", new Json.Obj(users)));
                    }
                    users.add(Json.Member.of(p.userProperty().name(), Json.Str.of(p.userProperty().value())));
                }
                default -> {
                    // not a property a PUBLISH carries to a client
                }
            }
        }
        return members;
    }
}
