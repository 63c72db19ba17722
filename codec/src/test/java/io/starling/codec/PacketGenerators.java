package io.starling.codec;

import static org.quicktheories.generators.SourceDSL.lists;

import io.netty.buffer.Unpooled;
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Generators of valid packets for each protocol version: every field within the range its
 * version allows, so that every generated packet must survive an encode and decode unchanged.
 * A packet is generated together with the side that sends it, because a few rules differ by
 * direction (a server's PUBLISH may carry Subscription Identifiers, a client's may not).
 * <p>
 * Everything here is built from QuickTheories' own generators and combinators ({@code map},
 * {@code zip}, {@code flatMap}, lists, ranges), which draw all their randomness from the source
 * QuickTheories records, so a falsified example shrinks field by field.
 */
public final class PacketGenerators {
    private PacketGenerators() {}

    /** A packet and whether a client (true) or a server (false) sends it. */
    public record Sent(Packet packet, boolean fromClient) {
        @Override
        public String toString() {
            return (fromClient ? "client sends " : "server sends ") + packet;
        }
    }

    /** Any packet of {@code version} from either side. */
    public static Gen<Sent> sent(MqttVersion version) {
        List<Gen<Sent>> choices = new ArrayList<>(List.of(
                connect(version).map(p -> new Sent(p, true)),
                connAck(version).map(p -> new Sent(p, false)),
                publish(version, true).map(p -> new Sent(p, true)),
                publish(version, false).map(p -> new Sent(p, false)),
                publishAck(version).zip(booleans(), Sent::new),
                subscribe(version).map(p -> new Sent(p, true)),
                subAck(version).map(p -> new Sent(p, false)),
                unsubscribe(version).map(p -> new Sent(p, true)),
                unsubAck(version).map(p -> new Sent(p, false)),
                Generate.constant(new Sent(PingReq.INSTANCE, true)),
                Generate.constant(new Sent(PingResp.INSTANCE, false)),
                disconnect(version).map(p -> new Sent(p, true))));
        if (version.isV5()) {
            // only a 5.0 server sends DISCONNECT (§3.14)
            choices.add(disconnect(version).map(p -> new Sent(p, false)));
        }
        if (version.isV5()) {
            choices.add(auth().zip(booleans(), Sent::new));
        }
        return oneOf(choices);
    }

    // ---- combinators ----

    /** One of {@code choices}, equally likely; shrinks towards the first. */
    public static <T> Gen<T> oneOf(List<Gen<T>> choices) {
        List<Gen<T>> copy = List.copyOf(choices);
        return Generate.range(0, copy.size() - 1).flatMap(copy::get);
    }

    public static Gen<Boolean> booleans() {
        return Generate.booleans();
    }

    /** One value from each generator, in order. */
    public static <T> Gen<List<T>> each(List<Gen<T>> gens) {
        Gen<List<T>> all = Generate.constant(List.of());
        for (Gen<T> gen : gens) {
            all = all.zip(gen, (list, t) -> {
                List<T> more = new ArrayList<>(list);
                more.add(t);
                return more;
            });
        }
        return all;
    }

    /** {@code items} in a random order; shrinks towards their given order. */
    public static <T> Gen<List<T>> shuffled(List<T> items) {
        // Fisher-Yates: position i swaps with a drawn j in 0..i, and j = i (no swap) is the shrink target
        List<Gen<Integer>> swaps = new ArrayList<>();
        for (int i = items.size() - 1; i > 0; i--) {
            swaps.add(Generate.range(0, i, i));
        }
        return each(swaps).map(js -> {
            List<T> out = new ArrayList<>(items);
            int i = items.size() - 1;
            for (int j : js) {
                Collections.swap(out, i--, j);
            }
            return out;
        });
    }

    /**
     * Empty {@code percent} times in a hundred; shrinks towards empty. The choice is drawn before
     * the value, so a shrink step can drop the value (and its draws) in one go.
     */
    public static <T> Gen<Optional<T>> optionals(Gen<T> gen, int percent) {
        return Generate.range(0, 99).flatMap(r -> {
            Gen<Optional<T>> chosen = r < percent ? Generate.constant(Optional.empty()) : gen.map(Optional::of);
            return chosen;
        });
    }

    /** Null {@code percent} times in a hundred; shrinks towards null. */
    public static <T> Gen<@Nullable T> orNull(Gen<T> gen, int percent) {
        return optionals(gen, percent).map(o -> o.orElse(null));
    }

