package io.starling.cluster;

import java.util.concurrent.atomic.LongAdder;

/** What a cluster node counts, for metrics: every counter only grows. */
public final class ClusterStats {
    final LongAdder forwardedMessages = new LongAdder();
    final LongAdder forwardedBatches = new LongAdder();
    final LongAdder forwardedBytes = new LongAdder();
    final LongAdder receivedMessages = new LongAdder();
    final LongAdder receivedBatches = new LongAdder();
    final LongAdder receivedBytes = new LongAdder();
    final LongAdder droppedMessages = new LongAdder();
    final LongAdder retainedSent = new LongAdder();
    final LongAdder retainedReceived = new LongAdder();

    ClusterStats() {}

    /** Messages sent to other nodes for their subscribers. */
    public long forwardedMessages() {
        return forwardedMessages.sum();
    }

    /** Batches those messages went in (one network message each). */
    public long forwardedBatches() {
        return forwardedBatches.sum();
    }

    /** Bytes of those batches, as framed. */
    public long forwardedBytes() {
        return forwardedBytes.sum();
    }

    /** Messages other nodes forwarded here. */
    public long receivedMessages() {
        return receivedMessages.sum();
    }

    /** Batches the forwarded messages came in. */
    public long receivedBatches() {
        return receivedBatches.sum();
    }

    /** Bytes of those batches, as framed. */
    public long receivedBytes() {
        return receivedBytes.sum();
    }

    /** Messages not forwarded: the node was not (or no longer) a member, the queue was full, or the send failed. */
    public long droppedMessages() {
        return droppedMessages.sum();
    }

    /** Retained changes and snapshot entries sent to other nodes. */
    public long retainedSent() {
        return retainedSent.sum();
    }

    /** Retained changes and snapshot entries received from other nodes. */
    public long retainedReceived() {
        return retainedReceived.sum();
    }
}
