package io.starling.broker.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import io.starling.broker.model.Message;
import io.starling.codec.packet.QoS;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * The in-flight window against a reference model: a {@link LinkedHashMap} from packet identifier
 * to message, which keeps the order of first sending as the window must [MQTT-4.6.0-1]. After
 * every step of any sequence of adds and removes, both hold the same identifiers with the same
 * messages, in the same order.
 */
class InflightWindowProperties {
    record Op(boolean add, int packetId) {}

    /**
     * Identifiers that collide in small tables (equal low bits) and sit at the ends of the range,
     * mixed with any identifier, so probe runs wrap around the table and get broken by removals.
     */
    static Gen<Integer> packetIds() {
        // 0 is no packet identifier: with low bits 0 the high bits start at 1 (rather than a filter, which
        // QuickTheories gives up on after ten rejections in one example)
        Gen<Integer> colliding = Generate.range(0, 15)
                .flatMap(low -> Generate.range(low == 0 ? 1 : 0, 4095).map(high -> high * 16 + low));
        Gen<Integer> edges = Generate.pick(List.of(1, 2, 15, 16, 17, 31, 32, 33, 65519, 65534, 65535));
        return Generate.frequency(
                Pair.of(3, colliding),
                Pair.of(2, edges),
                Pair.of(1, Generate.range(1, 65535)));
    }

    static Gen<List<Op>> operations() {
        Gen<Op> op = Generate.range(0, 9).zip(packetIds(),
                // more adds than removes, so that the window grows past its first table
                (kind, id) -> new Op(kind < 6, id));
        return lists().of(op).ofSizeBetween(1, 200);
    }

    @Test
    @DisplayName("[MQTT-4.6.0-1] after any adds and removes the window holds what an insertion-ordered map holds, in its order")
    void behavesLikeAnInsertionOrderedMap() {
        qt().withExamples(300).forAll(operations()).checkAssert(InflightWindowProperties::behavesLikeAnInsertionOrderedMap);
    }

    private static void behavesLikeAnInsertionOrderedMap(List<Op> ops) {
        InflightWindow window = new InflightWindow();
        Map<Integer, Message> model = new LinkedHashMap<>();
        for (Op op : ops) {
            if (op.add()) {
                Message message = message(op.packetId());
                if (model.containsKey(op.packetId())) {
                    assertThatThrownBy(() -> window.add(op.packetId(), message, QoS.AT_LEAST_ONCE, false, null))
                            .isInstanceOf(IllegalStateException.class);
                } else {
                    InflightWindow.Entry added = window.add(op.packetId(), message, QoS.AT_LEAST_ONCE, false, null);
                    model.put(op.packetId(), message);
                    assertThat(added.packetId).isEqualTo(op.packetId());
                }
            } else {
                InflightWindow.Entry removed = window.remove(op.packetId());
                Message expected = model.remove(op.packetId());
                if (expected == null) {
                    assertThat(removed).isNull();
                } else {
                    assertThat(removed).isNotNull();
                    assertThat(removed.message).isSameAs(expected);
                }
            }
            assertSameContent(window, model, ops);
        }
    }

    private static void assertSameContent(InflightWindow window, Map<Integer, Message> model, List<Op> ops) {
        assertThat(window.size()).isEqualTo(model.size());
        List<Integer> order = new ArrayList<>();
        for (InflightWindow.Entry e : window.entries()) {
            order.add(e.packetId);
            assertThat(e.message).isSameAs(model.get(e.packetId));
        }
        assertThat(order).containsExactlyElementsOf(model.keySet());
        for (Op op : ops) {
            int id = op.packetId();
            assertThat(window.contains(id)).as("contains %d", id).isEqualTo(model.containsKey(id));
            InflightWindow.Entry e = window.get(id);
            assertThat(e == null ? null : e.message).as("get %d", id).isSameAs(model.get(id));
        }
    }

    private static Message message(int packetId) {
        return new Message("t/" + packetId, QoS.AT_LEAST_ONCE, false, new byte[] {(byte) packetId}, "publisher");
    }

    @Test
    @DisplayName("a new window is empty and makes no table; an identifier outside 1 to 65535 is refused")
    void emptyWindow() {
        InflightWindow window = new InflightWindow();
        assertThat(window.size()).isZero();
        assertThat(window.entries()).isEmpty();
        assertThat(window.get(1)).isNull();
        assertThat(window.remove(1)).isNull();
        assertThatThrownBy(() -> window.add(0, message(0), QoS.AT_LEAST_ONCE, false, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> window.add(65536, message(1), QoS.AT_LEAST_ONCE, false, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("[MQTT-2.3.1-2] the session's identifiers skip those in flight, wrap after 65535, and clear() forgets all")
    void packetIdsSkipThoseInFlight() {
        InflightWindow window = new InflightWindow();
        PacketIds ids = new PacketIds();
        for (int i = 1; i <= 3; i++) {
            assertThat(ids.next(window)).isEqualTo(i);
        }
        window.add(4, message(4), QoS.AT_LEAST_ONCE, false, null);
        window.add(5, message(5), QoS.EXACTLY_ONCE, false, null);
        assertThat(ids.next(window)).isEqualTo(6);
        for (int i = 7; i <= 65535; i++) {
            ids.next(window);
        }
        // wrapped: 1 to 3 are free again, 4 and 5 are still in flight
        assertThat(ids.next(window)).isEqualTo(1);
        ids.next(window);
        ids.next(window);
        assertThat(ids.next(window)).isEqualTo(6);

        window.clear();
        assertThat(window.size()).isZero();
        assertThat(window.entries()).isEmpty();
        assertThat(window.contains(4)).isFalse();
        window.add(4, message(4), QoS.AT_LEAST_ONCE, false, null);
        assertThat(window.entries()).extracting(e -> e.packetId).containsExactly(4);
    }

    @Test
    @DisplayName("a full window of 65535 identifiers keeps them all, in order, and refuses a next identifier")
    void fullWindow() {
        InflightWindow window = new InflightWindow();
        PacketIds ids = new PacketIds();
        for (int i = 1; i <= 65535; i++) {
            window.add(ids.next(window), message(i), QoS.AT_LEAST_ONCE, false, null);
        }
        assertThat(window.size()).isEqualTo(65535);
        int expected = 1;
        for (InflightWindow.Entry e : window.entries()) {
            assertThat(e.packetId).isEqualTo(expected++);
        }
        assertThatThrownBy(() -> ids.next(window)).isInstanceOf(IllegalStateException.class);
        for (int i = 1; i <= 65535; i += 2) {
            assertThat(window.remove(i)).isNotNull();
        }
        assertThat(window.size()).isEqualTo(32767);
        assertThat(window.entries()).extracting(e -> e.packetId).startsWith(2, 4, 6).endsWith(65532, 65534);
    }
}
