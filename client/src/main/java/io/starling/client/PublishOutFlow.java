package io.starling.client;

import io.netty.buffer.Unpooled;
import io.starling.client.internal.Callbacks;
import io.starling.client.internal.OutboundTopicAliases;
import io.starling.client.internal.PacketIds;
import io.starling.client.internal.ServerLimits;
import io.starling.client.internal.Wire;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.PacketType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's outgoing PUBLISH flow: a bounded buffer of messages waiting to be sent, and the
 * in-flight window of QoS 1 and 2 messages awaiting PUBACK, or PUBREC then PUBCOMP. A message
 * leaves the buffer while the connection is up, the socket writable and (at QoS 1 and 2) the
 * window has room. In-flight messages survive a lost connection and are re-sent, in their
 * original order, when the next one is accepted. In MQTT 5.0 the server's CONNACK bounds the
 * window (Receive Maximum [MQTT-3.3.4-7]) and what may be sent (Maximum Packet Size, Maximum QoS,
 * Retain Available: refused here with {@link ServerLimitException}), and lets repeated topics go
 * by alias. Confined to the client's I/O thread.
 */
final class PublishOutFlow {
    private static final Logger log = LoggerFactory.getLogger(PublishOutFlow.class);

    private static final class Outgoing {
        final MqttMessage message;
        final CompletableFuture<PublishResult> future;
        int packetId;
        /** PUBREC received: the server owns the message, PUBREL is what is outstanding. */
        boolean released;
        /** The PUBREC's answer, completing the future at PUBCOMP (5.0). */
        @Nullable PublishResult received;

