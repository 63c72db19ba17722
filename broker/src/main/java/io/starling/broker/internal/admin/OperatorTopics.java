package io.starling.broker.internal.admin;

import io.starling.broker.internal.sys.SysPublisher;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;

/**
 * The checks an operator's topics and filters pass, as a client's would: a topic name to publish
 * to, a topic filter to list or watch. Failures are {@link IllegalArgumentException}s whose
 * message says what is wrong, for the operator to read.
 */
final class OperatorTopics {
    private OperatorTopics() {}

    /**
     * Checks {@code topic} as the topic name of a PUBLISH: non-empty [MQTT-4.7.3-1], free of
     * wildcards [MQTT-4.7.1-1] and U+0000, at most 65535 UTF-8 bytes, and not in the broker's own
     * {@code $SYS} tree, which clients may not publish to either.
     */
    static String requireTopicName(String topic) {
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("the topic is empty: a topic name is at least one character long");
        }
        if (Topics.hasWildcard(topic)) {
            throw new IllegalArgumentException("the topic '" + topic + "' holds a wildcard ('+' or '#'): a topic name may not");
        }
        requireMqttString("topic", topic);
        if (SysPublisher.isSysTopic(topic)) {
            throw new IllegalArgumentException("the topic '" + topic + "' is in the broker's own $SYS tree, which nobody may publish to");
        }
        return topic;
    }

    /** Checks {@code filter} as a topic filter that is not a shared subscription (to list retained messages, or to watch). */
    static String requireFilter(String filter) {
        requireMqttString("topic filter", filter);
        if (Topics.isShared(filter)) {
            throw new IllegalArgumentException("the topic filter '" + filter + "' is a shared subscription ($share/...): give its topic filter");
        }
        String violation = Topics.filterViolation(filter, MqttVersion.V5);
        if (violation != null) {
            throw new IllegalArgumentException("the topic filter '" + filter + "' is not valid: " + violation);
        }
        return filter;
    }

    private static void requireMqttString(String what, String s) {
        if (MqttStrings.encodedLength(s) < 0) {
            throw new IllegalArgumentException("the " + what + " is not a valid MQTT string: it holds U+0000 or an unpaired"
                    + " surrogate, or is longer than " + MqttStrings.MAX_BYTES + " bytes in UTF-8");
        }
    }
}
