package io.starling.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.starling.codec.PacketGenerators.Sent;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * For every packet type of every version: a valid packet encodes to exactly the size the encoder
 * computed, and decodes back to an equal packet. Both encoder paths (into a given buffer, and into
 * a new exact-size or zero-copy composite buffer) must give the same bytes.
 */
class RoundTripProperties {

    @Test
    @DisplayName("MQTT 3.1: every packet survives encode and decode unchanged")
    void v31() {
        qt().withExamples(1500).forAll(PacketGenerators.sent(MqttVersion.V3_1))
                .checkAssert(sent -> roundTrip(MqttVersion.V3_1, sent));
    }

    @Test
    @DisplayName("MQTT 3.1.1: every packet survives encode and decode unchanged")
    void v311() {
        qt().withExamples(1500).forAll(PacketGenerators.sent(MqttVersion.V3_1_1))
                .checkAssert(sent -> roundTrip(MqttVersion.V3_1_1, sent));
    }

    @Test
    @DisplayName("MQTT 5.0: every packet, properties included, survives encode and decode unchanged")
    void v5() {
        qt().withExamples(3000).forAll(PacketGenerators.sent(MqttVersion.V5))
                .checkAssert(sent -> roundTrip(MqttVersion.V5, sent));
    }

    private static void roundTrip(MqttVersion version, Sent sent) {
        Packet packet = sent.packet();
        PacketEncoder encoder = new PacketEncoder(version);
        ByteBuf wire = Unpooled.buffer();
        ByteBuf viaAllocator = encoder.encode(ByteBufAllocator.DEFAULT, packet);
        Packet decoded = null;
        try {
            encoder.encode(packet, wire);
            assertThat(wire.readableBytes()).as("encoded size").isEqualTo(encoder.encodedSize(packet));
            assertThat(viaAllocator).as("allocator path bytes").isEqualTo(wire);

            PacketDecoder decoder = readyDecoder(version, sent);
            decoded = decoder.decode(wire);
            assertThat(decoded).isEqualTo(packet);
            assertThat(wire.isReadable()).as("bytes left after the packet").isFalse();
        } finally {
            ReferenceCountUtil.release(decoded);
            ReferenceCountUtil.release(packet);
            viaAllocator.release();
            wire.release();
        }
    }

    /** A decoder of the receiving side, past the handshake unless the packet is the handshake. */
    static PacketDecoder readyDecoder(MqttVersion version, Sent sent) {
        PacketType type = sent.packet().type();
        if (sent.fromClient()) {
            PacketDecoder decoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
            if (type != PacketType.CONNECT) {
                feed(decoder, version, new Connect(version, "c", true, 0));
            }
            return decoder;
        }
        PacketDecoder decoder = PacketDecoder.forClient(version, PacketDecoder.MAX_PACKET_SIZE);
        if (type != PacketType.CONNACK && type != PacketType.AUTH) {
            feed(decoder, version, new ConnAck(false, ReasonCode.SUCCESS));
        }
        return decoder;
    }

    static void feed(PacketDecoder decoder, MqttVersion version, Packet packet) {
        ByteBuf buf = Unpooled.buffer();
        try {
            new PacketEncoder(version).encode(packet, buf);
            assertThat(decoder.decode(buf)).isEqualTo(packet);
        } finally {
            buf.release();
        }
    }
}