    /** From {@code min} to {@code max}, and one time in ten one of the ends; shrinks towards {@code min}. */
    public static Gen<Long> longs(long min, long max) {
        return Generate.frequency(
                Pair.of(9, Generate.longRange(min, max, min)),
                Pair.of(1, Generate.pick(List.of(min, max))));
    }

    // ---- primitives ----

    private static final Gen<Character> ASCII = Generate.range(0x01, 0x7F, 'a').map(i -> (char) i.intValue());

    /**
     * Any UTF-16 code unit but U+0000 and the surrogates, U+0001 to U+D7FF and U+E000 to U+FFFF;
     * one time in ten a char at an end of those ranges or of a UTF-8 encoded length.
     */
    private static final Gen<Character> BMP = Generate.frequency(
            Pair.of(9, Generate.range(0x0001, 0xFFFF - 0x0800, 'a').map(i -> (char) (i < 0xD800 ? i : i + 0x0800))),
            Pair.of(1, Generate.pick(List.of(
                    '\u0001', '\u007F', '\u0080', '\u07FF', '\u0800', '\uD7FF', '\uE000', '\uFFFF'))));

    private static Gen<String> text(Gen<Character> chars, int minLength, int maxLength) {
        return lists().of(chars).ofSizeBetween(minLength, maxLength).map(cs -> {
            StringBuilder s = new StringBuilder(cs.size());
            cs.forEach(s::append);
            return s.toString();
        });
    }

    /** Valid MQTT strings: no U+0000, no lone surrogates; sometimes a supplementary character. */
    public static Gen<String> strings(int maxLength) {
        return strings(0, maxLength);
    }

    private static Gen<String> strings(int minLength, int maxLength) {
        Gen<String> ascii = text(ASCII, minLength, maxLength);
        Gen<String> bmp = text(BMP, minLength, maxLength);
        Gen<String> withEmoji = text(ASCII, 0, maxLength).zip(text(ASCII, 0, maxLength), (a, b) -> a + "\uD83D\uDE00" + b);
        return Generate.frequency(Pair.of(5, ascii), Pair.of(3, bmp), Pair.of(1, withEmoji));
    }

    /** Non-empty topic names without wildcards. */
    public static Gen<String> topicNames() {
        return strings(1, 24).map(s -> s.replace('+', 'p').replace('#', 'h'));
    }

