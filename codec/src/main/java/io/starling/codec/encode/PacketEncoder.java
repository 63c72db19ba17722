package io.starling.codec.encode;

import static io.starling.codec.encode.Primitives.stringSize;
import static io.starling.codec.encode.Primitives.writeBinary;
import static io.starling.codec.encode.Primitives.writeString;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.PublishAck;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.VariableByteInteger;

/**
 * Encodes packets for one protocol version (a CONNECT always in the version it names). Sizes are
 * computed exactly first, so a packet is written with one allocation of its exact size. A
 * PUBLISH whose payload is at least {@link #ZERO_COPY_THRESHOLD} bytes is not copied: its header
 * goes in a small buffer that is composed with a retained duplicate of the payload.
 *
 * <p>Encoding for 3.1 and 3.1.1 leaves out what those versions cannot carry: properties, the
 * options of a subscription beyond its QoS, the reason codes of acknowledgements and of
 * DISCONNECT. CONNACK and SUBACK codes become the nearest 3.1.1 return code. AUTH does not exist
 * before 5.0 and is refused.
 *
 * <p>Stateless and thread-safe.
 */
public final class PacketEncoder {
    /** Payloads this large are shared with the output rather than copied into it. */
    public static final int ZERO_COPY_THRESHOLD = 512;

    private final MqttVersion version;
    private final boolean v5;

    public PacketEncoder(MqttVersion version) {
        this.version = version;
        this.v5 = version.isV5();
    }

    public MqttVersion version() {
        return version;
    }

    /** The number of bytes {@code packet} takes on the wire, fixed header included. */
    public int encodedSize(Packet packet) {
        int remaining = remainingLength(packet);
        return 1 + VariableByteInteger.size(remaining) + remaining;
    }

    /**
     * Encodes {@code packet} into a new buffer from {@code alloc}: one buffer of exactly the
     * packet's size, or for a large PUBLISH payload a composite of the header and a retained
     * duplicate of the payload. The caller owns (and releases or writes) the result.
     */
    public ByteBuf encode(ByteBufAllocator alloc, Packet packet) {
        int remaining = remainingLength(packet);
        int size = 1 + VariableByteInteger.size(remaining) + remaining;
        if (packet instanceof Publish p && p.payload().readableBytes() >= ZERO_COPY_THRESHOLD) {
            int headerSize = size - p.payload().readableBytes();
            ByteBuf header = alloc.buffer(headerSize, headerSize);
            writeFixedHeader(header, packet, remaining);
            writePublishHeader(header, p);
            CompositeByteBuf composite = alloc.compositeBuffer(2);
            composite.addComponents(true, header, p.payload().retainedDuplicate());
            return composite;
        }
        ByteBuf out = alloc.buffer(size, size);
        writeFixedHeader(out, packet, remaining);
        writeBody(out, packet);
        return out;
    }

    /** Writes {@code packet} at the writer index of {@code out}, copying any payload. */
    public void encode(Packet packet, ByteBuf out) {
        writeFixedHeader(out, packet, remainingLength(packet));
        writeBody(out, packet);
    }

    /**
     * Copies a payload: from its array when it has one, which pooled buffers copy without the
     * temporary NIO views that a buffer-to-buffer copy allocates (measured: a quarter of the
     * broker's allocations in a fan-in run).
     */
    private static void writePayload(ByteBuf out, ByteBuf payload) {
        if (payload.hasArray()) {
            out.writeBytes(payload.array(), payload.arrayOffset() + payload.readerIndex(), payload.readableBytes());
        } else {
            out.writeBytes(payload, payload.readerIndex(), payload.readableBytes());
        }
    }

    private void writeFixedHeader(ByteBuf out, Packet packet, int remaining) {
        int flags = packet instanceof Publish p
                ? (p.dup() ? 0x08 : 0) | p.qos().value() << 1 | (p.retained() ? 0x01 : 0)
                : packet.type().fixedFlags();
        out.writeByte(packet.type().value() << 4 | flags);
        VariableByteInteger.write(out, remaining);
    }

