package io.starling.broker.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The gate runs actions in the order given, each once its write completed; mailbox tasks run inline here. */
class StoreGateTest {
    private final List<String> ran = new ArrayList<>();
    /** Records the reasons the session's connection was closed for a failed store write. */
    private final RecordingConnection connection = new RecordingConnection(ImmediateEventExecutor.INSTANCE);
    /** The mailbox runs on the immediate executor: at once, on the completing thread, which is this one in these tests. */
    private final Session session = new Session("gate", ImmediateEventExecutor.INSTANCE, (s, message, qos, retain, ids, stored) -> {});
    private final StoreGate gate = session.gate();

    StoreGateTest() {
        session.attach(connection, true, false);
        session.connAckSent();
    }

    @Test
    @DisplayName("with nothing waiting, an action without a write, or with a completed one, runs at once")
    void clearGateRunsAtOnce() {
        gate.after(null, () -> ran.add("a"));
        gate.after(CompletableFuture.completedFuture(null), () -> ran.add("b"));
        assertThat(ran).containsExactly("a", "b");
        assertThat(gate.isClear()).isTrue();
    }

    @Test
    @DisplayName("an action waits for its write, and every later action waits behind it, even those whose writes completed first")
    void laterActionsWaitBehindEarlierWrites() {
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        gate.after(first, () -> ran.add("first"));
        gate.after(null, () -> ran.add("no write"));
        gate.after(second, () -> ran.add("second"));
        gate.after(null, () -> ran.add("last"));
        assertThat(gate.isClear()).isFalse();

        second.complete(null);
        assertThat(ran).isEmpty();
        first.complete(null);
        assertThat(ran).containsExactly("first", "no write", "second", "last");
        assertThat(gate.isClear()).isTrue();
    }

    @Test
    @DisplayName("a failed write drops its action and reports the failure; the actions behind it still run")
    void failedWriteDropsItsActionOnly() {
        CompletableFuture<Void> failing = new CompletableFuture<>();
        gate.after(failing, () -> ran.add("acknowledge"));
        gate.after(null, () -> ran.add("next"));
        IllegalStateException full = new IllegalStateException("disk full");
        failing.completeExceptionally(full);
        assertThat(ran).containsExactly("next");
        assertThat(connection.storeFailures).containsExactly("disk full");
        assertThat(gate.isClear()).isTrue();
    }

    @Test
    @DisplayName("a gate that never waited is clear, and stays clear after actions that ran at once")
    void neverWaitingGateIsClear() {
        assertThat(gate.isClear()).isTrue();
        gate.after(null, () -> ran.add("a"));
        assertThat(gate.isClear()).isTrue();
        assertThat(ran).containsExactly("a");
    }

    /** A connection that records why it was closed for a store failure; nothing else is used here. */
}
