package io.starling.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.model.Message;
import io.starling.codec.packet.QoS;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jgroups.JChannel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ForwarderTest {
    @Test
    @DisplayName("the messages waiting per node count until their batch is sent or dropped: the forwarding lag")
    void waitingPerNode() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        ClusterStats stats = new ClusterStats();
        // the sender looks up a node's address before sending to it: hold it there, then say the node is gone
        try (JChannel unused = new JChannel(false);
                Forwarder forwarder = new Forwarder(unused, "a", node -> {
                    held.countDown();
                    try {
                        released.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                }, stats)) {
            Message message = new Message("t", QoS.AT_MOST_ONCE, false, new byte[] {1}, "p");
            forwarder.forward("b", message, List.of());
            assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
            forwarder.forward("b", message, List.of());
            forwarder.forward("b", message, List.of());
            forwarder.forward("c", message, List.of());
            forwarder.broadcastRetained(message);
            assertThat(forwarder.waiting("b")).isEqualTo(3);
            assertThat(forwarder.waiting("c")).isEqualTo(1);
            assertThat(forwarder.waiting("d")).isZero();
            assertThat(forwarder.waitingRetained()).isEqualTo(1);

            released.countDown();
            await().atMost(Duration.ofSeconds(5)).until(() -> forwarder.waiting("b") == 0 && forwarder.waiting("c") == 0
                    && forwarder.waitingRetained() == 0);
            // b and c gone, and the unconnected channel refuses the retained change
            assertThat(stats.droppedMessages()).isEqualTo(5);
        }
    }
}
