package io.starling.broker.internal.session;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/**
 * Holds back what a session sends until the store has what it promises, without reordering:
 * each action runs in the session's mailbox once its store write completes and every action
 * queued before it has run. A PUBACK waits for its message to be stored, and a PUBACK behind it
 * whose message needed no store write waits too, because acknowledgements go out in the order
 * the PUBLISHes came in [MQTT-4.6.0-2]. While nothing waits, an action runs at once, so sessions
 * that store nothing pay nothing, not even the queue of waiting actions. Mailbox only.
 */
public final class StoreGate {
    private static final CompletableFuture<Void> STORED = CompletableFuture.completedFuture(null);

    private record Waiting(CompletableFuture<Void> stored, Runnable action) {}

    /**
     * The session whose mailbox runs released actions, and which is told of each store write that
     * failed (its action is dropped). The session itself rather than two callbacks: a gate per
     * session, so no per-session lambdas.
     */
    private final Session session;
    /** Actions waiting, oldest first; made when the first one has to wait. */
    private @Nullable ArrayDeque<Waiting> waiting;

    StoreGate(Session session) {
        this.session = session;
    }

    /** Whether nothing waits: an action given now would run at once. */
    public boolean isClear() {
        ArrayDeque<Waiting> w = waiting;
        return w == null || w.isEmpty();
    }

    /**
     * Runs {@code action} once {@code stored} (null: nothing to wait for) has completed and every
     * action given before it has run; at once if that is already so.
     */
    public void after(@Nullable CompletableFuture<Void> stored, Runnable action) {
        if (isClear() && (stored == null || (stored.isDone() && !stored.isCompletedExceptionally()))) {
            action.run();
            return;
        }
        ArrayDeque<Waiting> w = waiting;
        if (w == null) {
            w = waiting = new ArrayDeque<>(4);
        }
        CompletableFuture<Void> s = stored == null ? STORED : stored;
        w.add(new Waiting(s, action));
        if (!s.isDone()) {
            s.whenComplete((ok, e) -> session.submit(this::release));
        } else if (w.size() == 1) {
            release();
        }
    }

    /** Runs the actions at the head whose writes have completed. */
    private void release() {
        ArrayDeque<Waiting> w = waiting;
        if (w == null) {
            return;
        }
        Waiting head;
        while ((head = w.peek()) != null && head.stored.isDone()) {
            w.poll();
            if (head.stored.isCompletedExceptionally()) {
                session.storeFailed(cause(head.stored));
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
