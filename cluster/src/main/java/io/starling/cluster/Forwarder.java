package io.starling.cluster;

import io.starling.broker.model.Message;
import io.starling.cluster.wire.ClusterWire;
import io.starling.cluster.wire.ClusterWire.Forwarded;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends forwarded messages and retained changes on one thread, in batches: whatever has queued up
 * since the last send goes out as one network message per destination, in the order it was
 * queued (so per publisher too). The queue is bounded; when it is full a message is dropped and
 * counted rather than making a broker thread wait.
 */
final class Forwarder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    static final int QUEUE_CAPACITY = 100_000;
    static final int MAX_BATCH_MESSAGES = 1_000;
    static final int MAX_BATCH_BYTES = 512 * 1024;
    /** The destination key of a retained change: every other member. */
    private static final String EVERYONE = "";

    /** A message for {@code node} (with the shared subscriptions it was picked for), or a retained change for {@link #EVERYONE}. */
    private record Outgoing(String node, Forwarded forwarded) {}

    private final JChannel channel;
    private final String self;
    private final Function<String, @Nullable Address> addresses;
    private final ClusterStats stats;
    private final BlockingQueue<Outgoing> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    /**
     * Per destination, the messages offered and not yet sent (or dropped): the queued ones and the
     * batch being sent. A node's entry stays once made; node names are few.
     */
    private final ConcurrentHashMap<String, LongAdder> waiting = new ConcurrentHashMap<>();
    private final Thread sender;
    private volatile boolean running = true;

    Forwarder(JChannel channel, String self, Function<String, @Nullable Address> addresses, ClusterStats stats) {
        this.channel = channel;
        this.self = self;
        this.addresses = addresses;
        this.stats = stats;
        this.sender = new Thread(this::run, "starling-cluster-sender");
        sender.setDaemon(true);
        sender.start();
    }

    void forward(String node, Message message, List<String> shares) {
        offer(new Outgoing(node, new Forwarded(message, shares)));
    }

    void broadcastRetained(Message message) {
        offer(new Outgoing(EVERYONE, new Forwarded(message, List.of())));
    }

    private void offer(Outgoing outgoing) {
        // counted before it is queued, so that the sender never makes a count negative
        LongAdder waitingFor = waiting.computeIfAbsent(outgoing.node(), node -> new LongAdder());
        waitingFor.increment();
        if (!running || !queue.offer(outgoing)) {
            waitingFor.decrement();
            stats.droppedMessages.increment();
        }
    }

    /** The messages waiting to be sent to {@code node}. */
    long waiting(String node) {
        LongAdder n = waiting.get(node);
        return n == null ? 0 : n.sum();
    }

    /** The retained changes waiting to be sent to every other node. */
    long waitingRetained() {
        return waiting(EVERYONE);
    }

    private void run() {
        List<Outgoing> drained = new ArrayList<>();
        while (running) {
            try {
                Outgoing first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                drained.add(first);
                queue.drainTo(drained, MAX_BATCH_MESSAGES - 1);
                Map<String, List<Forwarded>> byNode = new LinkedHashMap<>();
                for (Outgoing outgoing : drained) {
                    byNode.computeIfAbsent(outgoing.node(), n -> new ArrayList<>()).add(outgoing.forwarded());
                }
                drained.clear();
                byNode.forEach(this::send);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("cluster: sending forwarded messages failed", e);
            }
        }
    }

    private void send(String node, List<Forwarded> messages) {
        try {
            sendBatches(node, messages);
        } finally {
            LongAdder waitingFor = waiting.get(node);
            if (waitingFor != null) {
                waitingFor.add(-messages.size());
            }
        }
    }

    private void sendBatches(String node, List<Forwarded> messages) {
        @Nullable Address destination = null;
        if (!node.equals(EVERYONE)) {
            destination = addresses.apply(node);
            if (destination == null) {
                // the node left after the broker decided to forward: its subscribers are gone with it
                stats.droppedMessages.add(messages.size());
                return;
            }
        }
        int from = 0;
        while (from < messages.size()) {
            int to = from;
            long bytes = 0;
            while (to < messages.size() && (to == from || bytes + messages.get(to).message().payload().length <= MAX_BATCH_BYTES)) {
                bytes += messages.get(to).message().payload().length;
                to++;
            }
            List<Forwarded> batch = messages.subList(from, to);
            byte[] frame = destination == null
                    ? ClusterWire.messages(ClusterWire.Kind.RETAINED, self, batch.stream().map(Forwarded::message).toList())
                    : ClusterWire.forward(self, batch);
            try {
                channel.send(new BytesMessage(destination, frame));
                if (destination == null) {
                    stats.retainedSent.add(batch.size());
                } else {
                    stats.forwardedMessages.add(batch.size());
                    stats.forwardedBatches.increment();
                    stats.forwardedBytes.add(frame.length);
                }
            } catch (Exception e) {
                stats.droppedMessages.add(batch.size());
                log.warn("cluster: could not send {} messages to {}: {}", batch.size(), node.isEmpty() ? "every node" : node, e.toString());
            }
            from = to;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        sender.interrupt();
        sender.join(2_000);
    }
}
