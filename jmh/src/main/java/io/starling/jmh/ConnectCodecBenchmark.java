package io.starling.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** Decoding and encoding a typical MQTT 3.1.1 CONNECT with credentials and a will. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConnectCodecBenchmark {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final PacketEncoder encoder = new PacketEncoder(MqttVersion.V3_1_1);
    private Connect connect;
    private ByteBuf connectBytes;

    @Setup(Level.Trial)
    public void setUp() {
        connect = new Connect(MqttVersion.V3_1_1, "bench-client-000001", true, 60, "user", Bytes.of(new byte[16]),
                new Will("clients/bench-client-000001/status", Bytes.of("offline".getBytes(StandardCharsets.US_ASCII)),
                        QoS.AT_LEAST_ONCE, true),
                Properties.EMPTY);
        connectBytes = Unpooled.directBuffer(encoder.encodedSize(connect));
        encoder.encode(connect, connectBytes);
        if (!connect.equals(decodeConnect())) {
            throw new IllegalStateException("CONNECT does not round-trip");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        connectBytes.release();
    }

    @Benchmark
    public @Nullable Object decodeConnect() {
        connectBytes.readerIndex(0);
        return PacketDecoder.forServer(PacketDecoder.MAX_PACKET_SIZE).decode(connectBytes);
    }

    @Benchmark
    public int encodeConnect() {
        ByteBuf out = encoder.encode(alloc, connect);
        int n = out.readableBytes();
        out.release();
        return n;
    }
}