    private int remainingLength(Packet packet) {
        return switch (packet.type()) {
            case CONNECT -> connectSize((Connect) packet);
            case CONNACK -> 2 + propertiesSize(((ConnAck) packet).properties());
            case PUBLISH -> publishHeaderSize((Publish) packet) + ((Publish) packet).payload().readableBytes();
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> ackSize((PublishAck) packet);
            case SUBSCRIBE -> {
                Subscribe s = ((Subscribe) packet);
                int size = 2 + propertiesSize(s.properties());
                for (Subscription sub : s.subscriptions()) {
                    size += stringSize(sub.topicFilter()) + 1;
                }
                yield size;
            }
            case SUBACK -> 2 + propertiesSize(((SubAck) packet).properties()) + ((SubAck) packet).reasonCodes().size();
            case UNSUBSCRIBE -> {
                Unsubscribe u = ((Unsubscribe) packet);
                int size = 2 + propertiesSize(u.properties());
                for (String filter : u.topicFilters()) {
                    size += stringSize(filter);
                }
                yield size;
            }
            case UNSUBACK -> {
                UnsubAck u = (UnsubAck) packet;
                if (v5 && u.reasonCodes().isEmpty()) {
                    throw new IllegalArgumentException("a 5.0 UNSUBACK has one reason code per topic filter (§3.11.3)");
                }
                yield v5 ? 2 + propertiesSize(u.properties()) + u.reasonCodes().size() : 2;
            }
            case PINGREQ -> 0;
            case PINGRESP -> 0;
            case DISCONNECT -> v5 ? reasonAndPropertiesSize(((Disconnect) packet).reasonCode(), ((Disconnect) packet).properties()) : 0;
            case AUTH -> {
                Auth a = ((Auth) packet);
                requireV5(a);
                yield reasonAndPropertiesSize(a.reasonCode(), a.properties());
            }
        };
    }

    private void writeBody(ByteBuf out, Packet packet) {
        switch (packet.type()) {
            case CONNECT -> writeConnect(out, (Connect) packet);
            case CONNACK -> {
                ConnAck c = ((ConnAck) packet);
                out.writeByte(c.sessionPresent() && version != MqttVersion.V3_1 ? 1 : 0);
                out.writeByte(v5 ? c.reasonCode().value() : c.reasonCode().v3ConnectReturnCode());
                writeProperties(out, c.properties());
            }
            case PUBLISH -> {
                Publish p = (Publish) packet;
                writePublishHeader(out, p);
                writePayload(out, p.payload());
            }
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> writeAck(out, (PublishAck) packet);
            case SUBSCRIBE -> {
                Subscribe s = ((Subscribe) packet);
                out.writeShort(s.packetId());
                writeProperties(out, s.properties());
                for (Subscription sub : s.subscriptions()) {
                    writeString(out, sub.topicFilter());
                    out.writeByte(subscriptionOptions(sub));
                }
            }
            case SUBACK -> {
                SubAck s = ((SubAck) packet);
                out.writeShort(s.packetId());
                writeProperties(out, s.properties());
                for (ReasonCode code : s.reasonCodes()) {
                    out.writeByte(v5 || !code.isError() ? code.value() : 0x80);
                }
            }
            case UNSUBSCRIBE -> {
                Unsubscribe u = ((Unsubscribe) packet);
                out.writeShort(u.packetId());
                writeProperties(out, u.properties());
                for (String filter : u.topicFilters()) {
                    writeString(out, filter);
                }
            }
            case UNSUBACK -> {
                UnsubAck u = ((UnsubAck) packet);
                out.writeShort(u.packetId());
                if (v5) {
                    writeProperties(out, u.properties());
                    for (ReasonCode code : u.reasonCodes()) {
                        out.writeByte(code.value());
                    }
                }
            }
            case PINGREQ -> { }
            case PINGRESP -> { }
            case DISCONNECT -> {
                Disconnect d = ((Disconnect) packet);
                if (v5) {
                    writeReasonAndProperties(out, d.reasonCode(), d.properties());
                }
            }
            case AUTH -> writeReasonAndProperties(out, ((Auth) packet).reasonCode(), ((Auth) packet).properties());
        }
    }

