package io.starling.client;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/** Hands what happens on one channel to the client core, tagged with the channel. */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private final ClientCore core;
    private final Channel channel;

    ClientHandler(ClientCore core, Channel channel) {
        this.core = core;
        this.channel = channel;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        core.onPacket(channel, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        core.onReadComplete(channel);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            core.onIdle(channel);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (channel.isWritable()) {
            core.onWritable(channel);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        core.onException(channel, cause);
    }
}
