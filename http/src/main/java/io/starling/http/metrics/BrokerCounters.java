package io.starling.http.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.broker.metrics.CloseReason;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.util.function.ToDoubleFunction;

/**
 * The broker's cumulative counts as Prometheus counters ({@code starling_*_total}). Each reads a
 * {@link java.util.concurrent.atomic.LongAdder} of {@link BrokerMetrics} when scraped: the broker
 * counts as it always does, and pays nothing more for being watched.
 */
final class BrokerCounters {
    private BrokerCounters() {}

    static void register(MeterSet meters, BrokerMetrics m) {
        counter(meters, m, "starling.connections.opened", "Client connections opened (TCP, TLS or WebSocket)",
                x -> x.connectionsOpened.sum());
        for (CloseReason reason : CloseReason.values()) {
            meters.add(FunctionCounter.builder("starling.connections.closed", m, x -> x.connectionsClosed(reason))
                    .description("Client connections closed, by reason").tag("reason", reason.label())
                    .register(meters.registry()));
        }
        connectionsRefused(meters, m);
        messages(meters, m);
        drops(meters, m);
        counter(meters, m, "starling.publishers.held.back",
                "Times a publisher stopped being read because a subscriber it sends to had a full queue", x -> x.publishersHeldBack.sum());
        counter(meters, m, "starling.clients.throttled", "Times a client was paused for exceeding the inbound rate limits",
                x -> x.clientsThrottled.sum());
        counter(meters, m, "starling.authentication.failures",
                "Logins refused: bad user name or password, anonymous not allowed, a plug-in's refusal", x -> x.loginsRefused.sum());
        String tls = "TLS handshakes, by result";
        tagged(meters, m, "starling.tls.handshakes", tls, "result", "succeeded", x -> x.tlsHandshakesSucceeded.sum());
        tagged(meters, m, "starling.tls.handshakes", tls, "result", "failed", x -> x.tlsHandshakesFailed.sum());
        counter(meters, m, "starling.retained.refused", "Retained messages not kept: the retained-message limits were reached",
                x -> x.retainedMessagesRefused.sum());
        counter(meters, m, "starling.topics.refused", "Topics and filters refused for max_topic_levels or max_topic_length",
                x -> x.topicsRefused.sum());
        String subscriptionsRefused = "SUBSCRIBE filters refused, by cause";
        tagged(meters, m, "starling.subscriptions.refused", subscriptionsRefused, "cause", "limit", x -> x.subscriptionsRefused.sum());
        tagged(meters, m, "starling.subscriptions.refused", subscriptionsRefused, "cause", "not_authorized",
                x -> x.aclSubscribeDenied.sum());
        counter(meters, m, "starling.wills.refused", "Wills not published: the ACL file does not let their client write to their topic",
                x -> x.aclWillDenied.sum());
        counter(meters, m, "starling.sessions.restored", "Persistent sessions read back from the store at start-up",
                x -> x.sessionsRestored.sum());
        String forwarded = "Messages forwarded between cluster nodes, by direction (out: once per node it went to)";
        tagged(meters, m, "starling.cluster.messages.forwarded", forwarded, "direction", "out", x -> x.messagesForwardedOut.sum());
        tagged(meters, m, "starling.cluster.messages.forwarded", forwarded, "direction", "in", x -> x.messagesForwardedIn.sum());
    }

    private static void connectionsRefused(MeterSet meters, BrokerMetrics m) {
        String refused = "Connections closed as soon as accepted, by cause";
        tagged(meters, m, "starling.connections.refused", refused, "cause", "max_connections", x -> x.connectionsRefusedAtLimit.sum());
        tagged(meters, m, "starling.connections.refused", refused, "cause", "max_connection_rate", x -> x.connectionsRefusedByRate.sum());
        tagged(meters, m, "starling.connections.refused", refused, "cause", "invalid_proxy_header", x -> x.proxyHeadersInvalid.sum());
    }

    /** Messages and their payload bytes, by QoS and protocol version: 2 x 2 x 9 counters. */
    private static void messages(MeterSet meters, BrokerMetrics m) {
        for (MqttVersion version : MqttVersion.values()) {
            String protocol = protocol(version);
            for (QoS qos : QoS.values()) {
                String level = Integer.toString(qos.value());
                meters.add(FunctionCounter.builder("starling.messages.received", m, x -> x.messagesReceived(version, qos))
                        .description("PUBLISH packets received from clients and routed (wills not included)")
                        .tag("qos", level).tag("protocol", protocol).register(meters.registry()));
                meters.add(FunctionCounter.builder("starling.messages.received.payload", m, x -> x.payloadBytesReceived(version, qos))
                        .description("Payload bytes of the messages received").baseUnit("bytes")
                        .tag("qos", level).tag("protocol", protocol).register(meters.registry()));
                meters.add(FunctionCounter.builder("starling.messages.sent", m, x -> x.messagesSent(version, qos))
                        .description("PUBLISH packets sent to clients (re-sends included)")
                        .tag("qos", level).tag("protocol", protocol).register(meters.registry()));
                meters.add(FunctionCounter.builder("starling.messages.sent.payload", m, x -> x.payloadBytesSent(version, qos))
                        .description("Payload bytes of the messages sent").baseUnit("bytes")
                        .tag("qos", level).tag("protocol", protocol).register(meters.registry()));
            }
        }
    }

    /** Copies of messages that were not delivered, by cause. */
    private static void drops(MeterSet meters, BrokerMetrics m) {
        String dropped = "Copies of messages not delivered, by cause";
        tagged(meters, m, "starling.messages.dropped", dropped, "cause", "queue_full",
                x -> x.queuedMessagesDropped.sum() + x.qos0MessagesDropped.sum());
        tagged(meters, m, "starling.messages.dropped", dropped, "cause", "expired", x -> x.messagesExpired.sum());
        tagged(meters, m, "starling.messages.dropped", dropped, "cause", "too_large", x -> x.messagesTooLarge.sum());
        tagged(meters, m, "starling.messages.dropped", dropped, "cause", "not_authorized",
                x -> x.aclPublishDenied.sum() + x.aclDeliveryDenied.sum());
    }

    /** The label value of {@code version}: {@code 3.1}, {@code 3.1.1} or {@code 5.0}. */
    static String protocol(MqttVersion version) {
        return switch (version) {
            case V3_1 -> "3.1";
            case V3_1_1 -> "3.1.1";
            case V5 -> "5.0";
        };
    }

    private static void counter(MeterSet meters, BrokerMetrics m, String name, String description, ToDoubleFunction<BrokerMetrics> f) {
        meters.add(FunctionCounter.builder(name, m, f).description(description).register(meters.registry()));
    }

    private static void tagged(MeterSet meters, BrokerMetrics m, String name, String description, String key, String value,
            ToDoubleFunction<BrokerMetrics> f) {
        meters.add(FunctionCounter.builder(name, m, f).description(description).tag(key, value).register(meters.registry()));
    }
}
