package io.starling.broker.internal.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoadAverageTest {
    @Test
    @DisplayName("one minute of 600 messages a minute takes the 1 min load from 0 to 600 * (1 - 1/e)")
    void oneWindowOfConstantRate() {
        LoadAverage load = new LoadAverage(60);
        assertThat(load.update(600, 60)).isTrue();
        assertThat(load.value()).isCloseTo(600 * (1 - Math.exp(-1)), within(1e-9));
        assertThat(load.formatted()).isEqualTo("379.27");
    }

    @Test
    @DisplayName("ten 10 s rounds at a constant rate give the same load as one 100 s round: the decay compounds")
    void roundsCompound() {
        LoadAverage load = new LoadAverage(300);
        for (int i = 0; i < 10; i++) {
            load.update(120, 10);
        }
        assertThat(load.value()).isCloseTo(120 * (1 - Math.exp(-100.0 / 300)), within(1e-9));
        assertThat(load.formatted()).isEqualTo("34.02");
    }

    @Test
    @DisplayName("with no traffic the load decays towards 0 by e^(-t/window) a round")
    void decaysWithoutTraffic() {
        LoadAverage load = new LoadAverage(900);
        load.update(900, 900); // 900 * (1 - 1/e) = 568.93...
        load.update(0, 90);
        assertThat(load.value()).isCloseTo(900 * (1 - Math.exp(-1)) * Math.exp(-0.1), within(1e-9));
        assertThat(load.formatted()).isEqualTo("514.77");
    }

    @Test
    @DisplayName("a change under 0.01 is not worth publishing again; one of 0.01 or more is")
    void resolution() {
        LoadAverage load = new LoadAverage(60);
        assertThat(load.update(0, 10)).isFalse();
        // 0.06 a minute for 10 s: 0.06 * (1 - e^(-1/6)) = 0.0092 < 0.01
        assertThat(load.update(0.06, 10)).isFalse();
        assertThat(load.value()).isCloseTo(0.06 * (1 - Math.exp(-10.0 / 60)), within(1e-12));
        assertThat(load.update(60, 10)).isTrue();
    }
}
