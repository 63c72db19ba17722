package io.starling.cluster.wire;

import io.netty.buffer.ByteBuf;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import java.nio.charset.StandardCharsets;

/**
 * The fields every cluster frame is made of, written and read one way: strings as a 4-byte length
 * and UTF-8, counts checked against what is left of the frame, subscription options as five
 * fields. Reading past the end throws {@link IndexOutOfBoundsException}, which each frame's
 * decoder turns into its own {@link IllegalArgumentException}.
 */
public final class FrameFields {
    private FrameFields() {}

    /** Whether the frame in {@code frame} from {@code offset} starts with one of {@code kinds}. */
    public static boolean startsWith(byte[] frame, int offset, int length, ClusterWire.Kind... kinds) {
        if (length < 1) {
            return false;
        }
        int kind = frame[offset] & 0xFF;
        for (ClusterWire.Kind k : kinds) {
            if (k.ordinal() == kind) {
                return true;
            }
        }
        return false;
    }

    public static void writeString(ByteBuf out, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.writeBytes(utf8);
    }

    public static String readString(ByteBuf in) {
        int length = in.readInt();
        if (length < 0 || length > in.readableBytes()) {
            throw new IllegalArgumentException("a cluster frame's string is " + length + " bytes, more than is left");
        }
        String text = in.toString(in.readerIndex(), length, StandardCharsets.UTF_8);
        in.skipBytes(length);
        return text;
    }

    /** A count of entries of at least {@code minBytes} each, refused when the rest of the frame cannot hold them. */
    public static int readCount(ByteBuf in, int minBytes) {
        int n = in.readInt();
        if (n < 0 || (long) n * minBytes > in.readableBytes()) {
            throw new IllegalArgumentException("a cluster frame cannot hold " + n + " entries");
        }
        return n;
    }

    public static void writeOptions(ByteBuf out, SubscriptionOptions options) {
        out.writeByte(options.qos().value());
        out.writeBoolean(options.noLocal());
        out.writeBoolean(options.retainAsPublished());
        out.writeByte(options.retainHandling().value());
        out.writeInt(options.identifier());
    }

    public static SubscriptionOptions readOptions(ByteBuf in) {
        return new SubscriptionOptions(QoS.of(in.readUnsignedByte()), in.readBoolean(), in.readBoolean(),
                RetainHandling.of(in.readUnsignedByte()), in.readInt());
    }

    /** What was written to {@code out}, as an array. */
    public static byte[] bytes(ByteBuf out) {
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }
}
