package io.starling.codec.encode;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.starling.codec.wire.Bytes;

/** Writes the length-prefixed primitives. Strings were validated when their packet was built. */
final class Primitives {
    private Primitives() {}

    static int stringSize(String s) {
        return 2 + ByteBufUtil.utf8Bytes(s);
    }

    static void writeString(ByteBuf out, String s) {
        int length = ByteBufUtil.utf8Bytes(s);
        out.writeShort(length);
        // reserve exactly the string's length: buffers are allocated at the packet's exact size
        ByteBufUtil.reserveAndWriteUtf8(out, s, length);
    }

    static void writeBinary(ByteBuf out, Bytes bytes) {
        out.writeShort(bytes.length());
        bytes.writeTo(out);
    }
}
