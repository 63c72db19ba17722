package io.starling.broker.internal.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SysTopicsTest {
    private static final String P = "$SYS/broker/";

    private static SysTopics.Sample sample(long connected, long total, long received, long bytesReceived) {
        return new SysTopics.Sample(connected, total, 4, 2, 1000, received, 7, bytesReceived, 300, 3);
    }

    @Test
    @DisplayName("the first round gives every topic, with Mosquitto's names and payloads")
    void firstRoundGivesEverything() {
        Map<String, String> round = new SysTopics("1.2.3").round(sample(2, 3, 5, 200), 0.4);
        assertThat(round).containsEntry(P + "version", "starling version 1.2.3")
                .containsEntry(P + "uptime", "0 seconds")
                .containsEntry(P + "clients/total", "3")
                .containsEntry(P + "clients/maximum", "3")
                .containsEntry(P + "clients/disconnected", "1")
                .containsEntry(P + "clients/connected", "2")
                .containsEntry(P + "subscriptions/count", "4")
                .containsEntry(P + "retained messages/count", "2")
                .containsEntry(P + "heap/current", "1000")
                .containsEntry(P + "heap/maximum", "1000")
                .containsEntry(P + "messages/received", "5")
                .containsEntry(P + "messages/sent", "7")
                .containsEntry(P + "publish/messages/received", "5")
                .containsEntry(P + "publish/messages/sent", "7")
                .containsEntry(P + "bytes/received", "200")
                .containsEntry(P + "bytes/sent", "300");
        for (String rate : new String[] {"messages/received", "messages/sent", "publish/received", "publish/sent",
                "bytes/received", "bytes/sent", "connections"}) {
            for (String window : new String[] {"1min", "5min", "15min"}) {
                assertThat(round).containsEntry(P + "load/" + rate + "/" + window, "0.00");
            }
        }
        assertThat(round).hasSize(16 + 7 * 3);
    }

    @Test
    @DisplayName("later rounds give the uptime and only what changed, loads by Mosquitto's formula")
    void laterRoundsGiveChanges() {
        SysTopics topics = new SysTopics("1.2.3");
        topics.round(sample(2, 3, 5, 200), 0);
        // 10 s later: 60 more messages received (360 a minute), 1000 more bytes (6000 a minute)
        Map<String, String> round = topics.round(sample(2, 3, 65, 1200), 10);
        double decay1 = Math.exp(-10.0 / 60);
        double decay5 = Math.exp(-10.0 / 300);
        double decay15 = Math.exp(-10.0 / 900);
        assertThat(round).containsOnly(
                Map.entry(P + "uptime", "10 seconds"),
                Map.entry(P + "load/messages/received/1min", SysTopics.twoDecimals(360 * (1 - decay1))),
                Map.entry(P + "load/messages/received/5min", SysTopics.twoDecimals(360 * (1 - decay5))),
                Map.entry(P + "load/messages/received/15min", SysTopics.twoDecimals(360 * (1 - decay15))),
                Map.entry(P + "load/publish/received/1min", SysTopics.twoDecimals(360 * (1 - decay1))),
                Map.entry(P + "load/publish/received/5min", SysTopics.twoDecimals(360 * (1 - decay5))),
                Map.entry(P + "load/publish/received/15min", SysTopics.twoDecimals(360 * (1 - decay15))),
                Map.entry(P + "load/bytes/received/1min", SysTopics.twoDecimals(6000 * (1 - decay1))),
                Map.entry(P + "load/bytes/received/5min", SysTopics.twoDecimals(6000 * (1 - decay5))),
                Map.entry(P + "load/bytes/received/15min", SysTopics.twoDecimals(6000 * (1 - decay15))),
                Map.entry(P + "messages/received", "65"),
                Map.entry(P + "publish/messages/received", "65"),
                Map.entry(P + "bytes/received", "1200"));
        assertThat(round.get(P + "load/messages/received/1min")).isEqualTo("55.27");
    }

    @Test
    @DisplayName("clients/maximum keeps the highest total seen")
    void maximumKeepsTheHighest() {
        SysTopics topics = new SysTopics("1");
        topics.round(sample(5, 5, 0, 0), 0);
        Map<String, String> round = topics.round(sample(1, 2, 0, 0), 10);
        assertThat(round).containsEntry(P + "clients/total", "2")
                .containsEntry(P + "clients/connected", "1")
                .containsEntry(P + "clients/disconnected", "1")
                .doesNotContainKey(P + "clients/maximum");
    }
}
