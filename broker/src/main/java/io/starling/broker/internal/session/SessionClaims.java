package io.starling.broker.internal.session;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Who owns a client identifier's session when brokers run as a cluster: a connection claims its
 * session before opening it, and the session's end gives it up. {@link #LOCAL}, a broker on its
 * own, owns every session without asking.
 */
public interface SessionClaims {
    /** A broker on its own: every claim is granted at once. */
    SessionClaims LOCAL = new SessionClaims() {
        @Override
        public @Nullable CompletableFuture<Void> claim(String clientId, boolean cleanStart) {
            return null;
        }

        @Override
        public void ended(String clientId) {}
    };

    /**
     * Claims the session of {@code clientId} for a connection about to open it: null when it is
     * this node's already (nothing to wait for), else a future that completes once it is, and
     * fails when it cannot be (the client is refused). Any thread.
     */
    @Nullable CompletableFuture<Void> claim(String clientId, boolean cleanStart);

    /** The session of {@code clientId} ended here. Any thread; returns at once. */
    void ended(String clientId);
}
