package io.starling.codec.decode;

import io.netty.buffer.ByteBuf;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.VariableByteInteger;
import java.nio.charset.StandardCharsets;

/**
 * Reads the primitives of one packet's body (everything after the fixed header) from a buffer
 * that holds exactly that body. Running past the end, an ill-formed string or a non-minimal
 * integer throws {@link PacketDecodeException}; nothing is read outside the body.
 */
final class PacketReader {
    private final ByteBuf body;
    private MqttVersion version;

    PacketReader(ByteBuf body, MqttVersion version) {
        this.body = body;
        this.version = version;
    }

    MqttVersion version() {
        return version;
    }

    void version(MqttVersion version) {
        this.version = version;
    }

    boolean isV5() {
        return version == MqttVersion.V5;
    }

    /** The 3.1.1 statement number, or the 5.0 one when decoding 5.0 (3.1 has no numbers and uses 3.1.1's). */
    String rule(String v311, String v5) {
        return isV5() ? v5 : v311;
    }

    int remaining() {
        return body.readableBytes();
    }

    boolean hasRemaining() {
        return body.isReadable();
    }

    int readerIndex() {
        return body.readerIndex();
    }

    int u8(String what) {
        need(1, what);
        return body.readUnsignedByte();
    }

    int u16(String what) {
        need(2, what);
        return body.readUnsignedShort();
    }

    long u32(String what) {
        need(4, what);
        return body.readUnsignedInt();
    }

    int vbi(String what) {
        long packed = VariableByteInteger.read(body, body.readerIndex(), body.writerIndex());
        if (packed == VariableByteInteger.INCOMPLETE) {
            throw malformed("§2.2", what + " runs past the end of the packet");
        }
        if (packed == VariableByteInteger.TOO_LONG) {
            throw malformed("§1.5.5", what + " is longer than four bytes");
        }
        if (packed == VariableByteInteger.NOT_MINIMAL) {
            throw malformed("MQTT-1.5.5-1", what + " does not use the minimum number of bytes");
        }
        body.skipBytes(VariableByteInteger.length(packed));
        return VariableByteInteger.value(packed);
    }

    /** A UTF-8 encoded string [MQTT-1.5.3-1] [MQTT-1.5.3-2] (5.0: [MQTT-1.5.4-1] [MQTT-1.5.4-2]). */
    String string(String what) {
        int length = u16(what + " length");
        need(length, what);
        int index = body.readerIndex();
        int kind = MqttStrings.validate(body, index, length);
        String s = switch (kind) {
            case MqttStrings.ASCII -> body.toString(index, length, StandardCharsets.US_ASCII);
            case MqttStrings.NON_ASCII -> body.toString(index, length, StandardCharsets.UTF_8);
            case MqttStrings.NULL_CHARACTER -> throw malformed(rule("MQTT-1.5.3-2", "MQTT-1.5.4-2"),
                    what + " contains U+0000");
            default -> throw malformed(rule("MQTT-1.5.3-1", "MQTT-1.5.4-1"),
                    what + " is not well-formed UTF-8 (or encodes a surrogate)");
        };
        body.skipBytes(length);
        return s;
    }

    /** Binary data: a two-byte length and that many bytes, copied. */
    Bytes binary(String what) {
        int length = u16(what + " length");
        need(length, what);
        Bytes bytes = Bytes.of(body.slice(body.readerIndex(), length));
        body.skipBytes(length);
        return bytes;
    }

    /** The rest of the body as a retained slice that shares the buffer's memory. */
    ByteBuf retainedRest() {
        return body.readRetainedSlice(body.readableBytes());
    }

    /** A reader over the next {@code length} bytes, which this reader skips. */
    PacketReader sub(int length, String what) {
        need(length, what);
        PacketReader sub = new PacketReader(body.readSlice(length), version);
        return sub;
    }

    private void need(int n, String what) {
        if (body.readableBytes() < n) {
            throw malformed("§2.2", what + " runs past the end of the packet");
        }
    }

    PacketDecodeException malformed(String rule, String message) {
        return new PacketDecodeException(ReasonCode.MALFORMED_PACKET, rule, message);
    }

    /** A bad topic name: Malformed in 3.1 and 3.1.1, Topic Name invalid (0x90) in 5.0. */
    PacketDecodeException topicNameInvalid(String rule, String message) {
        return isV5()
                ? new PacketDecodeException(ReasonCode.TOPIC_NAME_INVALID, rule, message)
                : malformed(rule, message);
    }

    PacketDecodeException protocolError(String rule, String message) {
        return new PacketDecodeException(ReasonCode.PROTOCOL_ERROR, rule, message);
    }
}
