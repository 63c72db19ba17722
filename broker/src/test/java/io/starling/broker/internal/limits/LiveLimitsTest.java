package io.starling.broker.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.codec.packet.ReasonCode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LiveLimitsTest {
    private static BrokerConfig.Limits limits(int levels, int length, int subscriptions) {
        return new BrokerConfig.Limits(0, levels, length, subscriptions, 0, 0, 0, 0, Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("a filter beyond the topic limits is refused with 0x8F in 5.0 and 0x80 before, and counted")
    void filterBeyondTopicLimits() {
        BrokerMetrics metrics = new BrokerMetrics();
        LiveLimits live = new LiveLimits(limits(2, 100, 0), metrics);
        assertThat(live.filterRefused("c", "a/b", Map.of(), true)).isNull();
        assertThat(live.filterRefused("c", "a/b/c", Map.of(), true)).isEqualTo(ReasonCode.TOPIC_FILTER_INVALID);
        assertThat(live.filterRefused("c", "a/b/c", Map.of(), false)).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        assertThat(metrics.topicsRefused.sum()).isEqualTo(2);
    }

    @Test
    @DisplayName("a new filter beyond max_subscriptions_per_client is refused (0x97 in 5.0), a replacing one is not")
    void subscriptionQuota() {
        BrokerMetrics metrics = new BrokerMetrics();
        LiveLimits live = new LiveLimits(limits(128, 65535, 2), metrics);
        Map<String, Object> two = Map.of("a", 1, "b", 1);
        assertThat(live.filterRefused("c", "a", two, true)).isNull();
        assertThat(live.filterRefused("c", "c", two, true)).isEqualTo(ReasonCode.QUOTA_EXCEEDED);
        assertThat(live.filterRefused("c", "c", two, false)).isEqualTo(ReasonCode.UNSPECIFIED_ERROR);
        assertThat(live.filterRefused("c", "c", Map.of("a", 1), true)).isNull();
        assertThat(metrics.subscriptionsRefused.sum()).isEqualTo(2);
    }

    @Test
    @DisplayName("replace puts new limits in force for the next check; a null is refused and the old ones stay")
    void replace() {
        BrokerMetrics metrics = new BrokerMetrics();
        LiveLimits live = new LiveLimits(limits(128, 65535, 0), metrics);
        assertThat(live.topicRefused("a/b/c")).isNull();
        live.replace(limits(2, 65535, 0));
        assertThat(live.topicRefused("a/b/c")).isEqualTo("deeper than max_topic_levels (2)");
        assertThat(metrics.topicsRefused.sum()).isEqualTo(1);
        assertThatThrownBy(() -> live.replace(null)).isInstanceOf(NullPointerException.class);
        assertThat(live.current().maxTopicLevels()).isEqualTo(2);
    }
}
