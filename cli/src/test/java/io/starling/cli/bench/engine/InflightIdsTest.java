package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InflightIdsTest {
    @Test
    @DisplayName("[MQTT-2.3.1-2] identifiers go 1 to 65535 and wrap, and the window bounds what is in flight")
    void sequentialAndWrapping() {
        InflightIds ids = new InflightIds(4);
        for (int expected = 1; expected <= 65_535; expected++) {
            int id = ids.acquire(expected, true);
            assertThat(id).isEqualTo(expected);
            assertThat(ids.complete(id)).isTrue();
        }
        assertThat(ids.acquire(0, true)).isEqualTo(1);
        assertThat(ids.acquire(0, true)).isEqualTo(2);
        assertThat(ids.acquire(0, true)).isEqualTo(3);
        assertThat(ids.acquire(0, true)).isEqualTo(4);
        assertThat(ids.size()).isEqualTo(4);
        assertThat(ids.hasRoom()).isFalse();
        assertThat(ids.acquire(0, true)).as("window full").isZero();
        assertThat(ids.complete(2)).isTrue();
        assertThat(ids.acquire(0, true)).isEqualTo(5);
    }

    @Test
    @DisplayName("an identifier still in flight is never reused: sending waits for its acknowledgement")
    void neverReusesInFlight() {
        InflightIds ids = new InflightIds(1000);
        int stuck = ids.acquire(0, true);
        assertThat(stuck).isEqualTo(1);
        // keep sending and acknowledging while 1 stays unacknowledged, until 1's slot comes round again
        int last = 0;
        for (int i = 0; i < 200_000; i++) {
            int id = ids.acquire(0, true);
            if (id == 0) {
                break;
            }
            assertThat(id).isNotEqualTo(stuck);
            last = id;
            ids.complete(id);
        }
        assertThat(ids.contains(stuck)).isTrue();
        assertThat(ids.acquire(0, true)).as("the next identifier's slot is held by 1").isZero();
        assertThat(last).as("slots are a power of two at least twice the window").isEqualTo(2048);
        assertThat(ids.complete(stuck)).isTrue();
        assertThat(ids.acquire(0, true)).isNotZero();
    }

    @Test
    @DisplayName("QoS 2: PUBREC marks the flow released, PUBCOMP completes it; unknown identifiers are refused")
    void qos2States() {
        InflightIds ids = new InflightIds(8);
        int id = ids.acquire(42L, false);
        assertThat(ids.isReleased(id)).isFalse();
        assertThat(ids.markReleased(id)).isTrue();
        assertThat(ids.isReleased(id)).isTrue();
        assertThat(ids.sendTime(id)).isEqualTo(42L);
        assertThat(ids.isCounted(id)).isFalse();
        assertThat(ids.complete(id)).isTrue();
        assertThat(ids.complete(id)).isFalse();
        assertThat(ids.markReleased(id)).isFalse();
        assertThat(ids.contains(0)).isFalse();
        assertThat(ids.contains(65_536)).isFalse();
        assertThat(ids.isEmpty()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] a 5.0 broker's Receive Maximum lowers the window, never raises it")
    void limitedByReceiveMaximum() {
        InflightIds ids = new InflightIds(64);
        ids.limit(100);
        assertThat(ids.window()).isEqualTo(64);
        ids.limit(3);
        assertThat(ids.window()).isEqualTo(3);
        assertThat(ids.room()).isEqualTo(3);
        assertThat(ids.acquire(0, true)).isEqualTo(1);
        assertThat(ids.acquire(0, true)).isEqualTo(2);
        assertThat(ids.acquire(0, true)).isEqualTo(3);
        assertThat(ids.hasRoom()).isFalse();
        assertThat(ids.acquire(0, true)).as("Receive Maximum reached").isZero();
        assertThat(ids.complete(1)).isTrue();
        assertThat(ids.acquire(0, true)).isEqualTo(4);
    }
}
