package io.starling.cluster;

import io.starling.broker.cluster.ClusterPort;
import io.starling.broker.cluster.SessionState;
import io.starling.cluster.wire.SessionWire;
import io.starling.cluster.wire.SessionWire.Answer;
import io.starling.cluster.wire.SessionWire.Outcome;
import io.starling.cluster.wire.SessionWire.Take;
import io.starling.cluster.replication.Replicas;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final Replicas replicas;
    /** Sessions this node received from others, and handed to others. */
    final LongAdder adopted = new LongAdder();
    final LongAdder handedOver = new LongAdder();

    Handover(JChannel channel, String self, ClusterPort port, Executor sender, Replicas replicas) {
        this.replicas = replicas;
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
        return send(address, node, new Take(self, ids.incrementAndGet(), clientId, cleanStart)).thenApply(state -> {
            state.ifPresent(s -> adopted.increment());
            return state;
        });
    }

    private CompletableFuture<Optional<SessionState>> send(Address address, String node, Take take) {
        CompletableFuture<Optional<SessionState>> answer = new CompletableFuture<>();
        pending.put(take.id(), new Request(node, answer));
        answer.whenComplete((state, failed) -> pending.remove(take.id()));
        try {
            channel.send(new BytesMessage(address, SessionWire.take(take)));
        } catch (Exception e) {
            answer.completeExceptionally(e);
            return answer;
        }
        return answer.orTimeout(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Asks every member but this one for the replica of {@code clientId}'s session that {@code
     * deadOwner} held: completes with the state of the one that has it (empty when none has).
     */
    CompletableFuture<Optional<SessionState>> takeReplica(Map<String, Address> members, String deadOwner, String clientId,
            boolean cleanStart) {
        SessionState here = replicas.take(deadOwner, clientId);
        if (here != null) {
            return CompletableFuture.completedFuture(cleanStart ? Optional.empty() : Optional.of(here));
        }
        List<CompletableFuture<Optional<SessionState>>> asked = new ArrayList<>();
        members.forEach((name, address) -> {
            if (!name.equals(self)) {
                asked.add(send(address, name, new Take(self, ids.incrementAndGet(), clientId, cleanStart, deadOwner))
                        .exceptionally(failed -> Optional.empty()));
            }
        });
        return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenApply(all -> {
            for (CompletableFuture<Optional<SessionState>> answer : asked) {
                Optional<SessionState> state = answer.join();
                if (state.isPresent()) {
                    adopted.increment();
                    return state;
                }
            }
            log.info("client {}: its session was on node {}, which is gone, and no replica of it was found; it starts without it",
                    clientId, deadOwner);
            return Optional.empty();
        });
    }

    /** Another node took a session over: let it go here and answer with its state. JGroups' thread. */
    void onTake(Take take, Address from) {
        CompletableFuture<Optional<SessionState>> released;
        if (!take.replicaOf().isEmpty()) {
            // the session's node died: what this node has is its replica, if anything
            SessionState replica = replicas.take(take.replicaOf(), take.clientId());
            released = CompletableFuture.completedFuture(take.cleanStart() ? Optional.empty() : Optional.ofNullable(replica));
        } else {
            try {
                released = port.release(take.clientId(), take.cleanStart());
            } catch (RuntimeException e) {
                released = CompletableFuture.failedFuture(e);
            }
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
