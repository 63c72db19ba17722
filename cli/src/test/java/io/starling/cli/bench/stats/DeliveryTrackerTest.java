package io.starling.cli.bench.stats;

import static io.starling.cli.bench.stats.SequenceTracker.Outcome.DUPLICATE;
import static io.starling.cli.bench.stats.SequenceTracker.Outcome.IN_ORDER;
import static io.starling.cli.bench.stats.SequenceTracker.Outcome.OUT_OF_ORDER;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeliveryTrackerTest {
    private static final int RUN = 0x1234_5678;

    @Test
    @DisplayName("in-order deliveries are all unique, none duplicated or out of order")
    void inOrder() {
        DeliveryTracker tracker = DeliveryTracker.forRun(RUN, 2);
        for (long seq = 0; seq < 10_000; seq++) {
            assertThat(tracker.onMessage(RUN, 0, seq, true)).isEqualTo(IN_ORDER);
            assertThat(tracker.onMessage(RUN, 1, seq, true)).isEqualTo(IN_ORDER);
        }
        assertThat(tracker.received()).isEqualTo(20_000);
        assertThat(tracker.unique()).isEqualTo(20_000);
        assertThat(tracker.duplicated()).isZero();
        assertThat(tracker.outOfOrder()).isZero();
        assertThat(tracker.publishersSeen()).isEqualTo(2);
    }

    @Test
    @DisplayName("a message received again is a duplicate, however long ago the first copy came")
    void duplicates() {
        DeliveryTracker tracker = DeliveryTracker.forRun(RUN, 1);
        for (long seq = 0; seq < 1000; seq++) {
            tracker.onMessage(RUN, 0, seq, true);
        }
        assertThat(tracker.onMessage(RUN, 0, 999, true)).isEqualTo(DUPLICATE);
        assertThat(tracker.onMessage(RUN, 0, 3, true)).isEqualTo(DUPLICATE);
        assertThat(tracker.onMessage(RUN, 0, 0, true)).isEqualTo(DUPLICATE);
        assertThat(tracker.received()).isEqualTo(1003);
        assertThat(tracker.duplicated()).isEqualTo(3);
        assertThat(tracker.unique()).isEqualTo(1000);
        assertThat(tracker.outOfOrder()).isZero();
    }

    @Test
    @DisplayName("a new message behind a later one is out of order, and a gap is what was lost")
    void outOfOrderAndLost() {
        DeliveryTracker tracker = DeliveryTracker.forRun(RUN, 1);
        // 0 1 2 4 5 3 7 (6 and 8 never come): expected 9
        long[] arrivals = {0, 1, 2, 4, 5, 3, 7};
        for (long seq : arrivals) {
            tracker.onMessage(RUN, 0, seq, true);
        }
        assertThat(tracker.outOfOrder()).isEqualTo(1);
        assertThat(tracker.duplicated()).isZero();
        assertThat(tracker.unique()).isEqualTo(7);
        long expected = 9;
        assertThat(expected - tracker.unique()).as("lost").isEqualTo(2);
        // 6 arrives late: new, out of order; 3 again: duplicate though it was out of order
        assertThat(tracker.onMessage(RUN, 0, 6, true)).isEqualTo(OUT_OF_ORDER);
        assertThat(tracker.onMessage(RUN, 0, 3, true)).isEqualTo(DUPLICATE);
        assertThat(tracker.outOfOrder()).isEqualTo(2);
        assertThat(tracker.duplicated()).isEqualTo(1);
        assertThat(tracker.unique()).isEqualTo(8);
    }

    @Test
    @DisplayName("a gap far behind keeps every later number tracked: a late duplicate after 100 000 messages is still one")
    void longGap() {
        DeliveryTracker tracker = DeliveryTracker.forRun(RUN, 1);
        tracker.onMessage(RUN, 0, 0, true);
        // 1 is lost; 100 000 more arrive, growing the ring past the gap
        for (long seq = 2; seq < 100_002; seq++) {
            assertThat(tracker.onMessage(RUN, 0, seq, true)).isEqualTo(IN_ORDER);
        }
        assertThat(tracker.onMessage(RUN, 0, 50_000, true)).isEqualTo(DUPLICATE);
        assertThat(tracker.onMessage(RUN, 0, 1, true)).isEqualTo(OUT_OF_ORDER);
        assertThat(tracker.onMessage(RUN, 0, 1, true)).isEqualTo(DUPLICATE);
        assertThat(tracker.unique()).isEqualTo(100_002);
        assertThat(tracker.duplicated()).isEqualTo(2);
        assertThat(tracker.outOfOrder()).isEqualTo(1);
    }

    @Test
    @DisplayName("messages outside the measured interval are tracked but not counted")
    void uncounted() {
        DeliveryTracker tracker = DeliveryTracker.forRun(RUN, 1);
        tracker.onMessage(RUN, 0, 0, false);
        tracker.onMessage(RUN, 0, 1, false);
        tracker.onMessage(RUN, 0, 2, true);
        // a duplicate of a warm-up message, delivered in the measured interval
        assertThat(tracker.onMessage(RUN, 0, 1, true)).isEqualTo(DUPLICATE);
        assertThat(tracker.received()).isEqualTo(2);
        assertThat(tracker.duplicated()).isEqualTo(1);
        assertThat(tracker.unique()).isEqualTo(1);
    }

    @Test
    @DisplayName("publishers of other runs are tracked separately, starting where first seen")
    void anyPublisher() {
        DeliveryTracker tracker = DeliveryTracker.forAnyPublisher();
        // run A publisher 0 joined at 500: 500..599 with 550 missing; run B publisher 0: 0..9
        for (long seq = 500; seq < 600; seq++) {
            if (seq != 550) {
                tracker.onMessage(1, 0, seq, true);
            }
        }
        for (long seq = 0; seq < 10; seq++) {
            tracker.onMessage(2, 0, seq, true);
        }
        assertThat(tracker.publishersSeen()).isEqualTo(2);
        assertThat(tracker.inferredExpected()).isEqualTo(100 + 10);
        assertThat(tracker.unique()).isEqualTo(99 + 10);
        assertThat(tracker.inferredExpected() - tracker.unique()).as("lost").isEqualTo(1);
        // one sent before the subscriber saw the first: counted new, out of order
        assertThat(tracker.onMessage(1, 0, 499, true)).isEqualTo(OUT_OF_ORDER);
        assertThat(tracker.inferredExpected()).isEqualTo(101 + 10);
    }

    @Test
    @DisplayName("past the ring's limit the oldest gap is given up: a message arriving into it counts as a duplicate")
    void ringLimit() {
        SequenceTracker tracker = SequenceTracker.startingAt(0);
        long limit = (long) SequenceTracker.MAX_WORDS * 64;
        // 0 lost, then the ring fills up and has to move past it
        for (long seq = 1; seq <= limit + 64; seq++) {
            tracker.receive(seq);
        }
        assertThat(tracker.unique()).isEqualTo(limit + 64);
        assertThat(tracker.receive(0)).isEqualTo(DUPLICATE);
        assertThat(tracker.receive(limit + 65)).isEqualTo(IN_ORDER);
    }
}
