package io.starling.client.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.starling.codec.decode.PacketDecodeException;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.packet.MqttVersion;
import io.starling.codec.packet.Packet;
import java.util.List;

/**
 * Frames what the server sends into packets with the strict decoder, every complete packet of a
 * read before the handler runs. A broken rule is passed on as the exception itself, after the
 * packets before it; the rest of the input is discarded, as the connection is to be closed.
 */
final class ClientFrameDecoder extends ByteToMessageDecoder {
    private final PacketDecoder decoder;
    private boolean failed;

    ClientFrameDecoder(MqttVersion version, int maxPacketSize) {
        this.decoder = PacketDecoder.forClient(version, maxPacketSize);
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
            out.add(e);
        }
    }
}
