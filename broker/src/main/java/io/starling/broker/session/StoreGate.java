package io.starling.broker.session;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Holds back what a session sends until the store has what it promises, without reordering:
 * each action runs in the session's mailbox once its store write completes and every action
 * queued before it has run. A PUBACK waits for its message to be stored, and a PUBACK behind it
 * whose message needed no store write waits too, because acknowledgements go out in the order
 * the PUBLISHes came in [MQTT-4.6.0-2]. While nothing waits, an action runs at once, so sessions
 * that store nothing pay nothing. Mailbox only.
 */
public final class StoreGate {
    private static final CompletableFuture<Void> STORED = CompletableFuture.completedFuture(null);

    private record Waiting(CompletableFuture<Void> stored, Runnable action) {}

    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final Consumer<Runnable> mailbox;
    private final Consumer<Throwable> failed;

    /**
     * @param mailbox submits a task to the session's mailbox
     * @param failed told, in the mailbox, of each store write that failed; its action is dropped
     */
    StoreGate(Consumer<Runnable> mailbox, Consumer<Throwable> failed) {
        this.mailbox = mailbox;
        this.failed = failed;
    }

    /** Whether nothing waits: an action given now would run at once. */
    public boolean isClear() {
        return waiting.isEmpty();
    }

    /**
     * Runs {@code action} once {@code stored} (null: nothing to wait for) has completed and every
     * action given before it has run; at once if that is already so.
     */
    public void after(@Nullable CompletableFuture<Void> stored, Runnable action) {
        if (waiting.isEmpty() && (stored == null || (stored.isDone() && !stored.isCompletedExceptionally()))) {
            action.run();
            return;
        }
        CompletableFuture<Void> s = stored == null ? STORED : stored;
        waiting.add(new Waiting(s, action));
        if (!s.isDone()) {
            s.whenComplete((ok, e) -> mailbox.accept(this::release));
        } else if (waiting.size() == 1) {
            release();
        }
    }

    /** Runs the actions at the head whose writes have completed. */
    private void release() {
        Waiting head;
        while ((head = waiting.peek()) != null && head.stored.isDone()) {
            waiting.poll();
            if (head.stored.isCompletedExceptionally()) {
                failed.accept(cause(head.stored));
            } else {
                head.action.run();
            }
        }
    }

    private static Throwable cause(CompletableFuture<Void> failedWrite) {
        try {
            failedWrite.join();
            return new IllegalStateException("not failed");
        } catch (CompletionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (RuntimeException e) {
            return e;
        }
    }
}
