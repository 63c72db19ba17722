package io.starling.broker.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.starling.broker.metrics.BrokerMetrics;

/**
 * Counts the bytes read from and written to every connection, as they are on the socket (PROXY
 * header, TLS records and WebSocket frames included), for {@code $SYS/broker/bytes/...}: the
 * first handler of each pipeline, one counter addition per buffer. Shared by every connection;
 * passes everything on unchanged.
 */
@ChannelHandler.Sharable
final class WireBytes extends ChannelDuplexHandler {
    /** The name the counter has in a pipeline. */
    static final String NAME = "wire-bytes";

    private final BrokerMetrics metrics;

    WireBytes(BrokerMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            metrics.bytesReceived.add(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            metrics.bytesSent.add(buf.readableBytes());
        }
        ctx.write(msg, promise);
    }
}
