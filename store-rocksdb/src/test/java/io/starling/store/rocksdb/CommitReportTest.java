package io.starling.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.FsyncMode;
import io.starling.broker.metrics.StoreCommits;
import io.starling.broker.spi.Persistence;
import io.starling.codec.packet.QoS;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store reports each commit (a batch, not a write) with its size and duration, for the metrics. */
class CommitReportTest {
    private record Report(int writes, int changes, long nanos) {}

    @Test
    @DisplayName("every committed write is reported once, in batches of at least one write that took time")
    void commitsAreReported(@TempDir Path dir) throws Exception {
        List<Report> reports = new CopyOnWriteArrayList<>();
        try (RocksPersistence store = RocksPersistence.open(dir, FsyncMode.BATCH)) {
            store.commitListener((writes, changes, nanos) -> reports.add(new Report(writes, changes, nanos)));
            List<CompletableFuture<Void>> commits = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                // two records each: the session and its subscription
                commits.add(store.commit(store.changes().session("c" + i, 0).subscribed("c" + i, "t/" + i, QoS.AT_LEAST_ONCE)));
            }
            CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        }
        assertThat(reports).isNotEmpty().hasSizeLessThanOrEqualTo(50);
        assertThat(reports).allSatisfy(r -> {
            assertThat(r.writes()).isGreaterThanOrEqualTo(1);
            assertThat(r.changes()).isEqualTo(2 * r.writes());
            assertThat(r.nanos()).isPositive();
        });
        assertThat(reports.stream().mapToInt(Report::writes).sum()).isEqualTo(50);
    }

    @Test
    @DisplayName("a broker counts its store's commits in its metrics")
    void brokerCountsCommits(@TempDir Path dir) throws Exception {
        BrokerConfig defaults = BrokerConfig.defaults();
        BrokerConfig config = defaults.onLoopback().withStorage(defaults.storage().onDisk(dir.resolve("data"), FsyncMode.ALWAYS));
        try (Broker broker = Broker.start(config)) {
            StoreCommits counted = broker.metrics().storeCommits;
            long before = counted.commits.sum();
            long writesBefore = counted.writes.sum();
            Persistence persistence = broker.persistence();
            persistence.commit(persistence.changes().session("counted", 0)).get(10, TimeUnit.SECONDS);
            persistence.commit(persistence.changes().session("counted-too", 0)).get(10, TimeUnit.SECONDS);
            // ALWAYS commits each write alone
            assertThat(counted.commits.sum() - before).isEqualTo(2);
            assertThat(counted.writes.sum() - writesBefore).isEqualTo(2);
            assertThat(counted.nanos.sum()).isPositive();
        }
    }
}
