package io.starling.cli.client;

import io.starling.cli.client.format.ReceivedMessage;
import io.starling.client.MqttMessage;
import io.starling.client.PacketTracer;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.PropertyId;
import java.time.Instant;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * What sub and rr print that the client library keeps to itself: the packet identifier of each
 * message received (-F's {@code %m}, the JSON's {@code mid}) and the Topic Alias the broker sent
 * it with ({@code %A}). It watches the PUBLISH packets on the client's I/O thread, as a {@link
 * PacketTracer} (passing every packet on to -d's tracer, if any), and the listener takes them in
 * turn: the library hands messages over in the order they arrived, leaving out a QoS 2 PUBLISH
 * sent again before its PUBREL [MQTT-4.3.3-2], which is left out here too.
 */
final class InboundPublishes implements PacketTracer {
    /** Bounds what waits for the listener, should the two ever disagree. */
    private static final int MAX_WAITING = 10_000;

    /** A PUBLISH as received: what identifies its message, and what the message lacks. */
    private record Seen(String topic, QoS qos, int length, int packetId, int topicAlias) {}

    private final @Nullable PacketTracer next;
    private final Queue<Seen> waiting = new ConcurrentLinkedQueue<>();
    /** QoS 2 packet identifiers between PUBLISH and PUBREL; the I/O thread's only. */
    private final Set<Integer> awaitingRelease = new HashSet<>();

    InboundPublishes(@Nullable PacketTracer next) {
        this.next = next;
    }

    @Override
    public void sent(Packet packet) {
        if (next != null) {
            next.sent(packet);
        }
    }

    @Override
    public void received(Packet packet) {
        if (next != null) {
            next.received(packet);
        }
        if (packet instanceof Publish publish) {
            if (publish.qos() == QoS.EXACTLY_ONCE && !awaitingRelease.add(publish.packetId())) {
                return; // delivered already, or being delivered: not again
            }
            if (waiting.size() >= MAX_WAITING) {
                waiting.poll();
            }
            waiting.add(new Seen(publish.topic(), publish.qos(), publish.payload().readableBytes(), publish.packetId(),
                    (int) publish.properties().integer(PropertyId.TOPIC_ALIAS).orElse(0)));
        } else if (packet instanceof PubRel rel) {
            awaitingRelease.remove(rel.packetId());
        } else if (packet instanceof ConnAck ack && !ack.sessionPresent()) {
            awaitingRelease.clear(); // a new session: no QoS 2 exchange goes on
        }
    }

    /**
     * {@code message} with its packet identifier and topic alias, printed at {@code time}: the
     * oldest PUBLISH not yet taken that matches it (a PUBLISH that never reached the listener,
     * when the connection broke under it, is skipped); 0 and 0 if none does.
     */
    ReceivedMessage take(MqttMessage message, Instant time) {
        for (Seen seen; (seen = waiting.poll()) != null; ) {
            if (seen.qos() == message.qos() && seen.length() == message.payload().length
                    && (seen.topic().isEmpty() || seen.topic().equals(message.topic()))) {
                return new ReceivedMessage(message, seen.packetId(), seen.topicAlias(), time);
            }
        }
        return new ReceivedMessage(message, 0, 0, time);
    }
}
