package io.starling.cluster.replication;

import io.starling.broker.cluster.SessionChange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends this node's session changes to its backups, in batches on one thread, and completes each
 * commit's future once every backup acknowledged the batch that carried it: what a PUBACK
 * acknowledges is then on {@code replication_factor} nodes. The backups are the next members
 * after this node in the ring of member names ({@link #backupsOf}). A backup that joins gets a
 * snapshot of every persistent session first; a backup that leaves is not waited for. While the
 * cluster has fewer members than the factor, changes are acknowledged with the copies there are
 * (a WARN says so, once per view).
 */
public final class Replicator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Replicator.class);
    /** How long a commit waits for its backups at most before it fails (and its client is disconnected). */
    static final Duration ACK_TIMEOUT = Duration.ofSeconds(20);
    static final int MAX_BATCH_CHANGES = 20_000;

    private record Commit(List<SessionChange> changes, CompletableFuture<Void> replicated) {}

    /** A batch sent and not yet acknowledged by every backup. */
    private static final class InFlight {
        final List<CompletableFuture<Void>> commits;
        final Set<String> waitingFor;
        final long sentAtNanos = System.nanoTime();

        InFlight(List<CompletableFuture<Void>> commits, Set<String> waitingFor) {
            this.commits = commits;
            this.waitingFor = waitingFor;
        }
    }

    private final JChannel channel;
    private final String self;
    private final int factor;
    private final Supplier<CompletableFuture<List<SessionChange>>> snapshot;
    /** Commits to send, and view changes, in order. */
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread sender;
    /** Sender thread only: the backups now and their addresses. */
    private Map<String, Address> backups = Map.of();
    private long nextBatch;
    /** Batches waiting for acknowledgements, by id. Guarded by itself. */
    private final Map<Long, InFlight> inFlight = new HashMap<>();
    private volatile boolean running = true;

    /**
     * @param snapshot every persistent session of this node as changes, for a new backup
     */
    public Replicator(JChannel channel, String self, int factor, Supplier<CompletableFuture<List<SessionChange>>> snapshot) {
        this.channel = channel;
        this.self = self;
        this.factor = factor;
        this.snapshot = snapshot;
        this.sender = new Thread(this::run, "starling-cluster-replicator");
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * The backups of {@code origin} among {@code members}: the {@code factor - 1} names after it in
     * sorted order, wrapping around (fewer when there are fewer members).
     */
    public static List<String> backupsOf(String origin, Set<String> members, int factor) {
        List<String> ring = new ArrayList<>(members);
        if (!ring.contains(origin)) {
            ring.add(origin);
        }
        ring.sort(null);
        int at = ring.indexOf(origin);
        List<String> backups = new ArrayList<>();
        for (int i = 1; i < ring.size() && backups.size() < factor - 1; i++) {
            backups.add(ring.get((at + i) % ring.size()));
        }
        return backups;
    }

    /** Sends {@code changes} to the backups; the future completes once they all have them. */
    public CompletableFuture<Void> replicate(List<SessionChange> changes) {
        if (factor <= 1) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> replicated = new CompletableFuture<>();
        queue.add(new Commit(changes, replicated));
        return replicated;
    }

    /** The members changed: new backups get a snapshot, commits stop waiting for backups that left. */
    public void viewChanged(Map<String, Address> members) {
        queue.add(Map.copyOf(members));
    }

    /** {@code backup} has batch {@code id}. */
    public void acknowledged(String backup, long id) {
        List<CompletableFuture<Void>> done = null;
        synchronized (inFlight) {
            InFlight batch = inFlight.get(id);
            if (batch != null && batch.waitingFor.remove(backup) && batch.waitingFor.isEmpty()) {
                inFlight.remove(id);
                done = batch.commits;
            }
        }
        if (done != null) {
            done.forEach(f -> f.complete(null));
        }
    }

    /** How many batches wait for acknowledgements: the replication lag. */
    public int waiting() {
        synchronized (inFlight) {
            return inFlight.size();
        }
    }

    private void run() {
        List<Object> drained = new ArrayList<>();
        while (running) {
            try {
                Object first = queue.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                expireOverdue();
                if (first == null) {
                    continue;
                }
                drained.add(first);
                queue.drainTo(drained, 4_096);
                List<Commit> commits = new ArrayList<>();
                int changes = 0;
                for (Object item : drained) {
                    if (item instanceof Commit commit) {
                        if (changes + commit.changes().size() > MAX_BATCH_CHANGES && !commits.isEmpty()) {
                            send(commits);
                            commits = new ArrayList<>();
                            changes = 0;
                        }
                        commits.add(commit);
                        changes += commit.changes().size();
                    } else {
                        // commits before a view change go to the backups of before
                        send(commits);
                        commits = new ArrayList<>();
                        changes = 0;
                        @SuppressWarnings("unchecked")
                        Map<String, Address> members = (Map<String, Address>) item;
                        changeBackups(members);
                    }
                }
                send(commits);
                drained.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.warn("cluster: replicating session changes failed", e);
            }
        }
    }

    private void send(List<Commit> commits) {
        if (commits.isEmpty()) {
            return;
        }
        if (backups.isEmpty()) {
            // no other member to hold a copy: acknowledged with this node's alone
            commits.forEach(c -> c.replicated().complete(null));
            return;
        }
        List<SessionChange> changes = new ArrayList<>();
        List<CompletableFuture<Void>> futures = new ArrayList<>(commits.size());
        for (Commit commit : commits) {
            changes.addAll(commit.changes());
            futures.add(commit.replicated());
        }
        long id = ++nextBatch;
        synchronized (inFlight) {
            inFlight.put(id, new InFlight(futures, new HashSet<>(backups.keySet())));
        }
        byte[] frame = ReplicationWire.batch(new ReplicationWire.Batch(self, id, false, changes));
        for (Map.Entry<String, Address> backup : backups.entrySet()) {
            try {
                channel.send(new BytesMessage(backup.getValue(), frame));
            } catch (Exception e) {
                log.warn("cluster: could not send session changes to backup {}: {}", backup.getKey(), e.toString());
            }
        }
    }

    private void changeBackups(Map<String, Address> members) {
        Map<String, Address> next = new HashMap<>();
        for (String name : backupsOf(self, members.keySet(), factor)) {
            Address address = members.get(name);
            if (address != null) {
                next.put(name, address);
            }
        }
        Set<String> gone = new HashSet<>(backups.keySet());
        gone.removeAll(next.keySet());
        Set<String> added = new HashSet<>(next.keySet());
        added.removeAll(backups.keySet());
        backups = next;
        if (next.size() < factor - 1) {
            log.warn("cluster: replication factor {} not met: {} backup(s) among {} members; persistent sessions are held on {} node(s)",
                    factor, next.size(), members.size(), next.size() + 1);
        } else if (!added.isEmpty() || !gone.isEmpty()) {
            log.info("cluster: persistent sessions replicated to {}", String.join(", ", next.keySet()));
        }
        if (!gone.isEmpty()) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            synchronized (inFlight) {
                inFlight.values().removeIf(batch -> {
                    batch.waitingFor.removeAll(gone);
                    if (batch.waitingFor.isEmpty()) {
                        done.addAll(batch.commits);
                        return true;
                    }
                    return false;
                });
            }
            done.forEach(f -> f.complete(null));
        }
        for (String backup : added) {
            sendSnapshot(backup, next.get(backup));
        }
    }

    /** Every persistent session to a new backup: read in the sessions' mailboxes, sent from this thread. */
    private void sendSnapshot(String backup, @Nullable Address address) {
        if (address == null) {
            return;
        }
        List<SessionChange> all;
        try {
            all = snapshot.get().get(ACK_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("cluster: could not read the persistent sessions for the new backup {}: {}", backup, e.toString());
            return;
        }
        for (int from = 0; from < all.size() || from == 0; from += MAX_BATCH_CHANGES) {
            List<SessionChange> part = all.subList(from, Math.min(all.size(), from + MAX_BATCH_CHANGES));
            try {
                channel.send(new BytesMessage(address, ReplicationWire.batch(new ReplicationWire.Batch(self, 0, true, part))));
            } catch (Exception e) {
                log.warn("cluster: could not send the persistent sessions to the new backup {}: {}", backup, e.toString());
                return;
            }
            if (all.isEmpty()) {
                break;
            }
        }
        log.info("cluster: {} changes of this node's persistent sessions sent to the new backup {}", all.size(), backup);
    }

    private void expireOverdue() {
        long now = System.nanoTime();
        List<CompletableFuture<Void>> failed = new ArrayList<>();
        synchronized (inFlight) {
            inFlight.values().removeIf(batch -> {
                if (now - batch.sentAtNanos > ACK_TIMEOUT.toNanos()) {
                    failed.addAll(batch.commits);
                    return true;
                }
                return false;
            });
        }
        if (!failed.isEmpty()) {
            log.warn("cluster: {} commits not acknowledged by the backups within {} s: failed", failed.size(), ACK_TIMEOUT.toSeconds());
            TimeoutException timeout = new TimeoutException("the backups did not acknowledge within " + ACK_TIMEOUT.toSeconds() + " s");
            failed.forEach(f -> f.completeExceptionally(timeout));
        }
    }

    @Override
    public void close() {
        running = false;
        sender.interrupt();
    }
}
