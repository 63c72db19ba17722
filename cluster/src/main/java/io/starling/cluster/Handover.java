package io.starling.cluster;

import io.starling.broker.cluster.ClusterPort;
import io.starling.broker.cluster.SessionState;
import io.starling.cluster.wire.SessionWire;
import io.starling.cluster.wire.SessionWire.Answer;
import io.starling.cluster.wire.SessionWire.Outcome;
import io.starling.cluster.wire.SessionWire.Take;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions moving between nodes: this node asks the node that owned a session to give it up
 * (TAKE), and answers such requests from the others with the session's state (SESSION). The
 * request and its answer travel on the cluster channel (reliable, ordered); a request to a node
 * that leaves meanwhile ends with no state, as if that node had none.
 */
final class Handover {
    private static final Logger log = LoggerFactory.getLogger(Handover.class);
    /** How long a take-over waits for the other node's answer at most. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    private record Request(String node, CompletableFuture<Optional<SessionState>> answer) {}

    private final JChannel channel;
    private final String self;
    private final ClusterPort port;
    /** Where answers are sent from: never a broker thread, whose sends could wait on flow control. */
    private final Executor sender;
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Request> pending = new ConcurrentHashMap<>();
    /** Sessions this node received from others, and handed to others. */
    final LongAdder adopted = new LongAdder();
    final LongAdder handedOver = new LongAdder();

    Handover(JChannel channel, String self, ClusterPort port, Executor sender) {
        this.channel = channel;
        this.self = self;
        this.port = port;
        this.sender = sender;
    }

    /**
     * Asks {@code node} (at {@code address}) to give up the session of {@code clientId}; completes
     * with the state it hands over (empty when nothing goes on), or fails when it does not answer
     * in time or failed to.
     */
    CompletableFuture<Optional<SessionState>> take(Address address, String node, String clientId, boolean cleanStart) {
        long id = ids.incrementAndGet();
        CompletableFuture<Optional<SessionState>> answer = new CompletableFuture<>();
        pending.put(id, new Request(node, answer));
        answer.whenComplete((state, failed) -> pending.remove(id));
        try {
            channel.send(new BytesMessage(address, SessionWire.take(new Take(self, id, clientId, cleanStart))));
        } catch (Exception e) {
            answer.completeExceptionally(e);
            return answer;
        }
        return answer.orTimeout(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).thenApply(state -> {
            state.ifPresent(s -> adopted.increment());
            return state;
        });
    }

    /** Another node took a session over: let it go here and answer with its state. JGroups' thread. */
    void onTake(Take take, Address from) {
        CompletableFuture<Optional<SessionState>> released;
        try {
            released = port.release(take.clientId(), take.cleanStart());
        } catch (RuntimeException e) {
            released = CompletableFuture.failedFuture(e);
        }
        released.whenCompleteAsync((state, failed) -> {
            Answer answer;
            if (failed != null) {
                log.warn("client {}: handing its session over to node {} failed: {}", take.clientId(), take.sender(), failed.toString());
                answer = new Answer(self, take.id(), Outcome.FAILED, null, String.valueOf(failed.getMessage()));
            } else if (state.isPresent()) {
                handedOver.increment();
                answer = new Answer(self, take.id(), Outcome.STATE, state.get(), "");
            } else {
                answer = new Answer(self, take.id(), Outcome.NONE, null, "");
            }
            try {
                channel.send(new BytesMessage(from, SessionWire.answer(answer)));
            } catch (Exception e) {
                log.warn("client {}: could not answer node {} taking its session over: {}", take.clientId(), take.sender(), e.toString());
            }
        }, sender);
    }

    /** The answer to one of this node's take-overs. JGroups' thread. */
    void onAnswer(Answer answer) {
        Request request = pending.get(answer.id());
        if (request == null) {
            SessionState late = answer.state();
            if (late != null) {
                // the client was refused meanwhile, but the session is this node's: kept for its next try
                log.warn("client {}: node {} handed its session over after the client gave up waiting; kept here", late.clientId(),
                        answer.sender());
                adopted.increment();
                port.adopt(late);
            }
            return;
        }
        switch (answer.outcome()) {
            case STATE -> request.answer().complete(Optional.ofNullable(answer.state()));
            case NONE -> request.answer().complete(Optional.empty());
            case FAILED -> request.answer().completeExceptionally(
                    new IllegalStateException("node " + answer.sender() + " could not hand the session over: " + answer.failure()));
        }
    }

    /** {@code node} left: its sessions are not coming; the take-overs waiting for it go on without. */
    void nodeGone(String node) {
        pending.values().removeIf(request -> {
            if (request.node().equals(node)) {
                request.answer().complete(Optional.empty());
                return true;
            }
            return false;
        });
    }
}
