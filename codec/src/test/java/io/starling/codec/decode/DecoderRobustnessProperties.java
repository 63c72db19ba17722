package io.starling.codec.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.starling.codec.PacketGenerators.Sent;
import io.starling.codec.PacketGenerators;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Whatever bytes arrive, in whatever pieces, the decoder yields packets or its own
 * {@link PacketDecodeException}, never another exception; it never waits for more than the
 * maximum packet size; and when every decoded packet is released, the input buffer's reference
 * count is back to its own, so no slice leaked.
 */
class DecoderRobustnessProperties {

    /** Input for one connection: the version, which side reads, the bytes and how they are cut. */
    record Stream(MqttVersion version, boolean serverSide, byte[] bytes, List<Integer> cuts, int maxPacketSize) {
        @Override
        public String toString() {
            return version + (serverSide ? " server" : " client") + " max=" + maxPacketSize + " cuts=" + cuts
                    + " bytes=" + io.netty.buffer.ByteBufUtil.hexDump(bytes);
        }
    }

    /** One edit of a valid byte sequence: where, which kind, and the bit or byte it writes. */
    record Edit(int at, int kind, int bit, int value) {}

    @Test
    @DisplayName("random bytes after a valid handshake give only packets or PacketDecodeException")
    void randomBytes() {
        qt().withExamples(3000).forAll(randomStreams()).checkAssert(DecoderRobustnessProperties::run);
    }

    @Test
    @DisplayName("mutated valid packets give only packets or PacketDecodeException")
    void mutatedPackets() {
        qt().withExamples(3000).forAll(mutatedStreams()).checkAssert(DecoderRobustnessProperties::run);
    }

    @Test
    @DisplayName("a packet over the maximum size fails on its fixed header, before its body arrives")
    void tooLargeFailsEarly() {
        qt().withExamples(200).forAll(integers().between(2, 1000), integers().between(1, 100_000))
                .checkAssert(DecoderRobustnessProperties::tooLargeFailsEarly);
    }

    private static void tooLargeFailsEarly(int maxPacketSize, int excess) {
        PacketDecoder decoder = PacketDecoder.forClient(MqttVersion.V3_1_1, PacketDecoder.MAX_PACKET_SIZE);
        feedHandshake(decoder, MqttVersion.V3_1_1, false);
        decoder.maxPacketSize(maxPacketSize);
        int remaining = maxPacketSize + excess; // header bytes alone make it larger still
        ByteBuf header = Unpooled.buffer();
        header.writeByte(0x30); // PUBLISH QoS 0
        io.starling.codec.wire.VariableByteInteger.write(header, remaining);
        try {
            assertThatThrownBy(() -> decoder.decode(header))
                    .isInstanceOfSatisfying(PacketDecodeException.class,
                            e -> assertThat(e.reasonCode()).isEqualTo(ReasonCode.PACKET_TOO_LARGE));
        } finally {
            header.release();
        }
    }

    private static Gen<Stream> randomStreams() {
        return streams(Generate.enumValues(MqttVersion.class), PacketGenerators.byteArrays(0, 300));
    }

    private static Gen<Stream> mutatedStreams() {
        Gen<Edit> edit = integers().between(0, Integer.MAX_VALUE).zip(integers().between(0, 4),
                integers().between(0, 7), integers().between(0, 255), Edit::new);
        return Generate.enumValues(MqttVersion.class).flatMap(version -> {
            Gen<byte[]> valid = lists().of(PacketGenerators.sent(version)).ofSizeBetween(1, 4)
                    .map(list -> encodeAll(version, list));
            Gen<byte[]> mutated = valid.zip(lists().of(edit).ofSizeBetween(1, 6), DecoderRobustnessProperties::mutate);
            return streams(Generate.constant(version), mutated);
        });
    }

    private static Gen<Stream> streams(Gen<MqttVersion> versions, Gen<byte[]> bytes) {
        return versions.zip(PacketGenerators.booleans(), bytes, lists().of(integers().between(1, 64)).ofSizeBetween(0, 8),
                Generate.pick(List.of(16, 64, 256, 4096, PacketDecoder.MAX_PACKET_SIZE)), Stream::new);
    }

