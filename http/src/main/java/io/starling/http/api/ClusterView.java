package io.starling.http.api;

import io.starling.broker.cluster.ClusterStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** The JSON of {@code GET /api/v1/cluster} (docs/admin-api.md). */
final class ClusterView {
    private ClusterView() {}

    /** {@code {"enabled": false}} without a cluster; otherwise the members, each with its routes and queue, and the traffic. */
    static Map<String, Object> of(Optional<ClusterStatus> status) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (status.isEmpty()) {
            json.put("enabled", false);
            return json;
        }
        ClusterStatus cluster = status.get();
        json.put("enabled", true);
        json.put("cluster", cluster.cluster());
        json.put("node", cluster.node());
        json.put("coordinator", cluster.coordinator());
        List<Map<String, @Nullable Object>> members = new ArrayList<>();
        for (String name : cluster.members()) {
            Map<String, @Nullable Object> member = new LinkedHashMap<>();
            member.put("node", name);
            member.put("self", name.equals(cluster.node()));
            member.put("coordinator", name.equals(cluster.coordinator()));
            member.put("routes", cluster.routes().getOrDefault(name, 0));
            // no queue to this node itself
            member.put("forward_queue", name.equals(cluster.node()) ? null : cluster.forwardQueue().getOrDefault(name, 0L));
            members.add(member);
        }
        json.put("members", members);
        json.put("replication_queue", cluster.replicationQueue());
        ClusterStatus.Traffic traffic = cluster.traffic();
        Map<String, Long> messages = directions(traffic.messagesOut(), traffic.messagesIn());
        messages.put("dropped", traffic.dropped());
        json.put("messages", messages);
        json.put("batches", directions(traffic.batchesOut(), traffic.batchesIn()));
        json.put("bytes", directions(traffic.bytesOut(), traffic.bytesIn()));
        json.put("retained_replicated", directions(traffic.retainedOut(), traffic.retainedIn()));
        return json;
    }

    private static Map<String, Long> directions(long out, long in) {
        Map<String, Long> json = new LinkedHashMap<>();
        json.put("out", out);
        json.put("in", in);
        return json;
    }
}
