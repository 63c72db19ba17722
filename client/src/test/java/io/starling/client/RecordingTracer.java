package io.starling.client;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.PropertyId;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link PacketTracer} that keeps every packet the client sent and received, in wire order,
 * for a test to check what went over the connection. A PUBLISH is kept as a copy on the heap,
 * since its payload is valid only during the tracer's call.
 */
final class RecordingTracer implements PacketTracer {
    /** One packet, {@code sent} by the client or received by it, at {@code nanos} (System.nanoTime). */
    record Traced(boolean sent, Packet packet, long nanos) {}

    /** Guarded by itself: one I/O thread adds, test threads read copies. */
    private final List<Traced> packets = new ArrayList<>();

    @Override
    public void sent(Packet packet) {
        add(new Traced(true, copy(packet), System.nanoTime()));
    }

    @Override
    public void received(Packet packet) {
        add(new Traced(false, copy(packet), System.nanoTime()));
    }

    private void add(Traced traced) {
        synchronized (packets) {
            packets.add(traced);
        }
    }

    private static Packet copy(Packet packet) {
        if (packet instanceof Publish p) {
            return new Publish(p.topic(), p.qos(), p.dup(), p.retained(), p.packetId(), p.properties(),
                    Unpooled.wrappedBuffer(ByteBufUtil.getBytes(p.payload())));
        }
        return packet;
    }

    /** Every packet so far, in wire order. */
    List<Traced> all() {
        synchronized (packets) {
            return List.copyOf(packets);
        }
    }

    /** The packets of {@code type} the client sent, in order. */
    <T extends Packet> List<T> sent(Class<T> type) {
        return of(type, true);
    }

    /** The packets of {@code type} the client received, in order. */
    <T extends Packet> List<T> received(Class<T> type) {
        return of(type, false);
    }

    /** When the first packet of {@code type} in that direction was traced; fails if there is none. */
    long firstNanos(Class<? extends Packet> type, boolean sent) {
        return all().stream().filter(t -> t.sent() == sent && type.isInstance(t.packet()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " traced")).nanos();
    }

    /**
     * The most QoS 1 PUBLISHes the client had unacknowledged at once, counted on the wire: a first
     * PUBLISH (not a DUP re-send) takes a slot, a PUBACK or a PUBREC/PUBCOMP ending the exchange frees one.
     */
    int maxQos1InFlight() {
        int inFlight = 0;
        int max = 0;
        for (Traced t : all()) {
            if (t.sent() && t.packet() instanceof Publish p && p.qos() == QoS.AT_LEAST_ONCE && !p.dup()) {
                max = Math.max(max, ++inFlight);
            } else if (!t.sent() && (t.packet() instanceof PubAck || t.packet() instanceof PubComp
                    || t.packet() instanceof PubRec r && r.reasonCode().isError())) {
                inFlight--;
            }
        }
        return max;
    }

    /** The topic and Topic Alias (0 for none) of every PUBLISH sent, as {@code topic|alias}. */
    List<String> sentTopicsAndAliases() {
        List<String> result = new ArrayList<>();
        for (Publish p : sent(Publish.class)) {
            result.add(p.topic() + "|" + p.properties().integer(PropertyId.TOPIC_ALIAS).orElse(0));
        }
        return result;
    }

    private <T extends Packet> List<T> of(Class<T> type, boolean sent) {
        List<T> result = new ArrayList<>();
        for (Traced t : all()) {
            if (t.sent() == sent && type.isInstance(t.packet())) {
                result.add(type.cast(t.packet()));
            }
        }
        return result;
    }
}
