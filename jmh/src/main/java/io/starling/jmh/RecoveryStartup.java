package io.starling.jmh;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.FsyncMode;
import io.starling.broker.model.Message;
import io.starling.broker.spi.StoreChanges;
import io.starling.codec.packet.QoS;
import io.starling.store.rocksdb.RocksPersistence;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long the broker takes to start on a large store: fills a store directory with persistent
 * sessions, each with one subscription and its queued QoS 1 messages (each message its own
 * record, the worst case for start-up), then times {@code Broker.start} on it (reading the
 * store back and rebuilding every session) and reports the heap it then uses. A one-shot
 * measurement, not a JMH benchmark: start-up happens once per process.
 *
 * <pre>
 * java -Xmx4g -cp jmh/target/benchmarks.jar io.starling.jmh.RecoveryStartup /tmp/startup-store 100000 10
 * </pre>
 *
 * The directory must be new or empty; it is filled once and reused by later runs with the same counts.
 */
public final class RecoveryStartup {
    private static final int PAYLOAD_BYTES = 64;
    private static final int BATCH = 2000;

    private RecoveryStartup() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: RecoveryStartup DIR SESSIONS QUEUED_PER_SESSION");
            System.exit(1);
        }
        Path dir = Path.of(args[0]);
        int sessions = Integer.parseInt(args[1]);
        int perSession = Integer.parseInt(args[2]);
        if (!Files.exists(dir.resolve("CURRENT"))) {
            fill(dir, sessions, perSession);
        }
        BrokerConfig defaults = BrokerConfig.defaults();
        BrokerConfig config = defaults.onLoopback()
                .withStorage(defaults.storage().onDisk(dir, FsyncMode.BATCH));
        System.gc();
        long heapBefore = usedHeap();
        long started = System.nanoTime();
        try (Broker broker = Broker.start(config)) {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            long restored = broker.metrics().sessionsRestored.sum();
            System.gc();
            long heap = usedHeap() - heapBefore;
            System.out.printf("started in %,d ms with %,d persistent sessions and %,d queued messages; heap held: %,d MiB%n",
                    millis, restored, (long) sessions * perSession, heap >> 20);
        }
    }

    private static void fill(Path dir, int sessions, int perSession) throws Exception {
        long started = System.nanoTime();
        byte[] payload = new byte[PAYLOAD_BYTES];
        try (RocksPersistence store = RocksPersistence.open(dir, FsyncMode.NEVER)) {
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            StoreChanges changes = store.changes();
            int inBatch = 0;
            for (int s = 0; s < sessions; s++) {
                String clientId = "sensor-" + s;
                changes.session(clientId, System.currentTimeMillis()).subscribed(clientId, "fleet/" + s + "/#", QoS.AT_LEAST_ONCE);
                for (int q = 1; q <= perSession; q++) {
                    long id = store.nextMessageId();
                    changes.message(id, new Message("fleet/" + s + "/reading", QoS.AT_LEAST_ONCE, false, payload, "publisher"))
                            .queued(clientId, q, id, QoS.AT_LEAST_ONCE, false, new int[0], 0, false);
                }
                if (++inBatch == BATCH / Math.max(1, perSession) + 1) {
                    pending.add(store.commit(changes));
                    changes = store.changes();
                    inBatch = 0;
                }
            }
            pending.add(store.commit(changes));
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        }
        System.out.printf("filled %s with %,d sessions and %,d queued messages in %,d ms%n", dir, sessions,
                (long) sessions * perSession, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
