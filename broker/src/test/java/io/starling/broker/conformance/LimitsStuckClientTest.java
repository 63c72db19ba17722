package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.CONNACK_ACCEPTED;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.puback;
import static io.starling.broker.conformance.Packets.publish1;
import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code stuck_client_timeout}: a connected subscriber whose queue stays full that long is
 * disconnected, so that it stops holding back its publishers and, through them, the other
 * subscribers of their topics. Brokers here keep 2 messages in flight and 4 queued per session
 * and give up on a stuck client after 1 s.
 */
class LimitsStuckClientTest {
    private static final int MESSAGES = 20;

    private static Broker smallQueuesQuickTimeout() {
        BrokerConfig.Limits limits = new BrokerConfig.Limits(0, 128, 65535, 0, 0, 0, 0, 0, Duration.ofSeconds(1));
        return Brokers.start(c -> c.inMemory()
                .withLimits(BrokerConfig.DEFAULT_MAX_PACKET_SIZE, 2, 4, BrokerConfig.DEFAULT_MAX_PENDING_QOS0)
                .withLimits(limits));
    }

    /**
     * A 3.1.1 subscriber at QoS 0 that reads everything, on its own thread, and collects the
     * payloads: QoS 0 never fills a queue, so the publisher is held back by the stuck client only.
     */
    private static final class OtherSubscriber implements AutoCloseable {
        final List<String> received = Collections.synchronizedList(new ArrayList<>());
        private final RawClient client;
        private final Thread reader;

        OtherSubscriber(int port, String topic) {
            client = RawClient.connected(port, "other").subscribe(1, topic, 0);
            reader = new Thread(() -> {
                while (received.size() < MESSAGES) {
                    byte[] packet = client.readPacket();
                    // 3.1.1 QoS 0 PUBLISH, Remaining Length in one byte: topic, payload
                    int topicLength = (packet[2] & 0xFF) << 8 | (packet[3] & 0xFF);
                    int at = 4 + topicLength;
                    received.add(new String(packet, at, packet.length - at, StandardCharsets.UTF_8));
                }
            }, "other-subscriber");
            reader.setDaemon(true);
            reader.start();
        }

        @Override
        public void close() throws InterruptedException {
            reader.join(10_000);
            client.close();
        }
    }

    /** The stuck client's window (2) and queue (4) hold this many messages. */
    private static final int FILLS_QUEUE = 6;

    /**
     * Publishes the messages one by one, each answered by PUBACK: once the stuck client's window
     * and queue are full the publisher is held back, and it is read again only once the stuck
     * client is gone. The PUBACK comes before the stuck session's own thread has queued the
     * message, so the loop waits for the queue to be full before the next publish: from then on
     * the hold-back is certain, not a race.
     */
    private static void publishAll(Broker broker, RawClient publisher, String stuckClient) {
        for (int i = 1; i <= MESSAGES; i++) {
            publisher.send(publish1("s/t", i, "m" + i));
            publisher.expect(puback(i));
            if (i == FILLS_QUEUE) {
                await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                        .until(() -> BrokerInternals.sessions(broker).store().get(stuckClient).congested()
                                || broker.metrics().stuckClientsDisconnected.sum() > 0);
            }
        }
    }

    private static List<String> expectedPayloads() {
        List<String> all = new ArrayList<>();
        for (int i = 1; i <= MESSAGES; i++) {
            all.add("m" + i);
        }
        return all;
    }

    @Test
    @DisplayName("5.0: a subscriber that takes no more is sent DISCONNECT 0x97 Quota exceeded; the publisher and the other subscriber go on")
    void stuck5() throws InterruptedException {
        try (Broker broker = smallQueuesQuickTimeout();
                Mqtt5Client stuck = Mqtt5Client.connected(broker.port(), "stuck5");
                OtherSubscriber other = new OtherSubscriber(broker.port(), "s/t");
                RawClient publisher = RawClient.connected(broker.port(), "pub5")) {
            stuck.subscribe(1, new Subscription("s/t", QoS.AT_LEAST_ONCE));
            publishAll(broker, publisher, "stuck5");
            // the window of 2 and never a PUBACK: the queue filled, the publisher is held back, then the stuck client goes
            List<Publish> got = stuck.expectPublishes(2);
            assertThat(got).extracting(Mqtt5Client::text).containsExactly("m1", "m2");
            stuck.expectDisconnect(ReasonCode.QUOTA_EXCEEDED);
            await().atMost(Duration.ofSeconds(10)).until(() -> other.received.size() == MESSAGES);
            assertThat(other.received).containsExactlyElementsOf(expectedPayloads());
            assertThat(broker.metrics().stuckClientsDisconnected.sum()).isEqualTo(1);
            assertThat(broker.metrics().publishersHeldBack.sum()).isPositive();
        }
    }

    @Test
    @DisplayName("3.1.1: a subscriber that stops reading its socket is closed; its persistent session keeps its messages")
    void stuck311() throws IOException, InterruptedException {
        try (Broker broker = smallQueuesQuickTimeout();
                Socket stuck = new Socket();
                OtherSubscriber other = new OtherSubscriber(broker.port(), "s/t");
                RawClient publisher = RawClient.connected(broker.port(), "pub311")) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress("127.0.0.1", broker.port()), 5000);
            stuck.setSoTimeout(5000);
            stuck.getOutputStream().write(Packets.concat(connect311("stuck311").clean(false).build(), subscribe(1, "s/t", 1)));
            InputStream in = stuck.getInputStream();
            assertThat(in.readNBytes(4)).isEqualTo(CONNACK_ACCEPTED);
            assertThat(in.readNBytes(5)).isEqualTo(suback(1, 0x01));
            // from here on the stuck client reads nothing
            publishAll(broker, publisher, "stuck311");
            await().atMost(Duration.ofSeconds(10)).until(() -> other.received.size() == MESSAGES);
            assertThat(other.received).containsExactlyElementsOf(expectedPayloads());
            assertThat(broker.metrics().stuckClientsDisconnected.sum()).isEqualTo(1);
            assertThat(broker.metrics().publishersHeldBack.sum()).isPositive();
            // what the broker wrote before the close, then the end of the stream
            assertThat(drainToEnd(in)).as("the stuck client's connection was closed").isTrue();

            Brokers.awaitOffline(broker, "stuck311");
            try (RawClient back = RawClient.connected(broker.port(), "stuck311", connect311("stuck311").clean(false).build(),
                    Packets.CONNACK_ACCEPTED_SESSION_PRESENT)) {
                // [MQTT-4.4.0-1] the unacknowledged messages again, with DUP, then the queued ones
                byte[] first = back.readPacket();
                assertThat(first[0] & 0xFF).as("PUBLISH QoS 1 DUP 1").isEqualTo(0x3A);
            }
        }
    }

    /** Reads until the end of the stream; false if the connection stays open past the read timeout. */
    private static boolean drainToEnd(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (in.read(buf) < 0) {
                    return true;
                }
            }
        } catch (SocketException e) {
            return true; // reset: closed
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
        return false;
    }
}
