package io.starling.codec.decode;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import io.starling.codec.wire.VariableByteInteger;
import org.jspecify.annotations.Nullable;

/**
 * The streaming decoder of one connection. {@link #decode(ByteBuf)} frames exactly one packet at
 * a time: it waits for the whole fixed header, checks the type, its flags, which side may send
 * it and the maximum packet size before any of the body has to be buffered, then waits for the
 * body and hands it to the decoder of that packet type as an exact slice. Every broken rule is a
 * {@link PacketDecodeException}; after one, the decoder refuses further input, as the connection
 * is to be closed.
 *
 * <p>A server-side decoder learns the protocol version from the CONNECT; a client-side decoder
 * is told it. The decoder allocates no buffers: a PUBLISH payload is a retained slice of the
 * input, so the input's memory lives until the packet is released.
 *
 * <p>Not thread-safe: one decoder belongs to one connection's I/O thread.
 */
public final class PacketDecoder {
    /** The largest packet MQTT can describe: 1 type byte, 4 length bytes, 268,435,455 more. */
    public static final int MAX_PACKET_SIZE = 1 + VariableByteInteger.MAX_BYTES + VariableByteInteger.MAX_VALUE;

    /** Which end of the connection this decoder reads for. */
    public enum Role {
        /** Reads what a client sends. */
        SERVER,
        /** Reads what a server sends. */
        CLIENT
    }

    private final Role role;
    private int maxPacketSize;
    private @Nullable MqttVersion version;
    private boolean handshakeSeen;
    private boolean failed;

    private PacketDecoder(Role role, @Nullable MqttVersion version, int maxPacketSize) {
        this.role = role;
        this.version = version;
        maxPacketSize(maxPacketSize);
    }

    /** A decoder for the packets a client sends; the first must be CONNECT. */
    public static PacketDecoder forServer(int maxPacketSize) {
        return new PacketDecoder(Role.SERVER, null, maxPacketSize);
    }

    /** A decoder for the packets a server sends to a client that connected with {@code version}. */
    public static PacketDecoder forClient(MqttVersion version, int maxPacketSize) {
        return new PacketDecoder(Role.CLIENT, version, maxPacketSize);
    }

    public Role role() {
        return role;
    }

    /** The protocol version, or null on the server side before a CONNECT's protocol level was read. */
    public @Nullable MqttVersion version() {
        return version;
    }

    public int maxPacketSize() {
        return maxPacketSize;
    }

    /** Changes the largest packet accepted, counting the fixed header. */
    public void maxPacketSize(int maxPacketSize) {
        if (maxPacketSize < 2 || maxPacketSize > MAX_PACKET_SIZE) {
            throw new IllegalArgumentException("maximum packet size is 2 to " + MAX_PACKET_SIZE + ", not " + maxPacketSize);
        }
        this.maxPacketSize = maxPacketSize;
    }

    /**
     * Decodes the next packet from {@code in}. Returns null, consuming nothing, when the buffer
     * does not yet hold a whole packet; otherwise consumes exactly that packet's bytes. A returned
     * {@link io.starling.codec.packet.Publish} holds a retained slice of {@code in} that the
     * caller releases.
     *
     * @throws PacketDecodeException when the bytes break a rule; the connection must be closed
     */
    public @Nullable Packet decode(ByteBuf in) {
        if (failed) {
            throw new IllegalStateException("the decoder failed before; the connection must be closed");
        }
        try {
            return decodeFrame(in);
        } catch (PacketDecodeException e) {
            failed = true;
            throw e;
        }
    }

    private @Nullable Packet decodeFrame(ByteBuf in) {
        int start = in.readerIndex();
        if (in.writerIndex() - start < 2) {
            return null;
        }
        int first = in.getUnsignedByte(start);
        long packed = VariableByteInteger.read(in, start + 1, in.writerIndex());
        if (packed == VariableByteInteger.INCOMPLETE) {
            return null;
        }
        if (packed == VariableByteInteger.TOO_LONG) {
            throw malformed(rule("§2.2.3", "§1.5.5"), "the remaining length is longer than four bytes");
        }
        if (packed == VariableByteInteger.NOT_MINIMAL) {
            throw malformed(rule("§2.2.3", "MQTT-1.5.5-1"), "the remaining length does not use the minimum number of bytes");
        }
        int remaining = VariableByteInteger.value(packed);
        int headerLength = 1 + VariableByteInteger.length(packed);
        PacketType type = checkFixedHeader(first >>> 4, first & 0x0F);
        long size = (long) headerLength + remaining;
        if (size > maxPacketSize) {
            // [MQTT-3.2.2-15] binds the client, [MQTT-3.1.2-24] the server
            throw new PacketDecodeException(ReasonCode.PACKET_TOO_LARGE, role == Role.SERVER ? "MQTT-3.2.2-15" : "MQTT-3.1.2-24",
                    type + " of " + size + " bytes exceeds the maximum packet size of " + maxPacketSize);
        }
        if (in.writerIndex() - start < size) {
            return null;
        }
        PacketReader reader = new PacketReader(in.slice(start + headerLength, remaining),
                version != null ? version : MqttVersion.V3_1_1);
        Packet packet = decodeBody(type, first & 0x0F, reader);
        if (reader.hasRemaining()) {
            ReferenceCountUtil.release(packet);
            throw malformed(rule("§2.2.3", "§2.1.4"), type + " has " + reader.remaining() + " bytes after its last field");
        }
        in.readerIndex(start + (int) size);
        return packet;
    }

