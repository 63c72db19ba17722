package io.starling.broker.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TopicLimitsTest {
    @Test
    @DisplayName("a topic of exactly max_topic_levels levels passes, one more level is refused")
    void levels() {
        assertThat(TopicLimits.violation("a/b/c", 3, 65535)).isNull();
        assertThat(TopicLimits.violation("a/b/c/d", 3, 65535)).isEqualTo("deeper than max_topic_levels (3)");
        // empty levels count: "/" is two levels, "//" three
        assertThat(TopicLimits.violation("//", 2, 65535)).isEqualTo("deeper than max_topic_levels (2)");
        assertThat(TopicLimits.violation("/", 2, 65535)).isNull();
    }

    @Test
    @DisplayName("the 128-level default: 128 levels pass, 129 are refused")
    void defaultLevels() {
        String deep = "x/".repeat(127) + "x";
        assertThat(TopicLimits.levels(deep, 0)).isEqualTo(128);
        assertThat(TopicLimits.violation(deep, 128, 65535)).isNull();
        assertThat(TopicLimits.violation(deep + "/x", 128, 65535)).isEqualTo("deeper than max_topic_levels (128)");
    }

    @Test
    @DisplayName("max_topic_length counts UTF-8 bytes, not chars")
    void lengthInBytes() {
        assertThat(TopicLimits.violation("abcd", 128, 4)).isNull();
        assertThat(TopicLimits.violation("abcde", 128, 4)).isEqualTo("longer than max_topic_length (4 bytes)");
        // "é" is two bytes: "aé" is 3 bytes in 2 chars, "aéé" 5 bytes in 3 chars
        assertThat(TopicLimits.violation("a\u00e9", 128, 4)).isNull();
        assertThat(TopicLimits.violation("a\u00e9\u00e9", 128, 4)).isEqualTo("longer than max_topic_length (4 bytes)");
        // a supplementary character: 2 chars, 4 bytes
        assertThat(TopicLimits.violation("\uD83D\uDE00", 128, 4)).isNull();
        assertThat(TopicLimits.violation("a\uD83D\uDE00", 128, 4)).isEqualTo("longer than max_topic_length (4 bytes)");
    }

    @Test
    @DisplayName("a shared subscription's levels are counted after $share/{group}/, its length over the whole filter")
    void sharedFilter() {
        assertThat(TopicLimits.filterViolation("$share/g/a/b/c", 3, 65535)).isNull();
        assertThat(TopicLimits.filterViolation("$share/g/a/b/c/#", 3, 65535)).isEqualTo("deeper than max_topic_levels (3)");
        assertThat(TopicLimits.filterViolation("a/b/+", 3, 65535)).isNull();
        assertThat(TopicLimits.filterViolation("a/b/+/#", 3, 65535)).isEqualTo("deeper than max_topic_levels (3)");
        assertThat(TopicLimits.filterViolation("$share/group/a", 128, 13)).isEqualTo("longer than max_topic_length (13 bytes)");
        assertThat(TopicLimits.filterViolation("$share/group/a", 128, 14)).isNull();
    }
}
