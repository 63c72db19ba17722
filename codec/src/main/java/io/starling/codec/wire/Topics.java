package io.starling.codec.wire;

import org.jspecify.annotations.Nullable;

/**
 * The rules of topic names and topic filters (section 4.7): a topic name never holds a wildcard
 * [MQTT-4.7.1-1]; {@code #} stands alone as the last level [MQTT-4.7.1-2]; {@code +} fills a whole
 * level [MQTT-4.7.1-3]; both are at least one character long [MQTT-4.7.3-1]. MQTT 5.0 shared
 * subscriptions are {@code $share/ShareName/filter} with a non-empty ShareName free of
 * {@code / + #} [MQTT-4.8.2-1] [MQTT-4.8.2-2].
 */
public final class Topics {
    public static final String SHARED_PREFIX = "$share/";

    private Topics() {}

    /** Whether a topic name holds a wildcard character, which it never may [MQTT-4.7.1-1]. */
    public static boolean hasWildcard(String topicName) {
        return topicName.indexOf('+') >= 0 || topicName.indexOf('#') >= 0;
    }

    /**
     * Why {@code filter} is not a valid topic filter in {@code version}, or null if it is one. In
     * 5.0 a filter starting with {@code $share/} must also be a valid shared subscription; before
     * 5.0 {@code $share} is an ordinary topic level. The reason names the statement of that
     * version: 3.1.1 numbers the {@code #} and {@code +} rules 4.7.1-2 and 4.7.1-3, 5.0 numbers
     * them 4.7.1-1 and 4.7.1-2.
     */
    public static @Nullable String filterViolation(String filter, MqttVersion version) {
        boolean v5 = version.isV5();
        if (filter.isEmpty()) {
            return "[MQTT-4.7.3-1] a topic filter is at least one character long";
        }
        if (v5 && filter.startsWith(SHARED_PREFIX)) {
            int nameEnd = filter.indexOf('/', SHARED_PREFIX.length());
            String shareName = nameEnd < 0
                    ? filter.substring(SHARED_PREFIX.length())
                    : filter.substring(SHARED_PREFIX.length(), nameEnd);
            if (shareName.isEmpty()) {
                return "[MQTT-4.8.2-1] a ShareName is at least one character long";
            }
            if (shareName.indexOf('+') >= 0 || shareName.indexOf('#') >= 0) {
                return "[MQTT-4.8.2-2] a ShareName must not contain '/', '+' or '#'";
            }
            if (nameEnd < 0 || nameEnd == filter.length() - 1) {
                return "[MQTT-4.8.2-2] a ShareName must be followed by '/' and a topic filter";
            }
            return wildcardViolation(filter.substring(nameEnd + 1), v5);
        }
        return wildcardViolation(filter, v5);
    }

    /** Whether {@code filter} is a 5.0 shared subscription, {@code $share/ShareName/filter}. */
    public static boolean isShared(String filter) {
        return filter.startsWith(SHARED_PREFIX);
    }

    private static @Nullable String wildcardViolation(String filter, boolean v5) {
        int n = filter.length();
        for (int i = 0; i < n; i++) {
            char c = filter.charAt(i);
            boolean levelStart = i == 0 || filter.charAt(i - 1) == '/';
            boolean levelEnd = i == n - 1 || filter.charAt(i + 1) == '/';
            if (c == '#') {
                if (!levelStart || i != n - 1) {
                    return "[" + (v5 ? "MQTT-4.7.1-1" : "MQTT-4.7.1-2")
                            + "] '#' must be a whole level and the last character of the filter";
                }
            } else if (c == '+') {
                if (!levelStart || !levelEnd) {
                    return "[" + (v5 ? "MQTT-4.7.1-2" : "MQTT-4.7.1-3") + "] '+' must occupy an entire level of the filter";
                }
            }
        }
        return null;
    }
}
