package io.starling.cli.client;

import io.starling.client.PacketTracer;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.wire.MqttVersion;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The -d lines: every packet the client sends and receives, in libmosquitto's words ({@code
 * Client <id> sending CONNECT}, {@code Client <id> received PUBLISH (d0, q1, r0, m3, 'a/b', ...
 * (5 bytes))}), and after a SUBACK mosquitto_sub's {@code Subscribed (mid: 1): 1}; a DISCONNECT from
 * the broker (MQTT 5.0) is {@code Received DISCONNECT (139)}, with its reason code. {@code mN}
 * and {@code Mid: N} are the packet identifiers on the wire, so a QoS 0 PUBLISH shows m0 (the
 * mosquitto clients number those too). The client calls it on its I/O thread in wire order;
 * writing to standard output there is deliberate: with -d a stalled terminal stalls the
 * connection, as it does mosquitto's single thread.
 */
final class DebugLog implements PacketTracer {
    private final Output output;
    private final String clientId;
    private final boolean v5;
    private final boolean subscribedLine;

    /** @param subscribedLine whether to print mosquitto_sub's "Subscribed" line (mosquitto_rr does not) */
    DebugLog(Output output, String clientId, MqttVersion version, boolean subscribedLine) {
        this.output = output;
        this.clientId = clientId;
        this.v5 = version.isV5();
        this.subscribedLine = subscribedLine;
    }

    @Override
    public void sent(Packet packet) {
        if (packet instanceof Publish publish) {
            client("sending PUBLISH (" + publish(publish) + ")");
        } else if (packet instanceof PubAck ack) {
            client("sending PUBACK (m" + ack.packetId() + ", rc" + code(ack.reasonCode()) + ")");
        } else if (packet instanceof PubRec rec) {
            client("sending PUBREC (m" + rec.packetId() + ", rc" + code(rec.reasonCode()) + ")");
        } else if (packet instanceof PubRel rel) {
            client("sending PUBREL (m" + rel.packetId() + ")");
        } else if (packet instanceof PubComp comp) {
            client("sending PUBCOMP (m" + comp.packetId() + ")");
        } else if (packet instanceof Subscribe subscribe) {
            // one line per filter, as libmosquitto logs a SUBSCRIBE
            for (Subscription subscription : subscribe.subscriptions()) {
                client("sending SUBSCRIBE (Mid: " + subscribe.packetId() + ", Topic: " + subscription.topicFilter()
                        + ", QoS: " + subscription.qos().value() + ", Options: " + options(subscription) + ")");
            }
        } else if (packet instanceof Unsubscribe unsubscribe) {
            for (String filter : unsubscribe.topicFilters()) {
                client("sending UNSUBSCRIBE (Mid: " + unsubscribe.packetId() + ", Topic: " + filter + ")");
            }
        } else if (packet instanceof Connect) {
            client("sending CONNECT");
        } else if (packet instanceof PingReq) {
            client("sending PINGREQ");
        } else if (packet instanceof Disconnect) {
            client("sending DISCONNECT");
        } else {
            client("sending " + packet.type());
        }
    }

    @Override
    public void received(Packet packet) {
        if (packet instanceof Publish publish) {
            client("received PUBLISH (" + publish(publish) + ")");
        } else if (packet instanceof PubAck ack) {
            client("received PUBACK (Mid: " + ack.packetId() + ", RC:" + code(ack.reasonCode()) + ")");
        } else if (packet instanceof PubRec rec) {
            client("received PUBREC (Mid: " + rec.packetId() + ")");
        } else if (packet instanceof PubRel rel) {
            client("received PUBREL (Mid: " + rel.packetId() + ")");
        } else if (packet instanceof PubComp comp) {
            client("received PUBCOMP (Mid: " + comp.packetId() + ", RC:" + code(comp.reasonCode()) + ")");
        } else if (packet instanceof ConnAck ack) {
            client("received CONNACK (" + (v5 ? ack.reasonCode().value() : ack.reasonCode().v3ConnectReturnCode()) + ")");
        } else if (packet instanceof SubAck ack) {
            client("received SUBACK");
            // the granted QoS, or the failure: 128 in 3.1.1, the reason code in 5.0
            if (subscribedLine) {
                output.line("Subscribed (mid: " + ack.packetId() + "): " + ack.reasonCodes().stream()
                        .map(code -> String.valueOf(code.value())).collect(Collectors.joining(", ")));
            }
        } else if (packet instanceof Disconnect disconnect) {
            // libmosquitto's own words for it, without the client id
            output.line("Received DISCONNECT (" + disconnect.reasonCode().value() + ")");
        } else if (packet instanceof UnsubAck) {
            client("received UNSUBACK");
        } else if (packet instanceof PingResp) {
            client("received PINGRESP");
        } else {
            client("received " + packet.type());
        }
    }

    private static String publish(Publish publish) {
        return "d" + (publish.dup() ? 1 : 0) + ", q" + publish.qos().value() + ", r" + (publish.retained() ? 1 : 0)
                + ", m" + publish.packetId() + ", '" + publish.topic() + "', ... (" + publish.payload().readableBytes()
                + " bytes)";
    }

    /** A reason code as libmosquitto prints it: 0 for success (all MQTT 3.1.1 has). */
    private static int code(ReasonCode code) {
        return code == ReasonCode.SUCCESS ? 0 : code.value();
    }

    /**
     * The SUBSCRIBE options byte without the QoS, as libmosquitto prints it: No Local 0x04, Retain
     * As Published 0x08, Retain Handling times 0x10; always 0x00 in 3.1 and 3.1.1.
     */
    private String options(Subscription s) {
        int options = !v5 ? 0 : (s.noLocal() ? 0x04 : 0) | (s.retainAsPublished() ? 0x08 : 0) | s.retainHandling().value() << 4;
        return String.format(Locale.ROOT, "0x%02x", options);
    }

    private void client(String event) {
        output.line("Client " + clientId + " " + event);
    }
}
