package io.starling.codec.decode;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.starling.codec.packet.Packet;
import java.util.List;

/**
 * The Netty handler that frames the bytes of one connection into packets with the strict {@link
 * PacketDecoder}, every complete packet of a read before the next handler runs. The broker gives it
 * a server-side decoder, the client a client-side one. A broken rule is passed on as the
 * {@link PacketDecodeException} itself, in order after the packets before it; the bytes after it
 * are discarded and reading stops, as the connection is to be closed.
 */
public final class MqttFrameDecoder extends ByteToMessageDecoder {
    private final PacketDecoder decoder;
    private boolean failed;

    public MqttFrameDecoder(PacketDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            Packet packet = decoder.decode(in);
            if (packet != null) {
                out.add(packet);
            }
        } catch (PacketDecodeException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            ctx.channel().config().setAutoRead(false);
            out.add(e);
        }
    }
}
