package io.starling.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PacketIdsTest {
    @Test
    @DisplayName("[MQTT-2.3.1-1] identifiers are 1 to 65535, handed out in turn, never one in use")
    void allocatesInTurnWithoutReuse() {
        PacketIds ids = new PacketIds();
        assertThat(ids.allocate()).isEqualTo(1);
        assertThat(ids.allocate()).isEqualTo(2);
        ids.release(1);
        // a freed id is not reused at once: the next in turn comes first
        assertThat(ids.allocate()).isEqualTo(3);
        assertThat(ids.inUse()).isEqualTo(2);
    }

    @Test
    @DisplayName("after 65535 the allocation wraps to the lowest free identifier, skipping those in use")
    void wrapsAround() {
        PacketIds ids = new PacketIds();
        for (int i = 1; i <= PacketIds.MAX; i++) {
            assertThat(ids.allocate()).isEqualTo(i);
        }
        assertThat(ids.available()).isFalse();
        assertThatThrownBy(ids::allocate).isInstanceOf(IllegalStateException.class);
        ids.release(7);
        ids.release(3);
        assertThat(ids.available()).isTrue();
        assertThat(ids.allocate()).isEqualTo(3);
        assertThat(ids.allocate()).isEqualTo(7);
        assertThat(ids.available()).isFalse();
    }

    @Test
    @DisplayName("releasing a free or out-of-range identifier changes nothing")
    void releaseIsIdempotent() {
        PacketIds ids = new PacketIds();
        int id = ids.allocate();
        ids.release(id);
        ids.release(id);
        ids.release(0);
        ids.release(70_000);
        assertThat(ids.inUse()).isZero();
    }
}
