package io.starling.broker.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InboundRateTest {
    private static final long SECOND = 1_000_000_000L;

    private static BrokerConfig.Limits rates(int messagesPerSecond, long bytesPerSecond) {
        return new BrokerConfig.Limits(0, 128, 65535, 0, messagesPerSecond, bytesPerSecond, 0, 0, Duration.ofSeconds(60));
    }

    @Test
    @DisplayName("a burst of one second's worth of messages passes; the next one owes the time its token takes to come")
    void messageBurstThenPause() {
        InboundRate rate = new InboundRate();
        BrokerConfig.Limits limits = rates(10, 0);
        long t = 5 * SECOND;
        for (int i = 0; i < 10; i++) {
            assertThat(rate.publishRead(limits, t)).as("message %d", i + 1).isZero();
        }
        // the 11th: one token short, which comes in 100 ms at 10/s
        assertThat(rate.publishRead(limits, t)).isEqualTo(100_000_000L);
        // 9 more in the same instant: 10 tokens owed, one second
        for (int i = 0; i < 9; i++) {
            rate.publishRead(limits, t);
        }
        assertThat(rate.pauseLeft(limits, t)).isEqualTo(SECOND);
        assertThat(rate.pauseLeft(limits, t + SECOND / 2)).isEqualTo(SECOND / 2);
        assertThat(rate.pauseLeft(limits, t + SECOND)).isZero();
        // refilled for a while: never more than one second's worth
        assertThat(rate.pauseLeft(limits, t + 100 * SECOND)).isZero();
        for (int i = 0; i < 10; i++) {
            assertThat(rate.publishRead(limits, t + 100 * SECOND)).isZero();
        }
        assertThat(rate.publishRead(limits, t + 100 * SECOND)).isPositive();
    }

    @Test
    @DisplayName("bytes are counted against the byte rate only; with no limit nothing is owed")
    void bytes() {
        InboundRate rate = new InboundRate();
        BrokerConfig.Limits limits = rates(0, 1000);
        assertThat(rate.publishRead(limits, 0)).isZero();
        assertThat(rate.bytesRead(1000, limits, 0)).isZero();
        assertThat(rate.bytesRead(500, limits, 0)).isEqualTo(SECOND / 2);
        // the limit is lifted (live reload): the debt is forgiven
        BrokerConfig.Limits none = rates(0, 0);
        assertThat(rate.pauseLeft(none, 0)).isZero();
        assertThat(rate.bytesRead(1_000_000, none, 0)).isZero();
    }
}
