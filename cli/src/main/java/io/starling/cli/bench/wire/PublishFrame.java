package io.starling.cli.bench.wire;

import io.netty.buffer.ByteBuf;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.VariableByteInteger;
import org.jspecify.annotations.Nullable;

/**
 * Frames the PUBLISH packets a bench subscriber receives without the codec's decoder: the bench
 * needs only the QoS, the packet identifier and where the payload is, and decoding every topic
 * into a string and slicing every payload would make the receiving side slower than the broker
 * it measures. The fixed header flags, the lengths and the packet identifier are still checked;
 * the topic's UTF-8 is not. In MQTT 5.0 the properties between the packet identifier and the
 * payload are skipped whole: their length is checked, not their content. One instance per
 * connection, reused for every packet: after {@link #read} its accessors describe the packet.
 */
public final class PublishFrame {
    /** The PUBLISH packet type, the high nibble of its first byte. */
    static final int TYPE = 3;
    private static final int INCOMPLETE = -1;
    private static final int MALFORMED = -2;

    /** 5.0: a property length follows the packet identifier. */
    private final boolean hasProperties;
    private int qos;
    private int packetId;
    private int payloadIndex;
    private int payloadLength;
    private int end;
    private @Nullable String malformed;

    /** Frames the PUBLISH packets of {@code version}. */
    public PublishFrame(MqttVersion version) {
        this.hasProperties = version.isV5();
    }

    /** Whether the packet at the reader index of {@code in} is a PUBLISH. */
    public static boolean isPublish(ByteBuf in) {
        return in.getUnsignedByte(in.readerIndex()) >>> 4 == TYPE;
    }

    /**
     * Frames the PUBLISH at the reader index of {@code in}, moving nothing. Returns false when the
     * packet is not complete yet; true when it is, with the fields set, or with {@link #malformed()}
     * set when it breaks a rule.
     */
    public boolean read(ByteBuf in) {
        malformed = null;
        int start = in.readerIndex();
        if (in.writerIndex() - start < 2) {
            return false;
        }
        int bodyStart;
        byte firstLengthByte = in.getByte(start + 1);
        if (firstLengthByte >= 0) {
            // a remaining length below 128 is one byte: the usual case for bench messages
            bodyStart = start + 2;
            end = bodyStart + firstLengthByte;
        } else if ((bodyStart = readLongRemainingLength(in, start)) < 0) {
            return bodyStart == MALFORMED;
        }
        if (end > in.writerIndex()) {
            return false;
        }
        int flags = in.getUnsignedByte(start) & 0x0F;
        qos = flags >>> 1 & 0x03;
        if (qos == 3) {
            return malformed("[MQTT-3.3.1-4] both QoS bits set");
        }
        if (qos == 0 && (flags & 0x08) != 0) {
            return malformed("[MQTT-3.3.1-2] DUP set at QoS 0");
        }
        int index = bodyStart + 2;
        if (index > end || (index += in.getUnsignedShort(bodyStart)) > end) {
            return malformed("the topic name runs past the end of the packet");
        }
        packetId = 0;
        if (qos > 0) {
            if (index + 2 > end) {
                return malformed("no room for the packet identifier");
            }
            packetId = in.getUnsignedShort(index);
            if (packetId == 0) {
                return malformed("[MQTT-2.3.1-1] a QoS " + qos + " PUBLISH has a non-zero packet identifier");
            }
            index += 2;
        }
        if (hasProperties && (index = skipProperties(in, index)) < 0) {
            return true;
        }
        payloadIndex = index;
        payloadLength = end - index;
        return true;
    }

    /**
     * A remaining length of two bytes or more, at {@code start + 1}: sets {@link #end} and returns
     * where the body starts, or returns {@link #INCOMPLETE}, or {@link #MALFORMED} with
     * {@link #malformed} set. Out of {@link #read}, which stays small enough for the JIT to inline
     * into its caller (at most 325 bytes of bytecode, HotSpot's FreqInlineSize).
     */
    private int readLongRemainingLength(ByteBuf in, int start) {
        long packed = VariableByteInteger.read(in, start + 1, in.writerIndex());
        if (packed == VariableByteInteger.INCOMPLETE) {
            return INCOMPLETE;
        }
        if (packed < 0) {
            malformed("the remaining length is not a minimal variable byte integer of at most 4 bytes");
            return MALFORMED;
        }
        int bodyStart = start + 1 + VariableByteInteger.length(packed);
        end = bodyStart + VariableByteInteger.value(packed);
        return bodyStart;
    }

    /**
     * 5.0: the index just past the properties at {@code index}, or {@link #MALFORMED} with
     * {@link #malformed} set when they do not fit in the packet, which ends at {@link #end}.
     */
    private int skipProperties(ByteBuf in, int index) {
        if (index < end && in.getByte(index) == 0) {
            // no properties: what a broker sends unless the message or the subscription has some
            return index + 1;
        }
        long packed = VariableByteInteger.read(in, index, end);
        if (packed < 0) {
            malformed("the property length is not a minimal variable byte integer of at most 4 bytes within the packet");
            return MALFORMED;
        }
        int next = index + VariableByteInteger.length(packed) + VariableByteInteger.value(packed);
        if (next > end) {
            malformed("the properties run past the end of the packet");
            return MALFORMED;
        }
        return next;
    }

    private boolean malformed(String reason) {
        malformed = "PUBLISH: " + reason;
        return true;
    }

    public int qos() {
        return qos;
    }

    /** The packet identifier, 0 at QoS 0. */
    public int packetId() {
        return packetId;
    }

    /** Index of the payload in the buffer read. */
    public int payloadIndex() {
        return payloadIndex;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** Index just past the packet. */
    public int end() {
        return end;
    }

    /** Why the packet is malformed, when {@link #read} returned true and this is not null. */
    public @Nullable String malformed() {
        return malformed;
    }
}
