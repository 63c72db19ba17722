package io.starling.client.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the user's code runs: listeners and the completion of the futures the API returned (so a
 * {@code thenApply} stage never runs on the I/O thread). By default a single daemon thread of the
 * client's own, which keeps callbacks in order; or the executor the user chose.
 */
public final class Callbacks {
    private static final Logger log = LoggerFactory.getLogger(Callbacks.class);

    private final Executor executor;
    private final @Nullable ExecutorService owned;
    private volatile @Nullable Thread ownThread;

    public Callbacks(@Nullable Executor chosen, String clientId) {
        if (chosen != null) {
            this.executor = chosen;
            this.owned = null;
        } else {
            String name = "starling-client-callbacks-" + (clientId.isEmpty() ? "anonymous" : clientId);
            this.owned = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                ownThread = t;
                return t;
            });
            this.executor = owned;
        }
    }

    public void execute(Runnable task) {
        try {
            executor.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warn("a client callback failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // the client is closed: run here rather than leave a future hanging
            task.run();
        }
    }

    /** Completes {@code future} with {@code value}, which is null for a {@code CompletableFuture<Void>}. */
    public <T> void complete(CompletableFuture<T> future, @Nullable T value) {
        execute(() -> future.complete(value));
    }

    public void fail(CompletableFuture<?> future, Throwable cause) {
        execute(() -> future.completeExceptionally(cause));
    }

    /** Stops the client's own thread after the callbacks already queued. */
    public void shutdown() {
        if (owned != null) {
            owned.shutdown();
            if (Thread.currentThread() == ownThread) {
                return; // closed from a listener: the thread ends when that listener returns
            }
            try {
                if (!owned.awaitTermination(2, TimeUnit.SECONDS)) {
                    owned.shutdownNow();
                }
            } catch (InterruptedException e) {
                owned.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
