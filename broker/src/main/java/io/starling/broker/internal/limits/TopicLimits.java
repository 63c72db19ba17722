package io.starling.broker.internal.limits;

import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * How deep and how long a topic name or filter may be ({@code max_topic_levels}, {@code
 * max_topic_length}). The checks run on every PUBLISH, so they avoid a pass over the topic
 * whenever its length in chars already decides: a topic of {@code n} chars has at most {@code
 * n + 1} levels, and takes {@code n} to {@code 3n} UTF-8 bytes.
 */
public final class TopicLimits {
    private static final String SHARED_PREFIX = "$share/";

    private TopicLimits() {}

    /**
     * Why the topic name {@code topic} breaks the limits, or null when it keeps them.
     *
     * @param maxLevels levels at most (a level is what lies between two {@code /})
     * @param maxLength UTF-8 bytes at most
     */
    public static @Nullable String violation(String topic, int maxLevels, int maxLength) {
        int chars = topic.length();
        if (chars > maxLength) {
            // a char is at least one UTF-8 byte
            return "longer than max_topic_length (" + maxLength + " bytes)";
        }
        if ((long) chars * 3 > maxLength && topic.getBytes(StandardCharsets.UTF_8).length > maxLength) {
            return "longer than max_topic_length (" + maxLength + " bytes)";
        }
        if (chars >= maxLevels && levels(topic, 0) > maxLevels) {
            return "deeper than max_topic_levels (" + maxLevels + ")";
        }
        return null;
    }

    /**
     * Why the topic filter {@code filter} breaks the limits, or null. A shared subscription's
     * levels are counted in its filter, after {@code $share/{group}/}, since that is what is
     * matched; its length is the whole filter's.
     */
    public static @Nullable String filterViolation(String filter, int maxLevels, int maxLength) {
        String why = violation(filter, Integer.MAX_VALUE, maxLength);
        if (why != null) {
            return why;
        }
        int from = 0;
        if (filter.startsWith(SHARED_PREFIX)) {
            int slash = filter.indexOf('/', SHARED_PREFIX.length());
            from = slash < 0 ? filter.length() : slash + 1;
        }
        if (filter.length() - from >= maxLevels && levels(filter, from) > maxLevels) {
            return "deeper than max_topic_levels (" + maxLevels + ")";
        }
        return null;
    }

    /** The levels of {@code topic} from index {@code from}: one more than the {@code /} in it. */
    static int levels(String topic, int from) {
        int levels = 1;
        for (int i = from; i < topic.length(); i++) {
            if (topic.charAt(i) == '/') {
                levels++;
            }
        }
        return levels;
    }
}
