package io.starling.cli.client;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where sub's client runs its callbacks (message listener, future completions). One thread keeps
 * the messages in order while sub prints them. Once sub stops, a held-back message blocks its
 * thread until the connection is closed (see {@link Receiver}), so each later callback (the PUBACK
 * of a --remove-retained publish, the end of DISCONNECT) gets a thread of its own. After each
 * callback the receiver is told, and the callbacks not yet finished are counted, so that sub can
 * let them end before it closes the client.
 */
final class CallbackThreads implements Executor {
    private final Receiver receiver;
    private final ExecutorService inOrder = Executors.newSingleThreadExecutor(daemon("starling-sub-callbacks"));
    private final ExecutorService stopping = Executors.newCachedThreadPool(daemon("starling-sub-stopping"));
    private final AtomicInteger unfinished = new AtomicInteger();

    CallbackThreads(Receiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public void execute(Runnable task) {
        unfinished.incrementAndGet();
        Runnable callback = () -> {
            try {
                task.run();
            } finally {
                unfinished.decrementAndGet();
                receiver.afterCallback();
            }
        };
        try {
            (receiver.stopping() ? stopping : inOrder).execute(callback);
        } catch (RuntimeException e) {
            unfinished.decrementAndGet();
            throw e;
        }
    }

    /**
     * Waits, up to {@code millis}, until every callback handed over so far has finished: a
     * released message's listener returns and the client's acknowledgement step after it runs
     * (and finds the connection closed) while the client is still open.
     */
    void awaitFinished(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (unfinished.get() > 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
    }

    void shutdown() {
        inOrder.shutdownNow();
        stopping.shutdownNow();
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
