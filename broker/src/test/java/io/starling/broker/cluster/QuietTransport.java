package io.starling.broker.cluster;

import io.starling.broker.model.Message;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster transport for tests that has no other node: every route is known at once, nothing is
 * forwarded or replicated anywhere. Tests override what they watch.
 */
public class QuietTransport implements ClusterEvents {
    @Override
    public CompletableFuture<Void> routeAdded(String filter) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void routeRemoved(String filter) {}

    @Override
    public void forward(String node, Message message, List<String> shares) {}

    @Override
    public void retainedChanged(Message message) {}
}
