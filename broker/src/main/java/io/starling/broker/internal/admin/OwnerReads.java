package io.starling.broker.internal.admin;

import io.starling.broker.internal.session.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Reads of session state where it may be read: in each session's mailbox, on its owner event
 * loop, as a flow would. The caller waits, at most {@link #TIMEOUT} for all of them together; a
 * call from a session's own event loop reads at once rather than wait for itself.
 */
final class OwnerReads {
    /** How long an operator's call waits for the sessions' event loops before it gives up. */
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private OwnerReads() {}

    /** What {@code read} returns for each session, in the order of {@code sessions}, read in each one's mailbox. */
    static <T> List<T> read(List<Session> sessions, Function<Session, T> read) {
        List<CompletableFuture<T>> pending = new ArrayList<>(sessions.size());
        for (Session session : sessions) {
            CompletableFuture<T> result = new CompletableFuture<>();
            if (session.owner().inEventLoop()) {
                result.complete(read.apply(session));
            } else {
                session.submit(() -> {
                    try {
                        result.complete(read.apply(session));
                    } catch (RuntimeException e) {
                        result.completeExceptionally(e);
                    }
                });
            }
            pending.add(result);
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<T> results = new ArrayList<>(pending.size());
        for (int i = 0; i < pending.size(); i++) {
            results.add(await(pending.get(i), deadline, "the session of client " + sessions.get(i).clientId()));
        }
        return results;
    }

    /** What {@code read} returns for {@code session}, read in its mailbox. */
    static <T> T read(Session session, Function<Session, T> read) {
        return read(List.of(session), read).get(0);
    }

    /** The value of {@code future}, waited for until {@code deadline}; {@code what} names it in the failure. */
    static <T> T await(CompletableFuture<T> future, long deadline, String what) {
        try {
            return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + ": no answer within " + TIMEOUT.toSeconds() + " s (the broker is busy)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + ": interrupted while waiting", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(what + ": failed", e.getCause());
        }
    }

    /** {@link #await} for {@link #TIMEOUT} from now. */
    static <T> T await(CompletableFuture<T> future, String what) {
        return await(future, System.nanoTime() + TIMEOUT.toNanos(), what);
    }
}
