package io.starling.codec;

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
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of valid packets for each protocol version: every field within the range its
 * version allows, so that every generated packet must survive an encode and decode unchanged.
 * A packet is generated together with the side that sends it, because a few rules differ by
 * direction (a server's PUBLISH may carry Subscription Identifiers, a client's may not).
 */
public final class PacketArbitraries {
    private PacketArbitraries() {}

    /** A packet and whether a client (true) or a server (false) sends it. */
    public record Sent(Packet packet, boolean fromClient) {
        @Override
        public String toString() {
            return (fromClient ? "client sends " : "server sends ") + packet;
        }
    }

    /** Any packet of {@code version} from either side. */
    public static Arbitrary<Sent> sent(MqttVersion version) {
        List<Arbitrary<Sent>> choices = new ArrayList<>(List.of(
                connect(version).map(p -> new Sent(p, true)),
                connAck(version).map(p -> new Sent(p, false)),
                publish(version, true).map(p -> new Sent(p, true)),
                publish(version, false).map(p -> new Sent(p, false)),
                publishAck(version).flatMap(p -> Arbitraries.of(true, false).map(c -> new Sent(p, c))),
                subscribe(version).map(p -> new Sent(p, true)),
                subAck(version).map(p -> new Sent(p, false)),
                unsubscribe(version).map(p -> new Sent(p, true)),
                unsubAck(version).map(p -> new Sent(p, false)),
                Arbitraries.just(new Sent(PingReq.INSTANCE, true)),
                Arbitraries.just(new Sent(PingResp.INSTANCE, false)),
                disconnect(version).map(p -> new Sent(p, true))));
        if (version.isV5()) {
            // only a 5.0 server sends DISCONNECT (§3.14)
            choices.add(disconnect(version).map(p -> new Sent(p, false)));
        }
        if (version.isV5()) {
            choices.add(auth().flatMap(p -> Arbitraries.of(true, false).map(c -> new Sent(p, c))));
        }
        return Arbitraries.oneOf(choices);
    }

    // ---- primitives ----

