package io.starling.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttVersion;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and encoding PUBLISH (64 B and 1 KiB payloads, QoS 0 and 1, MQTT 3.1.1).
 * Decoding reads a pre-encoded packet from a buffer whose indexes are reset each time, the way a
 * connection's cumulation buffer is read; encoding writes into a pooled buffer and releases it.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PublishCodecBenchmark {
    @Param({"64", "1024"})
    int payloadSize;

    @Param({"0", "1"})
    int qos;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final PacketEncoder encoder = new PacketEncoder(MqttVersion.V3_1_1);
    private Publish publish;
    private ByteBuf publishBytes;
    private PacketDecoder serverDecoder;

    @Setup(Level.Trial)
    public void setUp() {
        ByteBuf payload = Unpooled.directBuffer(payloadSize);
        payload.writeZero(payloadSize);
        QoS level = QoS.of(qos);
        publish = new Publish("sensors/building-7/floor-3/temperature", level, false, false,
                level == QoS.AT_MOST_ONCE ? 0 : 42, Properties.EMPTY, payload);
        publishBytes = encodeOnce(publish);
        serverDecoder = PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE);
        ByteBuf handshake = encodeOnce(new Connect(MqttVersion.V3_1_1, "bench", true, 60));
        serverDecoder.decode(handshake);
        handshake.release();
    }

    private ByteBuf encodeOnce(Packet packet) {
        ByteBuf buf = Unpooled.directBuffer(encoder.encodedSize(packet));
        encoder.encode(packet, buf);
        return buf;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        publish.release();
        publishBytes.release();
    }

    @Benchmark
    public Object decodePublish() {
        publishBytes.readerIndex(0);
        Publish p = (Publish) Objects.requireNonNull(serverDecoder.decode(publishBytes), "a whole PUBLISH is decoded");
        p.release();
        return p;
    }

    @Benchmark
    public int encodePublish() {
        ByteBuf out = encoder.encode(alloc, publish);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
