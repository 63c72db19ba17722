package io.starling.broker.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Packet;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A bare MQTT client over a socket for the authentication tests: sends packets, reads the broker's answers. */
final class WireClient implements AutoCloseable {
    private final Socket socket;
    private final PacketEncoder encoder;
    private final PacketDecoder decoder;
    private final ByteBuf received = Unpooled.buffer();

    WireClient(int port, MqttVersion version) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        encoder = new PacketEncoder(version);
        decoder = PacketDecoder.forClient(version, PacketDecoder.MAX_PACKET_SIZE);
    }

    /** Sends {@code packets} in one write, as a client pipelining them would. */
    WireClient send(Packet... packets) {
        ByteBuf all = Unpooled.buffer();
        for (Packet packet : packets) {
            ByteBuf encoded = encoder.encode(UnpooledByteBufAllocator.DEFAULT, packet);
            all.writeBytes(encoded);
            encoded.release();
        }
        try {
            socket.getOutputStream().write(ByteBufUtil.getBytes(all));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            all.release();
        }
        return this;
    }

    /** The next packet, which must be a {@code type}. */
    <T extends Packet> T expect(Class<T> type) {
        try {
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[4096];
            while (true) {
                Packet packet = decoder.decode(received);
                if (packet != null) {
                    received.discardReadBytes();
                    assertThat(packet).isInstanceOf(type);
                    return type.cast(packet);
                }
                int n = in.read(chunk);
                if (n < 0) {
                    throw new AssertionError("the broker closed the connection; expected " + type.getSimpleName());
                }
                received.writeBytes(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("nothing from the broker within 10 s; expected " + type.getSimpleName(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The broker closes the connection, sending nothing more. */
    void expectClosed() {
        try {
            assertThat(received.readableBytes()).isZero();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        } catch (IOException e) {
            // a reset is a close too
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        received.release();
    }
}
