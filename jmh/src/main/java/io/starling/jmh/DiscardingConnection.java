package io.starling.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.protocol.PublishOutFlow;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.session.ClientConnection;
import io.starling.broker.internal.session.Session;
import io.starling.broker.model.Message;
import io.starling.codec.encode.PacketEncoder;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A client connection with no network behind it, for a session in a benchmark. It encodes each
 * packet into a pooled buffer as the broker's connection does, hands the size to a Blackhole and
 * releases the buffer instead of writing it to a channel. The client it stands for acknowledges
 * every QoS 1 PUBLISH at once: at the session's flush, the end of a batch, each PUBLISH sent since
 * is passed to {@link PublishOutFlow#onPubAck}, as if its PUBACK had just been read, so that the
 * in-flight window never fills. Always writable; its event loop runs tasks inline. Used from one
 * thread, the session's mailbox.
 */
final class DiscardingConnection implements ClientConnection {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final PacketEncoder encoder = new PacketEncoder(MqttVersion.V3_1_1);
    private final PublishOutFlow flow;
    private final Blackhole blackhole;
    private @Nullable Session session;
    private int[] unacknowledged = new int[8];
    private int unacknowledgedCount;
    private long publishesSent;

    DiscardingConnection(PublishOutFlow flow, Blackhole blackhole) {
        this.flow = flow;
        this.blackhole = blackhole;
    }

    /** Attaches the connection to {@code session}, whose PUBLISHes it will acknowledge. */
    void attach(Session session) {
        this.session = session;
        session.attach(this, 0, false);
        session.connAckSent();
    }

    /** PUBLISH packets sent to this connection so far. */
    long publishesSent() {
        return publishesSent;
    }

    @Override
    public void send(Packet packet) {
        ByteBuf encoded = encoder.encode(alloc, packet);
        try {
            blackhole.consume(encoded.readableBytes());
        } finally {
            encoded.release();
        }
        if (packet instanceof Publish publish) {
            publishesSent++;
            if (publish.qos() == QoS.AT_LEAST_ONCE) {
                if (unacknowledgedCount == unacknowledged.length) {
                    unacknowledged = Arrays.copyOf(unacknowledged, unacknowledgedCount * 2);
                }
                unacknowledged[unacknowledgedCount++] = publish.packetId();
            } else if (publish.qos() == QoS.EXACTLY_ONCE) {
                throw new IllegalStateException("QoS 2 is not part of the benchmark");
            }
        }
    }

    @Override
    public void flush() {
        Session attached = session;
        if (attached == null) {
            return; // nothing was sent before attach
        }
        // onPubAck may send queued messages, which add to the array as it is read
        for (int i = 0; i < unacknowledgedCount; i++) {
            flow.onPubAck(attached, unacknowledged[i]);
        }
        unacknowledgedCount = 0;
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public boolean publish(Message message, QoS qos, boolean dup, boolean retain, int packetId, int[] subscriptionIds) {
        Publish publish = new Publish(message.topic(), qos, dup, retain, packetId, Unpooled.wrappedBuffer(message.payload()));
        try {
            send(publish);
        } finally {
            publish.release();
        }
        return true;
    }

    @Override
    public boolean fits(Message message, int[] subscriptionIds) {
        return true;
    }

    @Override
    public int sendWindow() {
        return BrokerConfig.DEFAULT_MAX_INFLIGHT;
    }

    @Override
    public Session.@Nullable PendingWill takeWill() {
        return null;
    }

    @Override
    public void disconnect(ReasonCode reasonCode, String reason) {
        throw new IllegalStateException("no protocol violation in a benchmark: " + reason);
    }

    // These two have no @Override so that the class compiles with and without the broker's
    // publisher back-pressure: no subscriber here is ever congested, so neither is called.
    @Override
    public void holdBackUntilDrained(Subscriber full) {
        throw new IllegalStateException("no publisher connection in a benchmark: " + full);
    }

    @Override
    public void stopHoldingBack() {
        // never held back: nothing to resume
    }

    @Override
    public MqttVersion version() {
        return MqttVersion.V3_1_1;
    }

    @Override
    public EventExecutor eventLoop() {
        return ImmediateEventExecutor.INSTANCE;
    }

    @Override
    public void whenClosed(Runnable then) {
        then.run();
    }

    @Override
    public void closeForTakeOver() {
        throw new IllegalStateException("no other connection takes this one over in a benchmark");
    }

    @Override
    public void closeForStoreFailure(String reason) {
        throw new IllegalStateException("no store in a benchmark: " + reason);
    }
}
