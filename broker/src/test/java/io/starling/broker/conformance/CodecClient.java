package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A test client over a {@link RawClient} that speaks packets rather than bytes: it writes what
 * the codec encodes for its protocol version and decodes what the broker sends with the codec's
 * strict client-side decoder, so that a test asserts on return codes, reason codes and properties.
 * Every read is bounded by the raw client's deadline. {@code C} is the concrete client, so that
 * calls chain.
 */
abstract class CodecClient<C extends CodecClient<C>> implements AutoCloseable {
    final RawClient raw;
    final String name;
    private final MqttVersion version;
    private final PacketEncoder encoder;
    private final PacketDecoder decoder;

    CodecClient(int port, MqttVersion version, String name) {
        this.raw = new RawClient(port, name);
        this.name = name;
        this.version = version;
        this.encoder = new PacketEncoder(version);
        this.decoder = PacketDecoder.forClient(version, PacketDecoder.MAX_PACKET_SIZE);
    }

    abstract C self();

    MqttVersion version() {
        return version;
    }

    C send(Packet packet) {
        ByteBuf encoded = encoder.encode(UnpooledByteBufAllocator.DEFAULT, packet);
        try {
            raw.send(ByteBufUtil.getBytes(encoded));
        } finally {
            encoded.release();
        }
        return self();
    }

    /** Publishes a UTF-8 payload with {@code properties} (none for 3.1.1). */
    C publish(String topic, QoS qos, boolean retain, int packetId, String payload, Properties properties) {
        Publish publish = new Publish(topic, qos, false, retain, packetId, properties,
                Unpooled.wrappedBuffer(payload.getBytes(StandardCharsets.UTF_8)));
        try {
            return send(publish);
        } finally {
            publish.release();
        }
    }

    /** Reads and decodes the next packet. A PUBLISH comes back with its payload copied, nothing to release. */
    Packet read() {
        ByteBuf in = Unpooled.wrappedBuffer(raw.readPacket());
        Packet packet = decoder.decode(in);
        if (packet == null) {
            fail("%s: the broker sent an incomplete packet", name);
        }
        if (packet instanceof Publish p) {
            Publish copy = new Publish(p.topic(), p.qos(), p.dup(), p.retained(), p.packetId(), p.properties(),
                    Unpooled.copiedBuffer(p.payload()));
            p.release();
            return copy;
        }
        return packet;
    }

    /** Reads the next packet and asserts its type. */
    <T extends Packet> T expect(Class<T> type) {
        Packet packet = read();
        assertThat(packet).as("%s: the next packet", name).isInstanceOf(type);
        return type.cast(packet);
    }

    void expectNothing(Duration duration) {
        raw.expectNothing(duration);
    }

    /** Ends the connection without DISCONNECT (so that a will is published). */
    @Override
    public void close() {
        raw.close();
    }
}
