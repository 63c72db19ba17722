package io.starling.broker.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.starling.broker.model.Message;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The session's mailbox (order, one task at a time, moving between event loops) and its lazily made state. */
class SessionTest {
    private static final Session.Delivery NO_DELIVERY = (session, message, qos, stored) -> {
        throw new AssertionError("nothing is delivered in these tests");
    };

    private final DefaultEventLoop first = new DefaultEventLoop();
    private final DefaultEventLoop second = new DefaultEventLoop();

    @AfterEach
    void stopLoops() throws InterruptedException {
        first.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        second.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("tasks from 4 threads all run, one at a time, each thread's in the order it submitted them")
    void mailboxKeepsEachSubmittersOrder() throws InterruptedException {
        Session session = new Session("order", first, NO_DELIVERY);
        int threads = 4;
        int perThread = 20_000;
        // mailbox only: written by one task at a time, read once all ran
        List<List<Integer>> seen = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            seen.add(new ArrayList<>(perThread));
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread submitter = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    session.submit(() -> {
                        if (running.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        seen.get(thread).add(n);
                        running.decrementAndGet();
                        done.incrementAndGet();
                    });
                }
            }, "submitter-" + t);
            submitter.start();
            submitters.add(submitter);
        }
        start.countDown();
        for (Thread submitter : submitters) {
            submitter.join(10_000);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> done.get() == threads * perThread);
        assertThat(overlaps.get()).isZero();
        for (int t = 0; t < threads; t++) {
            List<Integer> order = seen.get(t);
            assertThat(order).hasSize(perThread);
            for (int i = 0; i < perThread; i++) {
                assertThat(order.get(i)).as("thread %d, task %d", t, i).isEqualTo(i);
            }
        }
    }

    @Test
    @DisplayName("a task that moves the session makes the tasks behind it run on the new event loop, in order")
    void tasksFollowTheSessionToItsNewLoop() {
        Session session = new Session("move", first, NO_DELIVERY);
        List<String> ran = new ArrayList<>();
        List<Thread> on = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        // 600 tasks: more than one batch of the drain on each side of the move
        for (int i = 0; i < 600; i++) {
            int n = i;
            session.submit(() -> {
                ran.add("t" + n);
                on.add(Thread.currentThread());
                if (n == 299) {
                    session.moveTo(second);
                }
                done.incrementAndGet();
            });
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 600);
        for (int i = 0; i < 600; i++) {
            assertThat(ran.get(i)).isEqualTo("t" + i);
        }
        Thread firstThread = on.get(0);
        Thread secondThread = on.get(300);
        assertThat(firstThread).isNotSameAs(secondThread);
        assertThat(on.subList(0, 300)).containsOnly(firstThread);
        assertThat(on.subList(300, 600)).containsOnly(secondThread);
        assertThat(session.owner()).isSameAs(second);
    }

    @Test
    @DisplayName("a new session has no queue, inbound QoS 2 identifiers or subscriptions, and looking does not make them")
    void lookingMakesNothing() {
        Session session = new Session("idle", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        assertThat(session.hasQueued()).isFalse();
        assertThat(session.queued()).isZero();
        assertThat(session.nextQueued()).isNull();
        assertThat(session.hasSubscriptions()).isFalse();
        assertThat(session.inflight().size()).isZero();
        assertThat(session.gate().isClear()).isTrue();

        Message message = new Message("a", QoS.AT_LEAST_ONCE, false, new byte[] {1}, "p");
        Session.Pending pending = new Session.Pending(message, QoS.AT_LEAST_ONCE, false, null);
        session.queue().add(pending);
        assertThat(session.hasQueued()).isTrue();
        assertThat(session.queued()).isEqualTo(1);
        assertThat(session.nextQueued()).isSameAs(pending);
        assertThat(session.queue()).containsExactly(pending);
        session.subscriptions().put("a/#", QoS.AT_LEAST_ONCE);
        assertThat(session.hasSubscriptions()).isTrue();
    }

    @Test
    @DisplayName("clearMessages empties the queue, the window and the inbound QoS 2 identifiers, and keeps the subscriptions")
    void clearMessagesKeepsSubscriptions() {
        Session session = new Session("clear", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        Message message = new Message("a", QoS.AT_LEAST_ONCE, false, new byte[] {1}, "p");
        session.queue().add(new Session.Pending(message, QoS.AT_LEAST_ONCE, false, null));
        session.inflight().add(session.nextPacketId(), message, QoS.AT_LEAST_ONCE, false, null);
        session.inboundQos2().add(7);
        session.subscriptions().put("a", QoS.AT_MOST_ONCE);

        session.clearMessages(StoreChanges.NONE);

        assertThat(session.hasQueued()).isFalse();
        assertThat(session.queue()).isEmpty();
        assertThat(session.inflight().size()).isZero();
        assertThat(session.inboundQos2()).isEmpty();
        assertThat(session.subscriptions()).containsOnlyKeys("a");

        // an emptied subscription map is let go of, and made again on use
        session.subscriptions().clear();
        session.clearMessages(StoreChanges.NONE);
        assertThat(session.hasSubscriptions()).isFalse();
        session.subscriptions().put("b", QoS.EXACTLY_ONCE);
        assertThat(session.subscriptions()).containsOnlyKeys("b");
    }

    @Test
    @DisplayName("queue sequence numbers count up from 1, and from where a restart left them")
    void queueSequence() {
        Session session = new Session("seq", ImmediateEventExecutor.INSTANCE, NO_DELIVERY);
        assertThat(session.nextQueueSeq()).isEqualTo(1);
        assertThat(session.nextQueueSeq()).isEqualTo(2);
        session.queueSeqFrom(41);
        assertThat(session.nextQueueSeq()).isEqualTo(41);
        assertThat(session.nextQueueSeq()).isEqualTo(42);
    }
}
