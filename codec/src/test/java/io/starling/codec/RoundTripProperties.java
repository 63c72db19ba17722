package io.starling.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.starling.codec.PacketArbitraries.Sent;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * For every packet type of every version: a valid packet encodes to exactly the size the encoder
 * computed, and decodes back to an equal packet. Both encoder paths (into a given buffer, and into
 * a new exact-size or zero-copy composite buffer) must give the same bytes.
 */
class RoundTripProperties {

    @BeforeContainer
    static void listenForLeaks() {
        NettyLeaks.install();
    }

    @AfterContainer
    static void noBufferLeaked() {
        NettyLeaks.assertNone();
    }

    @Property(tries = 1500)
    @Label("MQTT 3.1: every packet survives encode and decode unchanged")
    void v31(@ForAll("v31") Sent sent) {
        roundTrip(MqttVersion.V3_1, sent);
    }

    @Property(tries = 1500)
    @Label("MQTT 3.1.1: every packet survives encode and decode unchanged")
    void v311(@ForAll("v311") Sent sent) {
        roundTrip(MqttVersion.V3_1_1, sent);
    }

    @Property(tries = 3000)
    @Label("MQTT 5.0: every packet, properties included, survives encode and decode unchanged")
    void v5(@ForAll("v5") Sent sent) {
        roundTrip(MqttVersion.V5, sent);
    }

    @Provide
    Arbitrary<Sent> v31() {
        return PacketArbitraries.sent(MqttVersion.V3_1);
    }

    @Provide
    Arbitrary<Sent> v311() {
        return PacketArbitraries.sent(MqttVersion.V3_1_1);
    }

    @Provide
    Arbitrary<Sent> v5() {
        return PacketArbitraries.sent(MqttVersion.V5);
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
