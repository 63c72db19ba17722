package io.starling.cluster.ownership;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.util.NameCache;
import org.jgroups.raft.RaftHandle;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's claims to sessions, decided by the cluster's majority through jgroups-raft: a
 * claim is granted once a majority of the members has it in its log, and answers which node owned
 * the session before. A node that cannot reach a majority (alone, or on the minority side of a
 * split) has its claims fail after {@link #CLAIM_TIMEOUT}: its clients are refused rather than
 * given a session another node may own. Sessions that end here are released in batches, once a
 * second, so that the table does not keep every client identifier ever seen.
 */
public final class Ownership implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ownership.class);
    /** How long a claim waits for a majority at most. */
    public static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(5);
    private static final int RELEASE_BATCH = 1_000;

    private final RaftHandle raft;
    private final SessionOwners owners;
    private final String self;
    private final ScheduledExecutorService releases;
    /** Ended sessions not yet released. Guarded by this. */
    private final Set<String> ended = new LinkedHashSet<>();

    /** Puts the owners table on {@code channel} (before it connects); {@code self} is this node's raft id and name. */
    public Ownership(JChannel channel, String self) {
        this.owners = new SessionOwners();
        this.self = self;
        this.raft = new RaftHandle(channel, owners).raftId(self);
        this.releases = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "starling-cluster-owners");
            thread.setDaemon(true);
            return thread;
        });
        releases.scheduleWithFixedDelay(this::flushReleases, 1, 1, TimeUnit.SECONDS);
        releases.scheduleWithFixedDelay(this::watchLeader, 500, 500, TimeUnit.MILLISECONDS);
    }

    /** The leader last logged: "" before the first check. */
    private String loggedLeader = "";

    /** Logs each change of leader, so that an operator sees when this node can (and cannot) accept clients. */
    private void watchLeader() {
        String leader = leader();
        String now = leader == null ? "(none)" : leader;
        if (now.equals(loggedLeader)) {
            return;
        }
        loggedLeader = now;
        if (leader == null) {
            log.warn("cluster: session ownership has no leader: no majority of the members is reachable; clients connecting"
                    + " here are refused (Server unavailable) until one is");
        } else {
            log.info("cluster: session ownership decided by a majority, leader {}", leader);
        }
    }

    /**
     * Claims the session of {@code clientId} for this node: completes with the node that owned it
     * before (null: none, or this one), or fails when no majority granted it within the bound.
     */
    public CompletableFuture<@Nullable String> claim(String clientId) {
        byte[] command = SessionOwners.claim(clientId, self);
        CompletableFuture<byte[]> granted;
        try {
            synchronized (this) {
                // a release of its earlier session here must not follow this claim: sent in order
                ended.remove(clientId);
                granted = raft.setAsync(command, 0, command.length);
            }
        } catch (Exception e) {
            // no leader known (alone, or on a minority side): not granted
            return CompletableFuture.failedFuture(new IllegalStateException("no majority of the cluster's members reachable: " + e.getMessage(), e));
        }
        return granted.orTimeout(CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).thenApply(answer -> {
            String before = SessionOwners.previousOwner(answer);
            return self.equals(before) ? null : before;
        });
    }

    /**
     * Claims for this node those of {@code clientIds} that {@code deadOwner} still owns (the node
     * holding their replicas takes them over): completes with the ones granted.
     */
    public CompletableFuture<List<String>> claimFrom(String deadOwner, List<String> clientIds) {
        byte[] command = SessionOwners.claimIf(self, deadOwner, clientIds);
        try {
            return raft.setAsync(command, 0, command.length).orTimeout(CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenApply(SessionOwners::granted);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new IllegalStateException("no majority of the cluster's members reachable: " + e.getMessage(), e));
        }
    }

    /**
     * The owners of {@code clientIds} as the majority has them now (a read through the leader, not
     * this node's copy, which may lag): the same order, "" for none.
     */
    public CompletableFuture<List<String>> owners(List<String> clientIds) {
        byte[] command = SessionOwners.owners(clientIds);
        try {
            return raft.getAsync(command, 0, command.length).orTimeout(CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .thenApply(SessionOwners::granted);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(new IllegalStateException("no majority of the cluster's members reachable: " + e.getMessage(), e));
        }
    }

    /** The session of {@code clientId} ended here: released with the next batch. */
    public synchronized void ended(String clientId) {
        ended.add(clientId);
    }

    /** The owner this node knows of (it may lag behind the majority), or null. */
    public @Nullable String knownOwner(String clientId) {
        return owners.owner(clientId);
    }

    /** The owners table as this node has it. */
    public SessionOwners table() {
        return owners;
    }

    /** The current raft leader's name, or null while there is none this node knows of. */
    public @Nullable String leader() {
        Address leader = raft.leader();
        if (leader == null) {
            return null;
        }
        String name = NameCache.get(leader);
        return name != null ? name : leader.toString();
    }

    private void flushReleases() {
        List<String> batch;
        synchronized (this) {
            if (ended.isEmpty()) {
                return;
            }
            batch = new ArrayList<>(Math.min(ended.size(), RELEASE_BATCH));
            for (String clientId : ended) {
                if (batch.size() == RELEASE_BATCH) {
                    break;
                }
                batch.add(clientId);
            }
            ended.removeAll(batch);
            byte[] command = SessionOwners.release(self, batch);
            try {
                // sent under the lock, so that a claim made after this batch is taken is sent after it
                raft.setAsync(command, 0, command.length).orTimeout(CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                        .whenComplete((ok, failed) -> {
                            if (failed != null) {
                                dropped(batch, failed);
                            }
                        });
            } catch (Exception e) {
                dropped(batch, e);
            }
        }
    }

    private void dropped(List<String> batch, Throwable failed) {
        // not retried: a late release could remove a claim made since; a stale entry costs only
        // memory (a node that takes the session over asks this one, which answers it has none)
        log.debug("cluster: releasing {} ended sessions failed: {}", batch.size(), failed.toString());
    }

    @Override
    public void close() {
        releases.shutdownNow();
    }
}
