package io.starling.client;

import io.netty.buffer.ByteBufUtil;
import io.netty.util.concurrent.EventExecutor;
import io.starling.client.internal.Callbacks;
import io.starling.client.internal.InboundTopicAliases;
import io.starling.client.internal.Wire;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's incoming PUBLISH flow. Each message is handed to its listeners on the callback
 * executor, and acknowledged once they have returned: PUBACK at QoS 1, PUBREC at QoS 2. A QoS 2
 * packet id is remembered from its PUBLISH until PUBREL, so a re-sent PUBLISH with that id is
 * not delivered twice [MQTT-4.3.3-2]. In MQTT 5.0 a topic alias the server set is resolved here,
 * and taken out of the message's properties. Confined to the client's I/O thread, but for the listener
 * calls themselves.
 */
final class PublishInFlow {
    private static final Logger log = LoggerFactory.getLogger(PublishInFlow.class);

    /** Where a QoS 2 message stands between its PUBLISH and PUBREL. */
    private enum Received { DELIVERING, DELIVERED, ACKNOWLEDGED }

    private final Wire wire;
    private final EventExecutor loop;
    private final Callbacks callbacks;
    private final SubscriptionFlow subscriptions;
    private final Map<Integer, Received> awaitingRelease = new HashMap<>();
    private final int topicAliasMaximum;
    private InboundTopicAliases aliases;
    private boolean warnedUnmatched;

    PublishInFlow(Wire wire, EventExecutor loop, Callbacks callbacks, SubscriptionFlow subscriptions, int topicAliasMaximum) {
        this.wire = wire;
        this.topicAliasMaximum = topicAliasMaximum;
        this.aliases = new InboundTopicAliases(topicAliasMaximum);
        this.loop = loop;
        this.callbacks = callbacks;
        this.subscriptions = subscriptions;
    }

    /** Takes ownership of {@code publish} and releases it. */
    void onPublish(Publish publish) {
        MqttMessage message;
        try {
            String topic = publish.topic();
            Properties properties = publish.properties();
            long alias = properties.integer(PropertyId.TOPIC_ALIAS).orElse(0);
            if (alias != 0) {
                if (!aliases.allows(alias)) {
                    // [MQTT-3.3.2-8] [MQTT-3.3.2-10] 1 to the Topic Alias Maximum the client sent, no other
                    wire.protocolError(ReasonCode.TOPIC_ALIAS_INVALID, "the server used topic alias " + alias
                            + ", above the client's Topic Alias Maximum of " + topicAliasMaximum);
                    return;
                }
                if (topic.isEmpty()) {
                    String known = aliases.topic((int) alias);
                    if (known == null) {
                        wire.protocolError(ReasonCode.PROTOCOL_ERROR, "the server used topic alias " + alias + " before setting it");
                        return;
                    }
                    topic = known;
                } else {
                    aliases.set((int) alias, topic);
                }
                properties = withoutAlias(properties);
            } else if (topic.isEmpty()) {
                wire.protocolError(ReasonCode.PROTOCOL_ERROR, "the server sent a PUBLISH with neither topic nor alias");
                return;
            }
            message = new MqttMessage(topic, ByteBufUtil.getBytes(publish.payload()), publish.qos(),
                    publish.retained(), publish.dup(), properties);
        } finally {
            publish.release();
        }
        int packetId = publish.packetId();
        switch (message.qos()) {
            case AT_MOST_ONCE -> deliver(message, null);
            case AT_LEAST_ONCE -> {
                long epoch = wire.sessionEpoch();
                deliver(message, () -> acknowledge(epoch, new PubAck(packetId)));
            }
            case EXACTLY_ONCE -> {
                Received state = awaitingRelease.get(packetId);
                if (state == null) {
                    awaitingRelease.put(packetId, Received.DELIVERING);
                    long epoch = wire.sessionEpoch();
                    deliver(message, () -> {
                        if (awaitingRelease.get(packetId) == Received.DELIVERING) {
                            awaitingRelease.put(packetId, Received.DELIVERED);
                            if (acknowledge(epoch, new PubRec(packetId))) {
                                awaitingRelease.put(packetId, Received.ACKNOWLEDGED);
                            }
                        }
                    });
                } else if (state != Received.DELIVERING) {
                    // [MQTT-4.3.3-2] already delivered: acknowledge again, do not deliver again
                    wire.send(new PubRec(packetId));
                    awaitingRelease.put(packetId, Received.ACKNOWLEDGED);
                }
            }
        }
    }

    void onPubRel(int packetId) {
        awaitingRelease.remove(packetId);
        // [MQTT-4.3.3-2] answer PUBREL with PUBCOMP, also for an id no longer known
        wire.send(new PubComp(packetId));
    }

    /** A connection was accepted; on a new session no QoS 2 exchange survives. */
    void onConnected(boolean resumed) {
        aliases = new InboundTopicAliases(topicAliasMaximum);
        if (!resumed) {
            awaitingRelease.clear();
        }
    }

    private static Properties withoutAlias(Properties properties) {
        List<Property> rest = new ArrayList<>(properties.all().size());
        for (Property p : properties.all()) {
            if (p.id() != PropertyId.TOPIC_ALIAS) {
                rest.add(p);
            }
        }
        return new Properties(rest);
    }

    private void deliver(MqttMessage message, @Nullable Runnable acknowledgement) {
        List<MessageListener> listeners = subscriptions.listenersFor(message.topic());
        if (listeners.isEmpty()) {
            // typical of a resumed session, whose queued messages arrive before any subscribe call
            if (!warnedUnmatched) {
                warnedUnmatched = true;
                log.warn("a message on {} matches no listener and is dropped (acknowledged); set "
                        + "MqttClientBuilder.messageListener to receive the messages of a resumed session", message.topic());
            } else {
                log.debug("a message on {} matches no listener and is dropped", message.topic());
            }
        }
        callbacks.execute(() -> {
            for (MessageListener listener : listeners) {
                try {
                    listener.onMessage(message);
                } catch (RuntimeException e) {
                    log.warn("the listener of a message on {} failed; the message is acknowledged anyway", message.topic(), e);
                }
            }
            if (acknowledgement != null) {
                try {
                    loop.execute(acknowledgement);
                } catch (RejectedExecutionException e) {
                    // the client closed while the listener ran: there is no connection to acknowledge on
                }
            }
        });
    }

    /** Sends an acknowledgement if the session it belongs to is the one connected now. */
    private boolean acknowledge(long epoch, io.starling.codec.packet.Packet ack) {
        if (!wire.ready() || wire.sessionEpoch() != epoch) {
            return false;
        }
        wire.send(ack);
        return true;
    }
}
