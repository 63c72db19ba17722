package io.starling.codec.wire;

/**
 * Matching one topic name against one topic filter by the rules of section 4.7, without
 * allocating: {@code +} matches exactly one level, {@code #} the parent level and any number of
 * levels below it, and a filter starting with a wildcard never matches a topic starting with
 * {@code $} [MQTT-4.7.2-1]. The broker uses it for retained messages and as the reference its
 * topic tree is tested against; the client uses it to find the listener of a subscription.
 */
public final class TopicMatcher {
    private TopicMatcher() {}

    /** Whether {@code topic} (a valid topic name) matches {@code filter} (a valid topic filter). */
    public static boolean matches(String filter, String topic) {
        if (!topic.isEmpty() && topic.charAt(0) == '$' && !filter.isEmpty()
                && (filter.charAt(0) == '+' || filter.charAt(0) == '#')) {
            return false;
        }
        int f = 0;
        int t = 0;
        int fn = filter.length();
        int tn = topic.length();
        while (true) {
            int fEnd = levelEnd(filter, f);
            int fLen = fEnd - f;
            if (fLen == 1 && filter.charAt(f) == '#') {
                return true;
            }
            int tEnd = levelEnd(topic, t);
            boolean plus = fLen == 1 && filter.charAt(f) == '+';
            if (!plus && (fLen != tEnd - t || !topic.regionMatches(t, filter, f, fLen))) {
                return false;
            }
            boolean filterDone = fEnd == fn;
            boolean topicDone = tEnd == tn;
            if (filterDone || topicDone) {
                // "a/#" also matches "a": the parent level of a multi-level wildcard
                return filterDone ? topicDone : fn - fEnd == 2 && filter.charAt(fn - 1) == '#';
            }
            f = fEnd + 1;
            t = tEnd + 1;
        }
    }

    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
