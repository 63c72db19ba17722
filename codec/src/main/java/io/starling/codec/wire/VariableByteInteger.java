package io.starling.codec.wire;

import io.netty.buffer.ByteBuf;

/**
 * The variable byte integer of the Remaining Length and of MQTT 5.0 properties: seven bits a byte,
 * least significant group first, at most four bytes, so at most 268,435,455.
 */
public final class VariableByteInteger {
    public static final int MAX_VALUE = 268_435_455;
    public static final int MAX_BYTES = 4;

    /** Returned by {@link #read} when the buffer ends before the integer does. */
    public static final int INCOMPLETE = -1;
    /** Returned by {@link #read} when a fourth byte still has its continuation bit set. */
    public static final int TOO_LONG = -2;
    /** Returned by {@link #read} when the integer uses more bytes than its value needs [MQTT-1.5.5-1]. */
    public static final int NOT_MINIMAL = -3;

    private VariableByteInteger() {}

    /** The number of bytes {@code value} takes on the wire. */
    public static int size(int value) {
        if (value < 0 || value > MAX_VALUE) {
            throw new IllegalArgumentException("not a variable byte integer: " + value);
        }
        if (value < 128) {
            return 1;
        } else if (value < 16_384) {
            return 2;
        } else if (value < 2_097_152) {
            return 3;
        }
        return 4;
    }

    /**
     * Reads an integer starting at {@code index} without moving the reader index. Returns the
     * value and its length packed as {@code value << 3 | length}, or one of the negative results
     * {@link #INCOMPLETE}, {@link #TOO_LONG}, {@link #NOT_MINIMAL}.
     */
    public static long read(ByteBuf buf, int index, int limit) {
        int value = 0;
        int shift = 0;
        for (int n = 1; n <= MAX_BYTES; n++) {
            int i = index + n - 1;
            if (i >= limit) {
                return INCOMPLETE;
            }
            int b = buf.getByte(i) & 0xFF;
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                // A last byte of 0 after the first means the same value fits in fewer bytes.
                if (b == 0 && n > 1) {
                    return NOT_MINIMAL;
                }
                return (long) value << 3 | n;
            }
            shift += 7;
        }
        return TOO_LONG;
    }

    /** The value of a successful {@link #read} result. */
    public static int value(long packed) {
        return (int) (packed >>> 3);
    }

    /** The byte length of a successful {@link #read} result. */
    public static int length(long packed) {
        return (int) (packed & 0x7);
    }

    /** Writes {@code value} in the fewest bytes. */
    public static void write(ByteBuf buf, int value) {
        size(value);
        do {
            int b = value & 0x7F;
            value >>>= 7;
            buf.writeByte(value > 0 ? b | 0x80 : b);
        } while (value > 0);
    }
}
