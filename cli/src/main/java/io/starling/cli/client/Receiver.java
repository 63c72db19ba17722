package io.starling.cli.client;

import io.starling.cli.client.format.ReceivedMessage;
import io.starling.client.MessageListener;
import io.starling.client.MqttMessage;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.TopicMatcher;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * What sub does with each message, in mosquitto_sub's order: skip it if retained
 * and -R is set, or if its topic matches a -T filter; clear it from the broker if retained and
 * --remove-retained is set; print it; count it towards -C.
 *
 * <p>Once sub is stopping (the -C count reached, -W expired, or a signal), a further message is
 * not printed, and one at QoS 1 or 2 is not acknowledged either: its listener call waits until
 * the connection is closed, and the client acknowledges a message only after its listener
 * returns, on a connection that is up. So on a persistent session (-c) the broker keeps it for
 * the next run instead of it being lost.
 */
final class Receiver implements MessageListener {
    /** How long a held-back message waits for the connection to close; a bound, not an expected time. */
    private static final long HOLD_SECONDS = 10;

    private final MessagePrinter printer;
    private final Function<MqttMessage, ReceivedMessage> details;
    private final int limit;
    private final boolean skipRetained;
    private final List<String> filterOut;
    private final @Nullable Consumer<String> removeRetained;
    private final CompletableFuture<Integer> done = new CompletableFuture<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile boolean limitReached;
    private int printed;

    /**
     * @param details adds to each message what the client library does not give (its packet id, its
     *     topic alias); called for every message, printed or not, in the order they come
     * @param limit the -C count, or 0 for no limit
     * @param removeRetained publishes an empty retained message to a topic (--remove-retained), or null
     */
    Receiver(MessagePrinter printer, Function<MqttMessage, ReceivedMessage> details, int limit, boolean skipRetained,
            List<String> filterOut, @Nullable Consumer<String> removeRetained) {
        this.printer = printer;
        this.details = details;
        this.limit = limit;
        this.skipRetained = skipRetained;
        this.filterOut = List.copyOf(filterOut);
        this.removeRetained = removeRetained;
    }

    @Override
    public void onMessage(MqttMessage message) {
        ReceivedMessage received = details.apply(message);
        if (stopping) {
            if (message.qos() != QoS.AT_MOST_ONCE) {
                holdBack();
            }
            return;
        }
        try {
            receive(received);
        } catch (UncheckedIOException e) {
            // standard output is gone (a pipe's reader exited): nobody will see more messages
            stopping = true;
            done.completeExceptionally(new CommandFailure(CommandFailure.ERROR, "Error: " + e.getMessage()));
        }
    }

    private void receive(ReceivedMessage received) {
        MqttMessage message = received.message();
        if (message.retain() && skipRetained) {
            return;
        }
        for (String filter : filterOut) {
            if (TopicMatcher.matches(filter, message.topic())) {
                return;
            }
        }
        if (removeRetained != null && message.retain()) {
            removeRetained.accept(message.topic());
        }
        printer.print(received);
        if (limit > 0 && ++printed == limit) {
            stopping = true;
            limitReached = true;
        }
    }

    /**
     * Runs after each task of the client's callback thread. The client queues a message's
     * acknowledgement at the end of the task that called the listener, so announcing the -C count
     * here, not from the listener, puts the last message's PUBACK on the wire before DISCONNECT.
     */
    void afterCallback() {
        if (limitReached) {
            done.complete(0);
        }
    }

    /**
     * Completes with the exit status when sub should stop: 0 once -C messages were printed, or on
     * a signal; or fails with a {@link CommandFailure} when standard output cannot be written.
     */
    CompletableFuture<Integer> done() {
        return done;
    }

    /** Whether sub is stopping: messages are no longer printed, and those at QoS 1 and 2 are held back. */
    boolean stopping() {
        return stopping;
    }

    /** Stops printing: later messages are held back (a signal, -W, or the end of the run). */
    void stop(int exitCode) {
        stopping = true;
        done.complete(exitCode);
    }

    /** Stops with {@code failure} (the broker disconnected): later messages are held back. */
    void fail(CommandFailure failure) {
        stopping = true;
        done.completeExceptionally(failure);
    }

    /** The connection is closed: held-back messages return, unacknowledged. */
    void connectionClosed() {
        closed.countDown();
    }

    private void holdBack() {
        try {
            closed.await(HOLD_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
