package io.starling.cli.bench.wire;

import io.netty.buffer.ByteBuf;

/**
 * The first {@value #SIZE} bytes of every payload the bench publishes, big-endian:
 * <pre>
 *   0  int   magic "STLB", so that a subscriber can tell bench payloads from other traffic
 *   4  int   run id, random per bench process
 *   8  int   publisher index within the run
 *  12  long  sequence number, 0, 1, 2, ... per publisher
 *  20  long  send time: System.nanoTime() when the message was scheduled (open loop) or sent
 * </pre>
 * The rest of the payload is padding up to the configured size. The send time is a monotonic
 * clock reading: comparable between processes on one Linux host (CLOCK_MONOTONIC), not between hosts.
 */
public final class PayloadHeader {
    /** "STLB" in ASCII. */
    static final int MAGIC = 0x53544C42;
    public static final int SIZE = 28;
    static final int RUN_OFFSET = 4;
    static final int PUBLISHER_OFFSET = 8;
    static final int SEQUENCE_OFFSET = 12;
    static final int SEND_TIME_OFFSET = 20;

    private PayloadHeader() {
    }

    /** Writes a header at the writer index of {@code out}. */
    static void write(ByteBuf out, int run, int publisher, long sequence, long sendTime) {
        out.writeInt(MAGIC);
        out.writeInt(run);
        out.writeInt(publisher);
        out.writeLong(sequence);
        out.writeLong(sendTime);
    }

    /** Whether the {@code length} bytes of {@code buf} at {@code index} start with a bench header. */
    public static boolean isPresent(ByteBuf buf, int index, int length) {
        return length >= SIZE && buf.getInt(index) == MAGIC;
    }

    public static int run(ByteBuf buf, int index) {
        return buf.getInt(index + RUN_OFFSET);
    }

    public static int publisher(ByteBuf buf, int index) {
        return buf.getInt(index + PUBLISHER_OFFSET);
    }

    public static long sequence(ByteBuf buf, int index) {
        return buf.getLong(index + SEQUENCE_OFFSET);
    }

    public static long sendTime(ByteBuf buf, int index) {
        return buf.getLong(index + SEND_TIME_OFFSET);
    }
}
