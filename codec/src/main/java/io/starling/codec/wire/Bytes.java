package io.starling.codec.wire;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable run of bytes for MQTT Binary Data fields (password, will payload, correlation and
 * authentication data): at most 65,535 bytes, compared by content.
 */
public final class Bytes {
    public static final int MAX_LENGTH = 65_535;
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] bytes;

    private Bytes(byte[] bytes) {
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("binary data is at most 65535 bytes, not " + bytes.length);
        }
        this.bytes = bytes;
    }

    /** A copy of {@code bytes}. */
    public static Bytes of(byte... bytes) {
        return bytes.length == 0 ? EMPTY : new Bytes(bytes.clone());
    }

    /** The readable bytes of {@code buf}, copied; the buffer's indexes do not move. */
    public static Bytes of(ByteBuf buf) {
        byte[] copy = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), copy);
        return copy.length == 0 ? EMPTY : new Bytes(copy);
    }

    public int length() {
        return bytes.length;
    }

    /** A copy of the bytes. */
    public byte[] toArray() {
        return bytes.clone();
    }

    public void writeTo(ByteBuf out) {
        out.writeBytes(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return bytes.length <= 32
                ? "0x" + HexFormat.of().formatHex(bytes)
                : "0x" + HexFormat.of().formatHex(bytes, 0, 32) + "...(" + bytes.length + " bytes)";
    }
}
