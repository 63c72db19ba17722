package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.starling.cli.bench.stats.ConnectionCounts;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.wire.PublishTemplate;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The open-loop schedule of a {@link Publisher} on an {@link EmbeddedChannel}, whose timers run
 * only when the test runs them: this is how a busy event loop looks to the publisher.
 */
class PublisherScheduleTest {
    private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(50);

    private final DefaultEventLoopGroup unused = new DefaultEventLoopGroup(1);
    private final PublishTemplate template = new PublishTemplate(MqttVersion.V3_1_1, "t", QoS.AT_MOST_ONCE, 64, 1, 0);
    private final Publisher publisher = new Publisher(template, 16, 0, INTERVAL, null, () -> { });
    private final EmbeddedChannel channel = new EmbeddedChannel(new LoadConnection("p",
            new Connect(MqttVersion.V3_1_1, "p", true, 60), null, publisher, null, new ConnectionCounts(),
            new LatencyStats(unused)));

    @AfterEach
    void close() throws InterruptedException {
        channel.finishAndReleaseAll();
        template.close();
        unused.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    @Test
    @DisplayName("a stop that comes after the end, before a late timer, still sends every message due before the end")
    void stopAfterTheEndSendsWhatFellDue() {
        long start = System.nanoTime();
        long end = start + 5 * INTERVAL;
        publisher.start(start, start, true, end);
        channel.runPendingTasks();
        assertThat(publisher.sent()).as("the first message is due at once").isBetween(1L, 4L);

        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - end >= 0);
        // the stop is queued before the overdue timer runs, as when the event loop was busy
        publisher.stop();
        channel.runPendingTasks();

        assertThat(publisher.sent()).as("messages due at 0, 50, 100, 150 and 200 ms; none at the end").isEqualTo(5);
        assertThat(publisher.sentCounted()).isEqualTo(5);
        channel.runPendingTasks();
        assertThat(publisher.sent()).as("nothing after the stop").isEqualTo(5);
    }

    @Test
    @DisplayName("a stop before the end (an interrupted run) sends nothing more")
    void stopBeforeTheEndStopsAtOnce() {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(60);
        publisher.start(start, start, true, end);
        channel.runPendingTasks();
        publisher.stop();
        channel.runPendingTasks();

        long sent = publisher.sent();
        assertThat(sent).isBetween(1L, 4L);
        await().atMost(Duration.ofSeconds(5)).until(() -> System.nanoTime() - start > 6 * INTERVAL);
        channel.runPendingTasks();
        assertThat(publisher.sent()).as("nothing after the stop").isEqualTo(sent);
    }
}
