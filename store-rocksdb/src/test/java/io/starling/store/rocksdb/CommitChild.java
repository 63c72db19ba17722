package io.starling.store.rocksdb;

import io.starling.broker.config.FsyncMode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * The process {@link KillTest} kills: it writes keys 0, 1, 2 ... into a store, up to 64 at a time,
 * and prints {@code acked N} for each as soon as its commit completes, until it is killed or has
 * written {@code max}. Arguments: store directory, fsync mode, max.
 */
public final class CommitChild {
    private CommitChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        FsyncMode mode = FsyncMode.parse(args[1]);
        int max = Integer.parseInt(args[2]);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        Semaphore window = new Semaphore(64);
        RocksStore store = RocksStore.open(dir, mode);
        out.println("open");
        out.flush();
        for (int i = 0; i < max; i++) {
            window.acquire();
            int n = i;
            store.commits().submit(new StoreWrite().put(Keyspace.MESSAGES, KillTest.key(n), KillTest.value(n)))
                    .whenComplete((v, e) -> {
                        if (e == null) {
                            synchronized (out) {
                                out.println("acked " + n);
                                out.flush();
                            }
                        }
                        window.release();
                    });
        }
        store.close();
    }
}
