package io.starling.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A real MQTT client for the admin tests, over a plain socket to 127.0.0.1: it writes what the
 * codec encodes for its protocol version and decodes the broker's packets with the codec's
 * client-side decoder. Every read is bounded by the socket's read timeout.
 */
public final class AdminTestClient implements AutoCloseable {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    /** A PUBLISH as received, its payload copied out as text. */
    public record Received(String topic, QoS qos, boolean retain, int packetId, String payload, Properties properties) {}

    private final Socket socket;
    private final PacketEncoder encoder;
    private final PacketDecoder decoder;
    private final ByteBuf received = Unpooled.buffer();
    private final String name;
    private boolean closed;

    private AdminTestClient(int port, MqttVersion version, String name) {
        this.name = name;
        try {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) READ_TIMEOUT.toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        encoder = new PacketEncoder(version);
        decoder = PacketDecoder.forClient(version, PacketDecoder.MAX_PACKET_SIZE);
    }

    /** Connects with {@code connect} and expects CONNACK 0x00. */
    public static AdminTestClient connected(int port, Connect connect) {
        AdminTestClient client = new AdminTestClient(port, connect.version(), connect.clientId());
        try {
            client.send(connect);
            ConnAck ack = client.expect(ConnAck.class);
            assertThat(ack.reasonCode()).as("CONNACK of %s", connect.clientId()).isEqualTo(ReasonCode.SUCCESS);
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** A client of {@code version} with a clean session (clean start, no expiry in 5.0) and no credentials. */
    public static AdminTestClient connected(int port, MqttVersion version, String clientId) {
        return connected(port, new Connect(version, clientId, true, 60));
    }

    /** The local port of the socket: with 127.0.0.1, what the broker sees as the client's address. */
    public int localPort() {
        return socket.getLocalPort();
    }

    public AdminTestClient send(Packet packet) {
        ByteBuf encoded = encoder.encode(UnpooledByteBufAllocator.DEFAULT, packet);
        try {
            socket.getOutputStream().write(ByteBufUtil.getBytes(encoded));
            socket.getOutputStream().flush();
        } catch (IOException e) {
            throw new UncheckedIOException(name + ": cannot send", e);
        } finally {
            encoded.release();
        }
        return this;
    }

    /** Subscribes to {@code filter} and expects a SUBACK granting {@code qos}. */
    public AdminTestClient subscribe(int packetId, String filter, QoS qos) {
        send(new Subscribe(packetId, List.of(new Subscription(filter, qos))));
        SubAck ack = expect(SubAck.class);
        assertThat(ack.packetId()).isEqualTo(packetId);
        assertThat(ack.reasonCodes()).as("%s: SUBACK of %s", name, filter).containsExactly(granted(qos));
        return this;
    }

    private static ReasonCode granted(QoS qos) {
        return switch (qos) {
            case AT_MOST_ONCE -> ReasonCode.GRANTED_QOS_0;
            case AT_LEAST_ONCE -> ReasonCode.GRANTED_QOS_1;
            case EXACTLY_ONCE -> ReasonCode.GRANTED_QOS_2;
        };
    }

    /** Publishes a UTF-8 payload with {@code properties}; a QoS 1 one waits for its PUBACK. */
    public AdminTestClient publish(String topic, QoS qos, boolean retain, int packetId, String payload, Properties properties) {
        Publish publish = new Publish(topic, qos, false, retain, packetId, properties,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
        try {
            send(publish);
        } finally {
            publish.release();
        }
        if (qos == QoS.AT_LEAST_ONCE) {
            assertThat(expect(PubAck.class).packetId()).isEqualTo(packetId);
        }
        return this;
    }

    /** Publishes a UTF-8 payload without properties. */
    public AdminTestClient publish(String topic, QoS qos, boolean retain, int packetId, String payload) {
        return publish(topic, qos, retain, packetId, payload, Properties.EMPTY);
    }

    /** The next packet, a PUBLISH, as received (not acknowledged). */
    public Received expectPublish() {
        Publish p = expect(Publish.class);
        try {
            return new Received(p.topic(), p.qos(), p.retained(), p.packetId(), p.payload().toString(StandardCharsets.UTF_8),
                    p.properties());
        } finally {
            p.release();
        }
    }

    /** The next packet, which must be a {@code type}. */
    public <T extends Packet> T expect(Class<T> type) {
        Packet packet = read();
        if (packet == null) {
            throw new AssertionError(name + ": the broker closed the connection; expected " + type.getSimpleName());
        }
        if (!type.isInstance(packet)) {
            if (packet instanceof Publish p) {
                p.release();
            }
            throw new AssertionError(name + ": expected " + type.getSimpleName() + " but got " + packet);
        }
        return type.cast(packet);
    }

    /** The broker sends nothing for {@code quiet}. */
    public void expectNothing(Duration quiet) {
        Packet already = decoder.decode(received);
        if (already != null) {
            throw new AssertionError(name + ": expected nothing but got " + already);
        }
        try {
            socket.setSoTimeout((int) quiet.toMillis());
            int n = socket.getInputStream().read();
            throw new AssertionError(name + ": expected nothing but the broker "
                    + (n < 0 ? "closed the connection" : "sent more (first byte " + n + ")"));
        } catch (SocketTimeoutException e) {
            // nothing came, as expected
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            } catch (IOException e) {
                // closed meanwhile
            }
        }
    }

    /** The broker closes the connection, sending nothing more. */
    public void expectClosed() {
        Packet packet = read();
        if (packet != null) {
            throw new AssertionError(name + ": expected the close but got " + packet);
        }
    }

    /** The next packet, or null at the end of the stream. */
    private Packet read() {
        try {
            InputStream in = socket.getInputStream();
            byte[] chunk = new byte[4096];
            while (true) {
                Packet packet = decoder.decode(received);
                if (packet != null) {
                    if (packet instanceof Publish p) {
                        // a copy: the buffer below is compacted
                        Publish copy = new Publish(p.topic(), p.qos(), p.dup(), p.retained(), p.packetId(), p.properties(),
                                Unpooled.copiedBuffer(p.payload()));
                        p.release();
                        packet = copy;
                    }
                    received.discardReadBytes();
                    return packet;
                }
                int n = in.read(chunk);
                if (n < 0) {
                    return null;
                }
                received.writeBytes(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError(name + ": nothing from the broker within " + READ_TIMEOUT.toSeconds() + " s", e);
        } catch (IOException e) {
            // a reset after the broker's close is an end too
            return null;
        }
    }

    /** Sends DISCONNECT (the will is discarded), then closes. */
    public void disconnect() {
        send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION));
        close();
    }

    /** Ends the connection without DISCONNECT, so that the will is published. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        received.release();
    }
}