    private static int connectSize(Connect c) {
        boolean v5 = c.version().isV5();
        int size = stringSize(c.version().protocolName()) + 1 + 1 + 2;
        if (v5) {
            size += PropertiesEncoder.size(c.properties());
        }
        size += stringSize(c.clientId());
        Will will = c.will();
        if (will != null) {
            if (v5) {
                size += PropertiesEncoder.size(will.properties());
            }
            size += stringSize(will.topic()) + 2 + will.payload().length();
        }
        if (c.username() != null) {
            size += stringSize(c.username());
        }
        if (c.password() != null) {
            size += 2 + c.password().length();
        }
        return size;
    }

    private static void writeConnect(ByteBuf out, Connect c) {
        boolean v5 = c.version().isV5();
        writeString(out, c.version().protocolName());
        out.writeByte(c.version().level());
        Will will = c.will();
        int flags = (c.cleanStart() ? 0x02 : 0)
                | (will != null ? 0x04 | will.qos().value() << 3 | (will.retained() ? 0x20 : 0) : 0)
                | (c.password() != null ? 0x40 : 0)
                | (c.username() != null ? 0x80 : 0);
        out.writeByte(flags);
        out.writeShort(c.keepAlive());
        if (v5) {
            PropertiesEncoder.write(out, c.properties());
        }
        writeString(out, c.clientId());
        if (will != null) {
            if (v5) {
                PropertiesEncoder.write(out, will.properties());
            }
            writeString(out, will.topic());
            writeBinary(out, will.payload());
        }
        if (c.username() != null) {
            writeString(out, c.username());
        }
        if (c.password() != null) {
            writeBinary(out, c.password());
        }
    }

    private int publishHeaderSize(Publish p) {
        return stringSize(p.topic()) + (p.qos() == QoS.AT_MOST_ONCE ? 0 : 2) + propertiesSize(p.properties());
    }

    private void writePublishHeader(ByteBuf out, Publish p) {
        writeString(out, p.topic());
        if (p.qos() != QoS.AT_MOST_ONCE) {
            out.writeShort(p.packetId());
        }
        writeProperties(out, p.properties());
    }

    private int subscriptionOptions(Subscription sub) {
        int options = sub.qos().value();
        if (v5) {
            options |= (sub.noLocal() ? 0x04 : 0) | (sub.retainAsPublished() ? 0x08 : 0) | sub.retainHandling().value() << 4;
        }
        return options;
    }

    /** PUBACK, PUBREC, PUBREL and PUBCOMP: 5.0 leaves out a Success code and empty properties. */
    private int ackSize(PublishAck ack) {
        if (!v5) {
            return 2;
        }
        return 2 + reasonAndPropertiesSize(ack.reasonCode(), ack.properties());
    }

    private void writeAck(ByteBuf out, PublishAck ack) {
        out.writeShort(ack.packetId());
        if (v5) {
            writeReasonAndProperties(out, ack.reasonCode(), ack.properties());
        }
    }

    /**
     * The reason code and properties of the acknowledgements, DISCONNECT and AUTH: 5.0 leaves
     * out empty properties, and a 0x00 code when the properties are empty too.
     */
    private static int reasonAndPropertiesSize(ReasonCode code, Properties properties) {
        if (code.value() == 0 && properties.isEmpty()) {
            return 0;
        }
        return 1 + (properties.isEmpty() ? 0 : PropertiesEncoder.size(properties));
    }

    private static void writeReasonAndProperties(ByteBuf out, ReasonCode code, Properties properties) {
        if (code.value() != 0 || !properties.isEmpty()) {
            out.writeByte(code.value());
            if (!properties.isEmpty()) {
                PropertiesEncoder.write(out, properties);
            }
        }
    }

    private int propertiesSize(Properties properties) {
        return v5 ? PropertiesEncoder.size(properties) : 0;
    }

    private void writeProperties(ByteBuf out, Properties properties) {
        if (v5) {
            PropertiesEncoder.write(out, properties);
        }
    }

    private void requireV5(Packet packet) {
        if (!v5) {
            throw new IllegalArgumentException(packet.type() + " exists only in MQTT 5.0, not " + version);
        }
    }
}
