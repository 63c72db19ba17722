package io.starling.broker.internal.limits;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.codec.packet.ReasonCode;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's limits against abuse and overload as they are now, and the checks of topics and
 * subscriptions against them. Every reader reads {@link #current()} afresh (one volatile read),
 * so that {@link #replace} applies at run time without locks: a topic, filter or subscription
 * checked after the replace is checked against the new limits, a rate or byte bound from the
 * next packet or message on. Any thread.
 */
public final class LiveLimits {
    private static final Logger log = LoggerFactory.getLogger(LiveLimits.class);

    private final BrokerMetrics metrics;
    private volatile BrokerConfig.Limits current;

    public LiveLimits(BrokerConfig.Limits initial, BrokerMetrics metrics) {
        this.current = Objects.requireNonNull(initial);
        this.metrics = metrics;
    }

    /** The limits in force. */
    public BrokerConfig.Limits current() {
        return current;
    }

    /**
     * Puts {@code limits} in force at once, for every connection (a {@link BrokerConfig.Limits}
     * is valid once made, so this cannot fail half-way). {@code max_connections} is read by the
     * transport, not here.
     */
    public void replace(BrokerConfig.Limits limits) {
        BrokerConfig.Limits before = current;
        current = Objects.requireNonNull(limits);
        if (!before.equals(limits)) {
            log.info("limits replaced: {}", limits);
        }
    }

    /**
     * Why a PUBLISH (or will) topic is refused, or null when it keeps {@code max_topic_levels}
     * and {@code max_topic_length}; a refusal is counted.
     */
    public @Nullable String topicRefused(String topic) {
        BrokerConfig.Limits limits = current;
        String why = TopicLimits.violation(topic, limits.maxTopicLevels(), limits.maxTopicLength());
        if (why != null) {
            metrics.topicsRefused.increment();
        }
        return why;
    }

    /**
     * The code a SUBSCRIBE filter is refused with, or null when it may be granted: beyond {@code
     * max_topic_levels} or {@code max_topic_length}, 0x8F Topic Filter invalid (3.1.1: 0x80); a
     * new subscription beyond {@code max_subscriptions_per_client}, 0x97 Quota exceeded (3.1.1:
     * 0x80). A filter the session already has replaces its subscription [MQTT-3.8.4-3], so it is
     * not a new one. Each refusal is counted.
     *
     * @param subscriptions the session's subscriptions by filter, before this one
     */
    public @Nullable ReasonCode filterRefused(String clientId, String filter, Map<String, ?> subscriptions, boolean v5) {
        BrokerConfig.Limits limits = current;
        String why = TopicLimits.filterViolation(filter, limits.maxTopicLevels(), limits.maxTopicLength());
        if (why != null) {
            metrics.topicsRefused.increment();
            log.debug("client {}: refused topic filter: {}", clientId, why);
            return v5 ? ReasonCode.TOPIC_FILTER_INVALID : ReasonCode.UNSPECIFIED_ERROR;
        }
        int max = limits.maxSubscriptionsPerClient();
        if (max != 0 && subscriptions.size() >= max && !subscriptions.containsKey(filter)) {
            metrics.subscriptionsRefused.increment();
            log.debug("client {}: refused topic filter '{}': max_subscriptions_per_client ({}) reached", clientId, filter, max);
            return v5 ? ReasonCode.QUOTA_EXCEEDED : ReasonCode.UNSPECIFIED_ERROR;
        }
        return null;
    }
}