    /** Valid MQTT strings: no U+0000, no lone surrogates; sometimes a supplementary character. */
    public static Arbitrary<String> strings(int maxLength) {
        Arbitrary<String> bmp = Arbitraries.strings()
                .withCharRange('\u0001', '\u007F')
                .withCharRange('\u0080', '\uD7FF')
                .withCharRange('\uE000', '\uFFFF')
                .ofMaxLength(maxLength);
        Arbitrary<String> ascii = Arbitraries.strings().withCharRange('\u0001', '\u007F').ofMaxLength(maxLength);
        Arbitrary<String> withEmoji = Combinators.combine(ascii, ascii).as((a, b) -> a + "\uD83D\uDE00" + b);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(5, ascii), net.jqwik.api.Tuple.of(3, bmp), net.jqwik.api.Tuple.of(1, withEmoji));
    }

    /** Non-empty topic names without wildcards. */
    public static Arbitrary<String> topicNames() {
        return strings(24).map(s -> s.replace('+', 'p').replace('#', 'h')).filter(s -> !s.isEmpty());
    }

    public static Arbitrary<Bytes> bytes(int maxLength) {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(maxLength).map(Bytes::of);
    }

    static Arbitrary<Integer> packetIds() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.of(1, 0xFFFF)),
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(1, 0xFFFF)));
    }

    static Arbitrary<QoS> qos() {
        return Arbitraries.of(QoS.class);
    }

    // ---- properties ----

    /** Valid properties for a packet type (or a will), in random order, constraints respected. */
    public static Arbitrary<Properties> properties(PacketType type, boolean will, boolean fromClient) {
        List<PropertyId> allowed = Arrays.stream(PropertyId.values())
                .filter(id -> will ? id.isAllowedInWill() : id.isAllowedIn(type))
                .filter(id -> id != PropertyId.USER_PROPERTY)
                .filter(id -> !(id == PropertyId.SUBSCRIPTION_IDENTIFIER && type == PacketType.PUBLISH && fromClient))
                .toList();
        Arbitrary<List<Property>> singles = Arbitraries.subsetOf(allowed)
                .flatMap(ids -> Combinators.combine(ids.stream().map(PacketArbitraries::value).toList())
                        .as(list -> list));
        Arbitrary<List<Property>> users = Combinators.combine(strings(8), strings(8))
                .as(Property::user).list().ofMaxSize(3);
        Arbitrary<List<Property>> extraSubscriptionIds = type == PacketType.PUBLISH && !fromClient && !will
                ? subscriptionIdentifier().list().ofMaxSize(2)
                : Arbitraries.just(List.of());
        return Combinators.combine(singles, users, extraSubscriptionIds, Arbitraries.randoms())
                .as((a, b, c, random) -> {
                    List<Property> all = new ArrayList<>(a);
                    all.addAll(b);
                    all.addAll(c);
                    boolean hasData = all.stream().anyMatch(p -> p.id() == PropertyId.AUTHENTICATION_DATA);
                    boolean hasMethod = all.stream().anyMatch(p -> p.id() == PropertyId.AUTHENTICATION_METHOD);
                    if (hasData && !hasMethod) {
                        all.add(Property.of(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-1"));
                    }
                    java.util.Collections.shuffle(all, random);
                    return new Properties(all);
                });
    }

    private static Arbitrary<Property> subscriptionIdentifier() {
        return Arbitraries.integers().between(1, 268_435_455)
                .map(n -> Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, n));
    }

    private static Arbitrary<Property> value(PropertyId id) {
        return switch (id) {
            case PAYLOAD_FORMAT_INDICATOR, REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION,
                    MAXIMUM_QOS, RETAIN_AVAILABLE, WILDCARD_SUBSCRIPTION_AVAILABLE,
                    SUBSCRIPTION_IDENTIFIER_AVAILABLE, SHARED_SUBSCRIPTION_AVAILABLE ->
                    Arbitraries.of(0L, 1L).map(v -> Property.of(id, v));
            case RECEIVE_MAXIMUM, TOPIC_ALIAS ->
                    Arbitraries.longs().between(1, 0xFFFF).map(v -> Property.of(id, v));
            case MAXIMUM_PACKET_SIZE ->
                    Arbitraries.longs().between(1, 0xFFFF_FFFFL).map(v -> Property.of(id, v));
            case SUBSCRIPTION_IDENTIFIER -> subscriptionIdentifier();
            case RESPONSE_TOPIC -> topicNames().map(t -> Property.of(id, t));
            default -> switch (id.type()) {
                case BYTE, TWO_BYTE_INTEGER, FOUR_BYTE_INTEGER, VARIABLE_BYTE_INTEGER ->
                        Arbitraries.longs().between(0, id.type().maxValue()).map(v -> Property.of(id, v));
                case UTF8_STRING -> strings(16).map(s -> Property.of(id, s));
                case BINARY_DATA -> bytes(16).map(b -> Property.of(id, b));
                case UTF8_STRING_PAIR -> Combinators.combine(strings(8), strings(8))
                        .as((n, v) -> new Property(id, new UserProperty(n, v)));
            };
        };
    }

    private static Arbitrary<Properties> propertiesFor(MqttVersion version, PacketType type, boolean fromClient) {
        return version.isV5() ? properties(type, false, fromClient) : Arbitraries.just(Properties.EMPTY);
    }

    // ---- packets ----

    public static Arbitrary<Connect> connect(MqttVersion version) {
        Arbitrary<Will> will = Combinators.combine(topicNames(), bytes(64), qos(), Arbitraries.of(true, false),
                        version.isV5() ? properties(PacketType.CONNECT, true, true) : Arbitraries.just(Properties.EMPTY))
                .as(Will::new);
        Arbitrary<String> username = strings(16).injectNull(0.3);
        Arbitrary<Bytes> password = bytes(16).injectNull(0.3);
        return Combinators.combine(strings(30), Arbitraries.of(true, false), Arbitraries.integers().between(0, 0xFFFF),
                        username, password, will.injectNull(0.4), propertiesFor(version, PacketType.CONNECT, true))
                .as((id, clean, keepAlive, user, pass, w, props) -> new Connect(version, id, clean, keepAlive, user,
                        version.isV5() || user != null ? pass : null, w, props));
    }

    public static Arbitrary<ConnAck> connAck(MqttVersion version) {
        Arbitrary<ReasonCode> codes = version.isV5()
                ? Arbitraries.of(Arrays.stream(ReasonCode.values()).filter(c -> c.isAllowedIn(PacketType.CONNACK)).toList())
                : Arbitraries.integers().between(0, 5).map(ReasonCode::ofV3ConnectReturnCode);
        return Combinators.combine(Arbitraries.of(true, false), codes, propertiesFor(version, PacketType.CONNACK, false))
                .as((present, code, props) -> new ConnAck(
                        present && !code.isError() && version != MqttVersion.V3_1, code, props));
    }

    public static Arbitrary<Publish> publish(MqttVersion version, boolean fromClient) {
        Arbitrary<byte[]> payload = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(500).ofMaxSize(2000)));
        return Combinators.combine(topicNames(), qos(), Arbitraries.of(true, false), Arbitraries.of(true, false),
                        packetIds(), propertiesFor(version, PacketType.PUBLISH, fromClient), payload)
                .as((topic, qos, dup, retained, id, props, body) -> {
                    boolean qos0 = qos == QoS.AT_MOST_ONCE;
                    // 5.0: a topic alias may stand in for the topic name
                    String name = props.contains(PropertyId.TOPIC_ALIAS) && body.length % 2 == 0 ? "" : topic;
                    return new Publish(name, qos, dup && !qos0, retained, qos0 ? 0 : id, props, Unpooled.wrappedBuffer(body));
                });
    }

    public static Arbitrary<Packet> publishAck(MqttVersion version) {
        return Arbitraries.of(PacketType.PUBACK, PacketType.PUBREC, PacketType.PUBREL, PacketType.PUBCOMP)
                .flatMap(type -> {
                    Arbitrary<ReasonCode> codes = version.isV5()
                            ? Arbitraries.of(Arrays.stream(ReasonCode.values()).filter(c -> c.isAllowedIn(type)).toList())
                            : Arbitraries.just(ReasonCode.SUCCESS);
                    return Combinators.combine(packetIds(), codes, propertiesFor(version, type, true))
                            .as((id, code, props) -> (Packet) switch (type) {
                                case PUBACK -> new PubAck(id, code, props);
                                case PUBREC -> new PubRec(id, code, props);
                                case PUBREL -> new PubRel(id, code, props);
                                default -> new PubComp(id, code, props);
                            });
                });
    }

    public static Arbitrary<Subscribe> subscribe(MqttVersion version) {
        Arbitrary<Subscription> subscription = version.isV5()
                ? Combinators.combine(strings(24), qos(), Arbitraries.of(true, false), Arbitraries.of(true, false),
                                Arbitraries.of(RetainHandling.class))
                        .as((filter, qos, noLocal, rap, rh) ->
                                new Subscription(filter, qos, noLocal && !filter.startsWith("$share/"), rap, rh))
                : Combinators.combine(strings(24), qos()).as(Subscription::new);
        return Combinators.combine(packetIds(), subscription.list().ofMinSize(1).ofMaxSize(5),
                        propertiesFor(version, PacketType.SUBSCRIBE, true))
                .as(Subscribe::new);
    }

    public static Arbitrary<SubAck> subAck(MqttVersion version) {
        Arbitrary<ReasonCode> codes = version.isV5()
                ? Arbitraries.of(Arrays.stream(ReasonCode.values()).filter(c -> c.isAllowedIn(PacketType.SUBACK)).toList())
                : Arbitraries.of(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_2,
                        ReasonCode.UNSPECIFIED_ERROR);
        return Combinators.combine(packetIds(), codes.list().ofMinSize(1).ofMaxSize(5),
                        propertiesFor(version, PacketType.SUBACK, false))
                .as(SubAck::new);
    }

    public static Arbitrary<Unsubscribe> unsubscribe(MqttVersion version) {
        return Combinators.combine(packetIds(), strings(24).list().ofMinSize(1).ofMaxSize(5),
                        propertiesFor(version, PacketType.UNSUBSCRIBE, true))
                .as(Unsubscribe::new);
    }

    public static Arbitrary<UnsubAck> unsubAck(MqttVersion version) {
        if (!version.isV5()) {
            return packetIds().map(UnsubAck::new);
        }
        Arbitrary<ReasonCode> codes = Arbitraries.of(
                Arrays.stream(ReasonCode.values()).filter(c -> c.isAllowedIn(PacketType.UNSUBACK)).toList());
        return Combinators.combine(packetIds(), codes.list().ofMinSize(1).ofMaxSize(5),
                        properties(PacketType.UNSUBACK, false, false))
                .as(UnsubAck::new);
    }

    public static Arbitrary<Disconnect> disconnect(MqttVersion version) {
        if (!version.isV5()) {
            return Arbitraries.just(Disconnect.NORMAL);
        }
        return Combinators.combine(
                        Arbitraries.of(Arrays.stream(ReasonCode.values()).filter(c -> c.isAllowedIn(PacketType.DISCONNECT)).toList()),
                        properties(PacketType.DISCONNECT, false, true))
                .as(Disconnect::new);
    }

    /** AUTH carries an Authentication Method, except the bare Success AUTH of length 0 (§3.15.2.2.2). */
    public static Arbitrary<Auth> auth() {
        Arbitrary<Auth> withMethod = Combinators.combine(
                        Arbitraries.of(ReasonCode.SUCCESS, ReasonCode.CONTINUE_AUTHENTICATION, ReasonCode.RE_AUTHENTICATE),
                        strings(20),
                        properties(PacketType.AUTH, false, true))
                .as((code, method, props) -> {
                    List<Property> all = new ArrayList<>();
                    all.add(Property.of(PropertyId.AUTHENTICATION_METHOD, method));
                    props.all().stream().filter(p -> p.id() != PropertyId.AUTHENTICATION_METHOD).forEach(all::add);
                    return new Auth(code, new Properties(all));
                });
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(new Auth(ReasonCode.SUCCESS, Properties.EMPTY))),
                Tuple.of(9, withMethod));
    }
}
