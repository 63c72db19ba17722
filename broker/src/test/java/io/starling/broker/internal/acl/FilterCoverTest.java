package io.starling.broker.internal.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.TopicMatcher;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterCoverTest {

    @ParameterizedTest(name = "rule {0} covers {1}: {2}")
    @CsvSource({
            "a/#,     a/+/c,     true",
            "a/#,     a/#,       true",
            "a/#,     a,         true",
            "a/#,     #,         false",
            "a/+,     a/b,       true",
            "a/+,     a/+,       true",
            "a/+,     a/#,       false",
            "a/+/#,   a/+,       true",
            "a/+/#,   a/#,       false",
            "a/b,     a/+,       false",
            "#,       #,         true",
            "+/#,     #,         true",
            "#,       $SYS/#,    false",
            "+/x,     $SYS/x,    false",
            "$SYS/#,  $SYS/+/x,  true",
            "+/x,     +/x,       true",
    })
    void examples(String rule, String filter, boolean covers) {
        assertThat(FilterCover.covers(rule, filter)).isEqualTo(covers);
    }

    @Test
    @DisplayName("[MQTT-4.7.2-1] covers is exactly: every topic the filter matches, the rule matches (all filters of up to 3 levels)")
    void agreesWithBruteForce() {
        List<String> filters = words(List.of("a", "b", "+", "#", "$s"), 3).stream()
                .filter(f -> Topics.filterViolation(f, MqttVersion.V3_1_1) == null)
                .toList();
        // one more level than any filter, and a level no filter names, so that '+' and '#' are told apart
        List<String> topics = words(List.of("a", "b", "c", "$s"), 4);
        int checked = 0;
        for (String rule : filters) {
            for (String filter : filters) {
                boolean expected = topics.stream()
                        .filter(t -> TopicMatcher.matches(filter, t))
                        .allMatch(t -> TopicMatcher.matches(rule, t));
                assertThat(FilterCover.covers(rule, filter)).as("rule %s covers %s", rule, filter).isEqualTo(expected);
                checked++;
            }
        }
        // 69 valid filters: a check that ran over all of them
        assertThat(checked).isEqualTo(69 * 69);
    }

    /** Every '/'-joined sequence of 1 to {@code maxLevels} levels from {@code levels}; '$s' only first. */
    private static List<String> words(List<String> levels, int maxLevels) {
        List<String> out = new ArrayList<>();
        List<String> current = new ArrayList<>(levels);
        out.addAll(current);
        for (int depth = 2; depth <= maxLevels; depth++) {
            List<String> next = new ArrayList<>();
            for (String prefix : current) {
                for (String level : levels) {
                    if (!level.startsWith("$")) {
                        next.add(prefix + "/" + level);
                    }
                }
            }
            out.addAll(next);
            current = next;
        }
        return out;
    }
}