    /** Checks what the first byte alone can tell: type, flags, direction and order. */
    private PacketType checkFixedHeader(int typeValue, int flags) {
        PacketType type = PacketType.of(typeValue);
        if (type == null || (type == PacketType.AUTH && version != null && !version.isV5())) {
            throw malformed(rule("§2.2.1", "§2.1.2"), "packet type " + typeValue + " is reserved");
        }
        if (type == PacketType.PUBLISH) {
            int qos = (flags & 0x06) >>> 1;
            if (qos == 3) {
                throw malformed("MQTT-3.3.1-4", "a PUBLISH must not have both QoS bits set");
            }
            if (qos == 0 && (flags & 0x08) != 0) {
                throw malformed("MQTT-3.3.1-2", "a QoS 0 PUBLISH must have DUP 0");
            }
        } else if (flags != type.fixedFlags() && !isV31Duplicate(type, flags)) {
            throw malformed(rule("MQTT-2.2.2-2", "MQTT-2.1.3-1"), type + " must have fixed header flags "
                    + Integer.toBinaryString(type.fixedFlags() | 0x10).substring(1) + ", not "
                    + Integer.toBinaryString(flags | 0x10).substring(1));
        }
        checkDirectionAndOrder(type);
        return type;
    }

    /** MQTT 3.1 set DUP on a resent PUBREL, SUBSCRIBE or UNSUBSCRIBE; 3.1.1 made those flags fixed. */
    private boolean isV31Duplicate(PacketType type, int flags) {
        return version == MqttVersion.V3_1 && type.fixedFlags() == 0b0010 && flags == 0b1010;
    }

    private void checkDirectionAndOrder(PacketType type) {
        if (role == Role.SERVER) {
            switch (type) {
                case CONNACK, SUBACK, UNSUBACK, PINGRESP ->
                        throw protocolError(rule("§2.2.1", "§2.1.2"), "a client never sends " + type);
                case CONNECT -> {
                    if (handshakeSeen) {
                        throw protocolError("MQTT-3.1.0-2", "a second CONNECT on one connection");
                    }
                }
                default -> {
                    if (!handshakeSeen) {
                        throw protocolError("MQTT-3.1.0-1", "the first packet must be CONNECT, not " + type);
                    }
                }
            }
        } else {
            switch (type) {
                case CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ ->
                        throw protocolError(rule("§2.2.1", "§2.1.2"), "a server never sends " + type);
                case CONNACK -> {
                    if (handshakeSeen) {
                        throw protocolError("MQTT-3.2.0-2", "a second CONNACK on one connection");
                    }
                }
                case AUTH -> {
                    // 5.0 enhanced authentication may exchange AUTH before CONNACK
                }
                case DISCONNECT -> {
                    if (version != MqttVersion.V5) {
                        throw protocolError("§2.2.1", "a 3.1.1 server never sends DISCONNECT");
                    }
                    if (!handshakeSeen) {
                        throw protocolError("MQTT-3.2.0-1", "the first packet from a server must be CONNACK, not DISCONNECT");
                    }
                }
                default -> {
                    if (!handshakeSeen) {
                        throw protocolError("MQTT-3.2.0-1", "the first packet from a server must be CONNACK, not " + type);
                    }
                }
            }
        }
    }

    private Packet decodeBody(PacketType type, int flags, PacketReader in) {
        return switch (type) {
            case CONNECT -> {
                handshakeSeen = true;
                yield ConnectDecoder.connect(in, v -> version = v);
            }
            case CONNACK -> {
                handshakeSeen = true;
                yield ConnectDecoder.connAck(in);
            }
            case PUBLISH -> PublishDecoder.publish(in, flags, role == Role.SERVER);
            case PUBACK, PUBREC, PUBREL, PUBCOMP -> AckDecoder.publishAck(in, type);
            case SUBSCRIBE -> SubscriptionDecoder.subscribe(in);
            case SUBACK -> SubscriptionDecoder.subAck(in);
            case UNSUBSCRIBE -> SubscriptionDecoder.unsubscribe(in);
            case UNSUBACK -> SubscriptionDecoder.unsubAck(in);
            case PINGREQ -> empty(in, type, PingReq.INSTANCE);
            case PINGRESP -> empty(in, type, PingResp.INSTANCE);
            case DISCONNECT -> AckDecoder.disconnect(in);
            case AUTH -> AckDecoder.auth(in);
        };
    }

    private Packet empty(PacketReader in, PacketType type, Packet packet) {
        if (in.hasRemaining()) {
            throw malformed("§" + (type == PacketType.PINGREQ ? "3.12" : "3.13"), type + " has a remaining length of 0");
        }
        return packet;
    }

    private String rule(String v311, String v5) {
        return version == MqttVersion.V5 ? v5 : v311;
    }

    private static PacketDecodeException malformed(String rule, String message) {
        return new PacketDecodeException(ReasonCode.MALFORMED_PACKET, rule, message);
    }

    private static PacketDecodeException protocolError(String rule, String message) {
        return new PacketDecodeException(ReasonCode.PROTOCOL_ERROR, rule, message);
    }
}