    /** Byte arrays of 0 to {@code maxLength} bytes, shown as a list of numbers. */
    public static Gen<byte[]> byteArrays(int minLength, int maxLength) {
        return Generate.byteArrays(Generate.range(minLength, maxLength),
                Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0));
    }

    public static Gen<Bytes> bytes(int maxLength) {
        return byteArrays(0, maxLength).map(b -> Bytes.of(b));
    }

    static Gen<Integer> packetIds() {
        return Generate.frequency(Pair.of(1, Generate.pick(List.of(1, 0xFFFF))), Pair.of(4, Generate.range(1, 0xFFFF)));
    }

    static Gen<QoS> qos() {
        return Generate.enumValues(QoS.class);
    }

    private static Gen<ReasonCode> reasonCodesOf(PacketType type) {
        return Generate.pick(Arrays.stream(ReasonCode.values()).filter(c -> c.isAllowedIn(type)).toList());
    }

    // ---- properties ----

    /** Valid properties for a packet type (or a will), in random order, constraints respected. */
    public static Gen<Properties> properties(PacketType type, boolean will, boolean fromClient) {
        List<PropertyId> allowed = Arrays.stream(PropertyId.values())
                .filter(id -> will ? id.isAllowedInWill() : id.isAllowedIn(type))
                .filter(id -> id != PropertyId.USER_PROPERTY)
                .filter(id -> !(id == PropertyId.SUBSCRIPTION_IDENTIFIER && type == PacketType.PUBLISH && fromClient))
                .toList();
        // a subset of the allowed properties: each one present or not, absent when shrunk
        Gen<List<Property>> singles = each(allowed.stream().map(id -> optionals(value(id), 50)).toList())
                .map(all -> all.stream().flatMap(Optional::stream).toList());
        Gen<List<Property>> users = lists().of(strings(8).zip(strings(8), Property::user)).ofSizeBetween(0, 3);
        Gen<List<Property>> extraSubscriptionIds = type == PacketType.PUBLISH && !fromClient && !will
                ? lists().of(subscriptionIdentifier()).ofSizeBetween(0, 2)
                : Generate.constant(List.of());
        return singles.zip(users, extraSubscriptionIds, (a, b, c) -> {
                    List<Property> all = new ArrayList<>(a);
                    all.addAll(b);
                    all.addAll(c);
                    boolean hasData = all.stream().anyMatch(p -> p.id() == PropertyId.AUTHENTICATION_DATA);
                    boolean hasMethod = all.stream().anyMatch(p -> p.id() == PropertyId.AUTHENTICATION_METHOD);
                    if (hasData && !hasMethod) {
                        all.add(Property.of(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-1"));
                    }
                    return all;
                })
                .flatMap(PacketGenerators::shuffled)
                .map(all -> new Properties(all));
    }

    private static Gen<Property> subscriptionIdentifier() {
        return longs(1, 268_435_455).map(n -> Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, n));
    }

    private static Gen<Property> value(PropertyId id) {
        return switch (id) {
            case PAYLOAD_FORMAT_INDICATOR, REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION,
                    MAXIMUM_QOS, RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTION_AVAILABLE,
                    SUBSCRIPTION_IDENTIFIER_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE ->
                    Generate.pick(List.of(0L, 1L)).map(v -> Property.of(id, v));
            case RECEIVE_MAXIMUM, TOPIC_ALIAS ->
                    longs(1, 0xFFFF).map(v -> Property.of(id, v));
            case MAXIMUM_PACKET_SIZE ->
                    longs(1, 0xFFFF_FFFFL).map(v -> Property.of(id, v));
            case SUBSCRIPTION_IDENTIFIER -> subscriptionIdentifier();
            case RESPONSE_TOPIC -> topicNames().map(t -> Property.of(id, t));
            default -> switch (id.type()) {
                case BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER ->
                        longs(0, id.type().maxValue()).map(v -> Property.of(id, v));
                case UTF8_STRING -> strings(16).map(s -> Property.of(id, s));
                case BINARY_DATA -> bytes(16).map(b -> Property.of(id, b));
                case UTF8_STRING_PAIR -> strings(8).zip(strings(8), (n, v) -> new Property(id, new UserProperty(n, v)));
            };
        };
    }

    private static Gen<Properties> propertiesFor(MqttVersion version, PacketType type, boolean fromClient) {
        return version.isV5() ? properties(type, false, fromClient) : Generate.constant(Properties.EMPTY);
    }

    // ---- packets ----

    /** The user name and password of a CONNECT, either of them absent. */
    private record Login(@Nullable String username, @Nullable Bytes password) {}

    public static Gen<Connect> connect(MqttVersion version) {
        Gen<Will> will = topicNames().zip(bytes(64), qos(), booleans(),
                version.isV5() ? properties(PacketType.CONNECT, true, true) : Generate.constant(Properties.EMPTY),
                Will::new);
        Gen<Login> login = orNull(strings(16), 30).zip(orNull(bytes(16), 30), Login::new);
        return strings(30).zip(booleans(), Generate.range(0, 0xFFFF), login,
                orNull(will, 40).zip(propertiesFor(version, PacketType.CONNECT, true), Pair::of),
                (id, clean, keepAlive, l, rest) -> new Connect(version, id, clean, keepAlive, l.username(),
                        version.isV5() || l.username() != null ? l.password() : null, rest._1, rest._2));
    }

    public static Gen<ConnAck> connAck(MqttVersion version) {
        Gen<ReasonCode> codes = version.isV5()
                ? reasonCodesOf(PacketType.CONNACK)
                : Generate.range(0, 5).map(ReasonCode::ofV3ConnectReturnCode);
        return booleans().zip(codes, propertiesFor(version, PacketType.CONNACK, false),
                (present, code, props) -> new ConnAck(present && !code.isError() && version != MqttVersion.V3_1, code, props));
    }

    public static Gen<Publish> publish(MqttVersion version, boolean fromClient) {
        Gen<byte[]> payload = Generate.frequency(Pair.of(6, byteArrays(0, 64)), Pair.of(1, byteArrays(500, 2000)));
        Gen<Pair<Boolean, Boolean>> dupAndRetained = booleans().zip(booleans(), Pair::of);
        Gen<Pair<Integer, Properties>> idAndProperties =
                packetIds().zip(propertiesFor(version, PacketType.PUBLISH, fromClient), Pair::of);
        return topicNames().zip(qos(), dupAndRetained, idAndProperties, payload, (topic, qos, flags, idProps, body) -> {
            boolean qos0 = qos == QoS.AT_MOST_ONCE;
            boolean dup = flags._1;
            boolean retained = flags._2;
            Properties props = idProps._2;
            // 5.0: a topic alias may stand in for the topic name
            String name = props.contains(PropertyId.TOPIC_ALIAS) && body.length % 2 == 0 ? "" : topic;
            return new Publish(name, qos, dup && !qos0, retained, qos0 ? 0 : idProps._1, props, Unpooled.wrappedBuffer(body));
        });
    }

    public static Gen<Packet> publishAck(MqttVersion version) {
        Gen<PacketType> types =
                Generate.pick(List.of(PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBREL, PacketType.PUBCOMP));
        return types.flatMap(type -> {
            Gen<ReasonCode> codes = version.isV5() ? reasonCodesOf(type) : Generate.constant(ReasonCode.SUCCESS);
            return packetIds().zip(codes, propertiesFor(version, type, true), (id, code, props) -> (Packet) switch (type) {
                case PUBACK -> new PubAck(id, code, props);
                case PUBREC -> new PubRec(id, code, props);
                case PUBREL -> new PubRel(id, code, props);
                default -> new PubComp(id, code, props);
            });
        });
    }

    public static Gen<Subscribe> subscribe(MqttVersion version) {
        Gen<Subscription> subscription = version.isV5()
                ? strings(24).zip(qos(), booleans(), booleans(), Generate.enumValues(RetainHandling.class),
                        (filter, qos, noLocal, rap, rh) ->
                                new Subscription(filter, qos, noLocal && !filter.startsWith("$share/"), rap, rh))
                : strings(24).zip(qos(), Subscription::new);
        return packetIds().zip(lists().of(subscription).ofSizeBetween(1, 5),
                propertiesFor(version, PacketType.SUBSCRIBE, true), Subscribe::new);
    }

    public static Gen<SubAck> subAck(MqttVersion version) {
        Gen<ReasonCode> codes = version.isV5()
                ? reasonCodesOf(PacketType.SUBACK)
                : Generate.pick(List.of(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_2,
                        ReasonCode.UNSPECIFIED_ERROR));
        return packetIds().zip(lists().of(codes).ofSizeBetween(1, 5), propertiesFor(version, PacketType.SUBACK, false),
                SubAck::new);
    }

    public static Gen<Unsubscribe> unsubscribe(MqttVersion version) {
        return packetIds().zip(lists().of(strings(24)).ofSizeBetween(1, 5),
                propertiesFor(version, PacketType.UNSUBSCRIBE, true), Unsubscribe::new);
    }

    public static Gen<UnsubAck> unsubAck(MqttVersion version) {
        if (!version.isV5()) {
            return packetIds().map(id -> new UnsubAck(id));
        }
        return packetIds().zip(lists().of(reasonCodesOf(PacketType.UNSUBACK)).ofSizeBetween(1, 5),
                properties(PacketType.UNSUBACK, false, false), UnsubAck::new);
    }

    public static Gen<Disconnect> disconnect(MqttVersion version) {
        if (!version.isV5()) {
            return Generate.constant(Disconnect.NORMAL);
        }
        return reasonCodesOf(PacketType.DISCONNECT).zip(properties(PacketType.DISCONNECT, false, true), Disconnect::new);
    }

    /** AUTH carries an Authentication Method, except the bare Success AUTH of length 0 (§3.15.2.2.2). */
    public static Gen<Auth> auth() {
        Gen<ReasonCode> codes =
                Generate.pick(List.of(ReasonCode.SUCCESS, ReasonCode.CONTINUE_AUTHENTICATION, ReasonCode.RE_AUTHENTICATE));
        Gen<Auth> withMethod = codes
                .zip(strings(20), properties(PacketType.AUTH, false, true), (code, method, props) -> {
                    List<Property> all = new ArrayList<>();
                    all.add(Property.of(PropertyId.AUTHENTICATION_METHOD, method));
                    props.all().stream().filter(p -> p.id() != PropertyId.AUTHENTICATION_METHOD).forEach(all::add);
                    return new Auth(code, new Properties(all));
                });
        return Generate.frequency(
                Pair.of(1, Generate.constant(new Auth(ReasonCode.SUCCESS, Properties.EMPTY))),
                Pair.of(9, withMethod));
    }
}