        Outgoing(MqttMessage message, CompletableFuture<PublishResult> future) {
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
    private ServerLimits limits = ServerLimits.NONE;
    private OutboundTopicAliases aliases = new OutboundTopicAliases(0);

    PublishOutFlow(Wire wire, PacketIds ids, Callbacks callbacks, int maxInflight, int maxBuffered) {
        this.wire = wire;
        this.ids = ids;
        this.callbacks = callbacks;
        this.maxInflight = maxInflight;
        this.maxBuffered = maxBuffered;
    }

    void submit(MqttMessage message, CompletableFuture<PublishResult> future) {
        try {
            // checked here: a PUBLISH that cannot be made would otherwise throw on the I/O thread, leaving the future hanging
            message.properties().requireAllowedIn(PacketType.PUBLISH, false);
        } catch (IllegalArgumentException e) {
            callbacks.fail(future, e);
            return;
        }
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

    void onPubAck(PubAck ack) {
        int packetId = ack.packetId();
        Outgoing outgoing = inflight.get(packetId);
        if (outgoing == null || outgoing.message.qos() != QoS.AT_LEAST_ONCE) {
            log.debug("PUBACK for packet id {}, which is not a QoS 1 message in flight: ignored", packetId);
            return;
        }
        finish(outgoing, PacketType.PUBACK, ack.reasonCode(), ack.properties());
    }

    void onPubRec(PubRec rec) {
        int packetId = rec.packetId();
        Outgoing outgoing = inflight.get(packetId);
        if (rec.reasonCode().isError()) {
            // [MQTT-4.3.3-4] PUBREL answers a PUBREC below 0x80 only: one of 0x80 or more ends the exchange
            if (outgoing != null && outgoing.message.qos() == QoS.EXACTLY_ONCE && !outgoing.released) {
                finish(outgoing, PacketType.PUBREC, rec.reasonCode(), rec.properties());
            }
            return;
        }
        if (outgoing != null && outgoing.message.qos() == QoS.EXACTLY_ONCE) {
            outgoing.released = true;
            outgoing.received = new PublishResult(rec.reasonCode(), rec.properties());
        } else {
            log.debug("PUBREC for packet id {}, which is not a QoS 2 message in flight: answered anyway", packetId);
        }
        // [MQTT-4.3.3-1] answer PUBREC with PUBREL, also a repeated one
        wire.send(new PubRel(packetId));
    }

    void onPubComp(PubComp comp) {
        int packetId = comp.packetId();
        Outgoing outgoing = inflight.get(packetId);
        if (outgoing == null || !outgoing.released) {
            log.debug("PUBCOMP for packet id {}, which awaits no PUBCOMP: ignored", packetId);
            return;
        }
        if (comp.reasonCode() == ReasonCode.SUCCESS && outgoing.received != null) {
            // the PUBREC's code (e.g. 0x10 no matching subscribers) says more than PUBCOMP's success
            PublishResult result = outgoing.received;
            finish(outgoing, PacketType.PUBCOMP, result.reasonCode(), result.properties());
        } else {
            finish(outgoing, PacketType.PUBCOMP, comp.reasonCode(), comp.properties());
        }
    }

    /** The exchange of {@code outgoing} ended with {@code code}: its id is free and its future completes. */
    private void finish(Outgoing outgoing, PacketType answer, ReasonCode code, Properties properties) {
        inflight.remove(outgoing.packetId);
        ids.release(outgoing.packetId);
        if (code.isError()) {
            callbacks.fail(outgoing.future, new PublishRefusedException(answer, code,
                    properties.string(PropertyId.REASON_STRING).orElse(null)));
        } else {
            callbacks.complete(outgoing.future, code == ReasonCode.SUCCESS && properties.isEmpty()
                    ? PublishResult.SUCCESS : new PublishResult(code, properties));
        }
        drain();
    }

    /**
     * A connection was accepted. If the server resumed the session, every message in flight is
     * sent again as it was, PUBLISH with DUP set or PUBREL, under its packet id [MQTT-4.4.0-1].
     * On a new session the server knows none of them: a message it had acknowledged with PUBREC
     * is its to deliver already, so its future completes; the others are published afresh.
     */
    void onConnected(boolean resumed, ServerLimits server) {
        this.limits = server;
        this.aliases = new OutboundTopicAliases(server.topicAliasMaximum());
        List<Outgoing> resend = new ArrayList<>(inflight.values());
        for (Outgoing outgoing : resend) {
            if (outgoing.released) {
                if (resumed) {
                    wire.send(new PubRel(outgoing.packetId));
                } else {
                    inflight.remove(outgoing.packetId);
                    ids.release(outgoing.packetId);
                    callbacks.complete(outgoing.future, outgoing.received);
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
        return outgoing.message.qos() == QoS.AT_MOST_ONCE
                || (inflight.size() < Math.min(maxInflight, limits.receiveMaximum()) && ids.available());
    }

    private void send(Outgoing outgoing) {
        ServerLimitException refused = refusal(outgoing.message);
        if (refused != null) {
            callbacks.fail(outgoing.future, refused);
            return;
        }
        if (outgoing.message.qos() == QoS.AT_MOST_ONCE) {
            wire.send(publish(outgoing, false)).addListener(f -> {
                if (f.isSuccess()) {
                    callbacks.complete(outgoing.future, PublishResult.SUCCESS);
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

    /** Why the server, as its CONNACK describes it, would not take {@code m}; null if it would. */
    private @Nullable ServerLimitException refusal(MqttMessage m) {
        if (limits == ServerLimits.NONE) {
            return null; // 3.1.1, or a 5.0 server that limits nothing
        }
        ReasonCode code = limits.refusesPublish(m.qos(), m.retain());
        if (code == ReasonCode.QOS_NOT_SUPPORTED) {
            return new ServerLimitException(code, "the server takes QoS " + limits.maximumQos().value()
                    + " at most (Maximum QoS), not " + m.qos().value());
        }
        if (code != null) {
            return new ServerLimitException(code, "the server takes no retained messages (Retain Available 0)");
        }
        if (limits.maximumPacketSize() < ServerLimits.NONE.maximumPacketSize()) {
            // sized as publish() will send it: with a Topic Alias (every alias takes two bytes), and
            // with an empty topic once the server knows the alias
            Publish full = new Publish(aliases.knows(m.topic()) ? "" : m.topic(), m.qos(), false, m.retain(),
                    m.qos() == QoS.AT_MOST_ONCE ? 0 : 1, aliases.enabled() ? withAlias(outgoingProperties(m), 1) : outgoingProperties(m),
                    Unpooled.wrappedBuffer(m.payload()));
            int size = wire.encodedSize(full);
            if (size > limits.maximumPacketSize()) {
                // [MQTT-3.2.2-15] never send a packet larger than the server's Maximum Packet Size
                return new ServerLimitException(ReasonCode.PACKET_TOO_LARGE, "the PUBLISH would be " + size
                        + " bytes, over the server's Maximum Packet Size of " + limits.maximumPacketSize());
            }
        }
        return null;
    }

    private Publish publish(Outgoing outgoing, boolean dup) {
        MqttMessage m = outgoing.message;
        int packetId = m.qos() == QoS.AT_MOST_ONCE ? 0 : outgoing.packetId;
        String topic = m.topic();
        if (!aliases.enabled() && m.properties().isEmpty()) {
            // the common case, 3.1.1 always: the message as it is
            return new Publish(topic, m.qos(), dup, m.retain(), packetId, Properties.EMPTY, Unpooled.wrappedBuffer(m.payload()));
        }
        Properties properties = outgoingProperties(m);
        int alias = aliases.aliasFor(topic);
        if (alias != 0) {
            properties = withAlias(properties, Math.abs(alias));
            if (alias > 0) {
                topic = ""; // the server knows the alias: the topic is left out
            }
        }
        return new Publish(topic, m.qos(), dup, m.retain(), packetId, properties, Unpooled.wrappedBuffer(m.payload()));
    }

    private static Properties withAlias(Properties properties, int alias) {
        List<Property> with = new ArrayList<>(properties.all().size() + 1);
        with.addAll(properties.all());
        with.add(Property.of(PropertyId.TOPIC_ALIAS, alias));
        return new Properties(with);
    }

    /**
     * The properties of {@code m} a client's PUBLISH carries: a Topic Alias is the client's to set,
     * and a Subscription Identifier (on a received message published again) is the server's
     * [MQTT-3.3.4-6], so both are left out.
     */
    private static Properties outgoingProperties(MqttMessage m) {
        Properties properties = m.properties();
        if (!properties.contains(PropertyId.TOPIC_ALIAS) && !properties.contains(PropertyId.SUBSCRIPTION_IDENTIFIER)) {
            return properties;
        }
        List<Property> kept = new ArrayList<>(properties.all().size());
        for (Property p : properties.all()) {
            if (p.id() != PropertyId.TOPIC_ALIAS && p.id() != PropertyId.SUBSCRIPTION_IDENTIFIER) {
                kept.add(p);
            }
        }
        return new Properties(kept);
    }
}
