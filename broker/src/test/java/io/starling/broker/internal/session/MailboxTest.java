package io.starling.broker.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The single-writer mechanism on its own: order, one task at a time, batches, moving between event loops. */
class MailboxTest {
    private final DefaultEventLoop first = new DefaultEventLoop();
    private final DefaultEventLoop second = new DefaultEventLoop();

    /** A mailbox that counts its turns. */
    private static final class Counting extends Mailbox {
        final AtomicInteger batches = new AtomicInteger();

        Counting(DefaultEventLoop owner) {
            super(owner);
        }

        @Override
        protected void afterBatch() {
            batches.incrementAndGet();
        }
    }

    @AfterEach
    void stopLoops() throws InterruptedException {
        first.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        second.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("tasks from 4 threads all run, one at a time, each thread's in the order it submitted them")
    void keepsEachSubmittersOrder() throws InterruptedException {
        Counting mailbox = new Counting(first);
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
                    mailbox.submit(() -> {
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
    @DisplayName("a task that moves the mailbox makes the tasks behind it run on the new event loop, in order")
    void tasksFollowTheMailboxToItsNewLoop() {
        Counting mailbox = new Counting(first);
        List<String> ran = new ArrayList<>();
        List<Thread> on = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        // 600 tasks: more than one batch of the drain on each side of the move
        for (int i = 0; i < 600; i++) {
            int n = i;
            mailbox.submit(() -> {
                ran.add("t" + n);
                on.add(Thread.currentThread());
                if (n == 299) {
                    mailbox.moveTo(second);
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
        assertThat(mailbox.owner()).isSameAs(second);
    }

    @Test
    @DisplayName("tasks submitted while the loop is busy run in turns of at most 256, each followed by one afterBatch")
    void turnsOfAtMostOneBatch() throws InterruptedException {
        Counting mailbox = new Counting(first);
        CountDownLatch release = new CountDownLatch(1);
        // hold the event loop so that all 1,000 tasks are waiting when the drain starts
        first.execute(() -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < 1_000; i++) {
            mailbox.submit(done::incrementAndGet);
        }
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 1_000 && mailbox.batches.get() >= 4);
        // 1,000 tasks in turns of 256: 3 full turns, then one that ends with the queue empty
        assertThat(mailbox.batches.get()).isEqualTo(4);
        assertThat(Mailbox.BATCH).isEqualTo(256);
    }

    @Test
    @DisplayName("a task that throws does not stop the tasks behind it")
    void failingTaskDoesNotStopTheOthers() {
        List<String> failures = new ArrayList<>();
        Mailbox mailbox = new Mailbox(first) {
            @Override
            protected void afterBatch() {}

            @Override
            protected void taskFailed(RuntimeException e) {
                failures.add(e.getMessage());
            }
        };
        AtomicInteger done = new AtomicInteger();
        mailbox.submit(done::incrementAndGet);
        mailbox.submit(() -> {
            throw new IllegalStateException("boom");
        });
        mailbox.submit(done::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 2);
        assertThat(failures).containsExactly("boom");
    }

    @Test
    @DisplayName("a task subclass carries its own data and runs like any other, in order")
    void taskSubclassRuns() {
        Counting mailbox = new Counting(first);
        List<Integer> ran = new ArrayList<>();
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < 10; i++) {
            int n = i;
            mailbox.submit(new Mailbox.Task() {
                @Override
                protected void run() {
                    ran.add(n);
                    done.incrementAndGet();
                }
            });
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> done.get() == 10);
        assertThat(ran).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
}
