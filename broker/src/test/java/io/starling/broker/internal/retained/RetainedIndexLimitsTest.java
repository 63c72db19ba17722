package io.starling.broker.internal.retained;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.model.Message;
import io.starling.codec.packet.QoS;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** max_retained_messages and max_retained_bytes: a message that does not fit is refused, nothing else changes. */
class RetainedIndexLimitsTest {
    private static Message retained(String topic, String payload) {
        return new Message(topic, QoS.AT_LEAST_ONCE, true, payload.getBytes(UTF_8), "p");
    }

    private static List<String> payloads(RetainedIndex index) {
        List<String> out = new ArrayList<>();
        index.forEachMatching("#", m -> out.add(m.topic() + "=" + new String(m.payload(), UTF_8)));
        out.sort(null);
        return out;
    }

    @Test
    @DisplayName("a new topic beyond max_retained_messages is refused; replacing a kept topic's message is not")
    void messageCountLimit() {
        RetainedIndex index = new RetainedIndex(2, Long.MAX_VALUE);
        assertThat(index.put(retained("a", "1"))).isTrue();
        assertThat(index.put(retained("b", "1"))).isTrue();
        assertThat(index.put(retained("c", "1"))).isFalse();
        assertThat(index.put(retained("a", "2"))).isTrue();
        assertThat(payloads(index)).containsExactly("a=2", "b=1");

        index.remove("b");
        assertThat(index.put(retained("c", "1"))).as("room again after a removal").isTrue();
        assertThat(payloads(index)).containsExactly("a=2", "c=1");
    }

    @Test
    @DisplayName("max_retained_bytes counts topic and payload bytes, and a replacement counts only what it adds")
    void byteLimit() {
        RetainedIndex index = new RetainedIndex(Integer.MAX_VALUE, 10);
        assertThat(index.put(retained("t1", "abc"))).isTrue();      // 5
        assertThat(index.put(retained("t2", "abcd"))).isFalse();    // 5 + 6 > 10
        assertThat(index.put(retained("t2", "abc"))).isTrue();      // 10
        assertThat(index.bytes()).isEqualTo(10);
        assertThat(index.put(retained("t1", "abcd"))).isFalse();    // 10 - 5 + 6 > 10
        assertThat(index.put(retained("t1", "ab"))).isTrue();       // 9
        assertThat(index.bytes()).isEqualTo(9);
        index.remove("t2");
        assertThat(index.bytes()).isEqualTo(4);
        assertThat(payloads(index)).containsExactly("t1=ab");
    }
}
