package io.starling.codec.wire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The matching rules of section 4.7, with the examples the specification gives. */
class TopicMatcherTest {
    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        // 4.7.1.2 multi-level wildcard
        "sport/tennis/player1/#, sport/tennis/player1, true",
        "sport/tennis/player1/#, sport/tennis/player1/ranking, true",
        "sport/tennis/player1/#, sport/tennis/player1/score/wimbledon, true",
        "sport/#, sport, true",
        "#, sport/tennis, true",
        "#, /, true",
        "sport/tennis/#, sport/tennis2, false",
        // 4.7.1.3 single-level wildcard
        "sport/tennis/+, sport/tennis/player1, true",
        "sport/tennis/+, sport/tennis/player2, true",
        "sport/tennis/+, sport/tennis/player1/ranking, false",
        "sport/+, sport, false",
        "sport/+, sport/, true",
        "+/+, /finance, true",
        "/+, /finance, true",
        "+, /finance, false",
        "+, finance, true",
        "+/tennis/#, sport/tennis/player1, true",
        // exact levels, empty levels, case
        "a/b, a/b, true",
        "a/b, a/b/c, false",
        "a/b/c, a/b, false",
        "a//b, a//b, true",
        "a/+/b, a//b, true",
        "ACCOUNTS, Accounts, false",
        "a/b, a/bc, false",
        "a/bc, a/b, false",
    })
    @DisplayName("[MQTT-4.7.1-2] [MQTT-4.7.1-3] wildcards match as the specification's examples show")
    void wildcards(String filter, String topic, boolean expected) {
        assertThat(TopicMatcher.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
        "#, $SYS/broker/clients, false",
        "+/monitor/Clients, $SYS/monitor/Clients, false",
        "$SYS/#, $SYS/monitor/Clients, true",
        "$SYS/monitor/+, $SYS/monitor/Clients, true",
        "$SYS/#, $SYS, true",
        "a/#, a/$b, true",
        "+/$b, a/$b, true",
    })
    @DisplayName("[MQTT-4.7.2-1] a filter starting with a wildcard does not match topics starting with $")
    void dollarTopics(String filter, String topic, boolean expected) {
        assertThat(TopicMatcher.matches(filter, topic)).isEqualTo(expected);
    }
}
