package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.model.Message;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A connection without a network for the session tests: it counts flushes and records why it was
 * closed for a store failure; sending a packet or a take-over fails the test.
 */
final class RecordingConnection implements ClientConnection {
    private final EventExecutor loop;
    final AtomicInteger flushes = new AtomicInteger();
    /** The reasons given to {@link #closeForStoreFailure}, in order. */
    final List<String> storeFailures = new ArrayList<>();

    RecordingConnection(EventExecutor loop) {
        this.loop = loop;
    }

    @Override
    public void send(Packet packet) {
        throw new AssertionError("nothing is sent in these tests");
    }

    @Override
    public void flush() {
        flushes.incrementAndGet();
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public boolean publish(Message message, QoS qos, boolean dup, boolean retain, int packetId, int[] subscriptionIds) {
        throw new AssertionError("nothing is sent in these tests");
    }

    @Override
    public boolean fits(Message message, int[] subscriptionIds) {
        return true;
    }

    @Override
    public int sendWindow() {
        return 32;
    }

    @Override
    public Session.@Nullable PendingWill takeWill() {
        return null;
    }

    @Override
    public void disconnect(ReasonCode reasonCode, String reason) {
        throw new AssertionError("no protocol violation in these tests: " + reason);
    }

    @Override
    public void holdBackUntilDrained(Subscriber full) {}

    @Override
    public void stopHoldingBack() {}

    @Override
    public MqttVersion version() {
        return MqttVersion.V3_1_1;
    }

    @Override
    public EventExecutor eventLoop() {
        return loop;
    }

    @Override
    public void whenClosed(Runnable then) {
        then.run();
    }

    @Override
    public void closeForTakeOver() {
        throw new AssertionError("no take-over in these tests");
    }

    @Override
    public void closeForStoreFailure(String reason) {
        storeFailures.add(reason);
    }
}