    private static byte[] encodeAll(MqttVersion version, List<Sent> packets) {
        ByteBuf buf = Unpooled.buffer();
        try {
            PacketEncoder encoder = new PacketEncoder(version);
            for (Sent sent : packets) {
                encoder.encode(sent.packet(), buf);
                ReferenceCountUtil.release(sent.packet());
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** Flips, overwrites, drops or inserts a few bytes, or cuts the tail. */
    private static byte[] mutate(byte[] valid, List<Edit> edits) {
        List<Byte> bytes = new ArrayList<>(valid.length + edits.size());
        for (byte b : valid) {
            bytes.add(b);
        }
        for (int i = 0; i < edits.size() && !bytes.isEmpty(); i++) {
            Edit edit = edits.get(i);
            int at = edit.at() % bytes.size();
            switch (edit.kind()) {
                case 0 -> bytes.set(at, (byte) (bytes.get(at) ^ (1 << edit.bit())));
                case 1 -> bytes.set(at, (byte) edit.value());
                case 2 -> bytes.remove(at);
                case 3 -> bytes.add(at, (byte) edit.value());
                default -> bytes.subList(at, bytes.size()).clear();
            }
        }
        byte[] out = new byte[bytes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = bytes.get(i);
        }
        return out;
    }

    private static void run(Stream stream) {
        PacketDecoder decoder = stream.serverSide()
                ? PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE)
                : PacketDecoder.forClient(stream.version(), PacketDecoder.MAX_PACKET_SIZE);
        feedHandshake(decoder, stream.version(), stream.serverSide());
        decoder.maxPacketSize(stream.maxPacketSize());

        ByteBuf cumulation = Unpooled.buffer();
        List<Packet> decoded = new ArrayList<>();
        try {
            int offset = 0;
            int cut = 0;
            byte[] bytes = stream.bytes();
            boolean failed = false;
            while (offset < bytes.length && !failed) {
                int piece = cut < stream.cuts().size() ? stream.cuts().get(cut++) : bytes.length - offset;
                int length = Math.min(piece, bytes.length - offset);
                cumulation.writeBytes(bytes, offset, length);
                offset += length;
                failed = drain(decoder, cumulation, decoded, stream.maxPacketSize());
            }
        } finally {
            decoded.forEach(ReferenceCountUtil::release);
            assertThat(cumulation.refCnt()).as("input references left after releasing every packet").isEqualTo(1);
            cumulation.release();
        }
    }

    /** Decodes all whole packets; true when the decoder failed (and the connection would close). */
    private static boolean drain(PacketDecoder decoder, ByteBuf cumulation, List<Packet> decoded, int maxPacketSize) {
        while (true) {
            int before = cumulation.readerIndex();
            Packet packet;
            try {
                packet = decoder.decode(cumulation);
            } catch (PacketDecodeException e) {
                assertThat(e.reasonCode().isError()).isTrue();
                assertThat(e.rule()).isNotBlank();
                return true;
            }
            if (packet == null) {
                assertThat(cumulation.readerIndex()).as("nothing consumed while waiting").isEqualTo(before);
                // waiting for more is only ever for a packet that fits the limit
                assertThat(cumulation.readableBytes()).as("bytes buffered while waiting")
                        .isLessThan(Math.max(maxPacketSize, 5));
                return false;
            }
            assertThat(cumulation.readerIndex()).as("a packet consumes bytes").isGreaterThan(before);
            assertThat(cumulation.readerIndex() - before).as("decoded packet size").isLessThanOrEqualTo(maxPacketSize);
            decoded.add(packet);
        }
    }

    private static void feedHandshake(PacketDecoder decoder, MqttVersion version, boolean serverSide) {
        Packet handshake = serverSide ? new Connect(version, "robust", true, 60) : new ConnAck(false, ReasonCode.SUCCESS);
        ByteBuf buf = Unpooled.buffer();
        try {
            new PacketEncoder(version).encode(handshake, buf);
            assertThat(decoder.decode(buf)).isEqualTo(handshake);
        } finally {
            buf.release();
        }
    }
}
