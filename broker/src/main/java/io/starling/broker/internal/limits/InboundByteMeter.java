package io.starling.broker.internal.limits;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.LongConsumer;

/**
 * Counts the bytes read from a connection, as they come off the socket (TLS records and
 * WebSocket frames included), for {@code max_inbound_byte_rate}: the first handler of the
 * pipeline, added only while a byte rate is configured, so that connections without one pay
 * nothing. It passes everything on unchanged.
 */
public final class InboundByteMeter extends ChannelInboundHandlerAdapter {
    /** The name the meter has in a pipeline. */
    public static final String NAME = "inbound-byte-meter";

    private final LongConsumer read;

    /** {@code read} is told the size of each buffer read, on the connection's event loop. */
    public InboundByteMeter(LongConsumer read) {
        this.read = read;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            read.accept(buf.readableBytes());
        } else if (msg instanceof ByteBufHolder holder) {
            read.accept(holder.content().readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public boolean isSharable() {
        return false;
    }
}
