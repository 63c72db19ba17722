package io.starling.cluster;

import io.starling.broker.cluster.ClusterEvents;
import io.starling.broker.cluster.ClusterStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a node tells the broker of itself for {@link ClusterEvents#status()}: its view, its
 * counters and its forwarding queues, read without stopping anything (each count may be a few
 * messages apart from the others).
 */
final class ClusterStatusView {
    private ClusterStatusView() {}

    static ClusterStatus of(String cluster, String self, List<String> members, ClusterStats stats, Forwarder forwarder,
            long unacknowledgedBatches) {
        Map<String, Long> queued = new HashMap<>();
        for (String member : members) {
            if (!member.equals(self)) {
                queued.put(member, forwarder.waiting(member));
            }
        }
        ClusterStatus.Traffic traffic = new ClusterStatus.Traffic(stats.forwardedMessages(), stats.receivedMessages(),
                stats.forwardedBatches(), stats.receivedBatches(), stats.forwardedBytes(), stats.receivedBytes(),
                stats.retainedSent(), stats.retainedReceived(), stats.droppedMessages());
        return new ClusterStatus(cluster, self, members, Map.of(), queued, forwarder.waitingRetained() + unacknowledgedBatches, traffic);
    }
}
