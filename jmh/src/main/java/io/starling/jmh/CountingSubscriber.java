package io.starling.jmh;

import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.codec.packet.QoS;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A subscriber whose delivery path is empty: it counts what it is handed and gives it to a
 * Blackhole, so that a benchmark measures the router's side of a delivery and nothing of a
 * session's. Not durable, so the router never stores for it. Used from one thread.
 */
final class CountingSubscriber implements Subscriber {
    private final String clientId;
    private @Nullable Blackhole blackhole;
    private long delivered;

    CountingSubscriber(String clientId) {
        this.clientId = clientId;
    }

    /** Where deliveries go from now on; none are consumed before this is set. */
    void consumeInto(Blackhole blackhole) {
        this.blackhole = blackhole;
    }

    long delivered() {
        return delivered;
    }

    @Override
    public String clientId() {
        return clientId;
    }

    @Override
    public long nextQueueSeq() {
        throw new IllegalStateException("not durable: the router asks for a queue sequence only of durable subscribers");
    }

    @Override
    public void deliver(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
        delivered++;
        if (blackhole != null) {
            blackhole.consume(message);
            blackhole.consume(qos);
        }
    }

    @Override
    public String toString() {
        return "CountingSubscriber[" + clientId + "]";
    }
}
