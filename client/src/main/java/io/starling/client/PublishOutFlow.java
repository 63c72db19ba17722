package io.starling.client;

import io.netty.buffer.Unpooled;
import io.starling.client.internal.Callbacks;
import io.starling.client.internal.PacketIds;
import io.starling.client.internal.Wire;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's outgoing PUBLISH flow: a bounded buffer of messages waiting to be sent, and the
 * in-flight window of QoS 1 and 2 messages awaiting PUBACK, or PUBREC then PUBCOMP. A message
 * leaves the buffer while the connection is up, the socket writable and (at QoS 1 and 2) the
 * window has room. In-flight messages survive a lost connection and are re-sent, in their
 * original order, when the next one is accepted. Confined to the client's I/O thread.
 */
final class PublishOutFlow {
    private static final Logger log = LoggerFactory.getLogger(PublishOutFlow.class);

    private static final class Outgoing {
        final MqttMessage message;
        final CompletableFuture<Void> future;
        int packetId;
        /** PUBREC received: the server owns the message, PUBREL is what is outstanding. */
        boolean released;

        Outgoing(MqttMessage message, CompletableFuture<Void> future) {
            this.message = message;
            this.future = future;
        }
    }

    private final Wire wire;
    private final PacketIds ids;
    private final Callbacks callbacks;
    private final int maxInflight;
    private final int maxBuffered;
    private final ArrayDeque<Outgoing> buffer = new ArrayDeque<>();
    /** By packet id, in the order sent: the order of re-sending [MQTT-4.6.0-1]. */
    private final LinkedHashMap<Integer, Outgoing> inflight = new LinkedHashMap<>();

    PublishOutFlow(Wire wire, PacketIds ids, Callbacks callbacks, int maxInflight, int maxBuffered) {
        this.wire = wire;
        this.ids = ids;
        this.callbacks = callbacks;
        this.maxInflight = maxInflight;
        this.maxBuffered = maxBuffered;
    }

    void submit(MqttMessage message, CompletableFuture<Void> future) {
        Outgoing outgoing = new Outgoing(message, future);
        if (buffer.isEmpty() && canSend(outgoing)) {
            send(outgoing);
        } else if (buffer.size() >= maxBuffered) {
            callbacks.fail(future, new MessageBufferFullException(maxBuffered));
        } else {
            buffer.add(outgoing);
        }
    }

    /** Sends buffered messages while there is room. */
    void drain() {
        while (!buffer.isEmpty() && canSend(buffer.peek())) {
            send(buffer.poll());
        }
    }

    void onPubAck(int packetId) {
        Outgoing outgoing = inflight.get(packetId);
        if (outgoing == null || outgoing.message.qos() != QoS.AT_LEAST_ONCE) {
            log.debug("PUBACK for packet id {}, which is not a QoS 1 message in flight: ignored", packetId);
            return;
        }
        inflight.remove(packetId);
        ids.release(packetId);
        callbacks.complete(outgoing.future, null);
        drain();
    }

    void onPubRec(int packetId) {
        Outgoing outgoing = inflight.get(packetId);
        if (outgoing != null && outgoing.message.qos() == QoS.EXACTLY_ONCE) {
            outgoing.released = true;
        } else {
            log.debug("PUBREC for packet id {}, which is not a QoS 2 message in flight: answered anyway", packetId);
        }
        // [MQTT-4.3.3-1] answer PUBREC with PUBREL, also a repeated one
        wire.send(new PubRel(packetId));
    }

    void onPubComp(int packetId) {
        Outgoing outgoing = inflight.get(packetId);
        if (outgoing == null || !outgoing.released) {
            log.debug("PUBCOMP for packet id {}, which awaits no PUBCOMP: ignored", packetId);
            return;
        }
        inflight.remove(packetId);
        ids.release(packetId);
        callbacks.complete(outgoing.future, null);
        drain();
    }

    /**
     * A connection was accepted. If the server resumed the session, every message in flight is
     * sent again as it was, PUBLISH with DUP set or PUBREL, under its packet id [MQTT-4.4.0-1].
     * On a new session the server knows none of them: a message it had acknowledged with PUBREC
     * is its to deliver already, so its future completes; the others are published afresh.
     */
    void onConnected(boolean resumed) {
        List<Outgoing> resend = new ArrayList<>(inflight.values());
        for (Outgoing outgoing : resend) {
            if (outgoing.released) {
                if (resumed) {
                    wire.send(new PubRel(outgoing.packetId));
                } else {
                    inflight.remove(outgoing.packetId);
                    ids.release(outgoing.packetId);
                    callbacks.complete(outgoing.future, null);
                }
            } else {
                wire.send(publish(outgoing, resumed));
            }
        }
        drain();
    }

    /** Fails every buffered message (never sent), leaving those in flight. */
    void failBuffered(Throwable cause) {
        for (Outgoing outgoing; (outgoing = buffer.poll()) != null; ) {
            callbacks.fail(outgoing.future, cause);
        }
    }

    /** Fails every message, buffered or in flight, and forgets them. */
    void failAll(Throwable cause) {
        failBuffered(cause);
        for (Outgoing outgoing : inflight.values()) {
            ids.release(outgoing.packetId);
            callbacks.fail(outgoing.future, cause);
        }
        inflight.clear();
    }

    int inflightCount() {
        return inflight.size();
    }

    int bufferedCount() {
        return buffer.size();
    }

    private boolean canSend(Outgoing outgoing) {
        if (!wire.ready() || !wire.writable()) {
            return false;
        }
        return outgoing.message.qos() == QoS.AT_MOST_ONCE || (inflight.size() < maxInflight && ids.available());
    }

    private void send(Outgoing outgoing) {
        if (outgoing.message.qos() == QoS.AT_MOST_ONCE) {
            wire.send(publish(outgoing, false)).addListener(f -> {
                if (f.isSuccess()) {
                    callbacks.complete(outgoing.future, null);
                } else {
                    callbacks.fail(outgoing.future, new io.starling.client.MqttClientException(
                            "the QoS 0 message could not be written: " + f.cause(), f.cause()));
                }
            });
            return;
        }
        outgoing.packetId = ids.allocate();
        inflight.put(outgoing.packetId, outgoing);
        wire.send(publish(outgoing, false));
    }

    private static Publish publish(Outgoing outgoing, boolean dup) {
        MqttMessage m = outgoing.message;
        int packetId = m.qos() == QoS.AT_MOST_ONCE ? 0 : outgoing.packetId;
        return new Publish(m.topic(), m.qos(), dup, m.retain(), packetId, m.properties(), Unpooled.wrappedBuffer(m.payload()));
    }
}
