package io.starling.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.config.FsyncMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The commit contract under {@code kill -9}: a child process writes and reports each write the
 * moment its future completes; it is killed with SIGKILL mid-stream; the store, opened again,
 * holds every write that was reported. In every fsync mode, since RocksDB's write-ahead log is
 * written before a commit completes and survives the process (the modes differ only for power loss).
 */
class KillTest {
    @TempDir
    Path tmp;

    static byte[] key(int n) {
        return ByteBuffer.allocate(4).putInt(n).array();
    }

    static byte[] value(int n) {
        return ("value-" + n).getBytes(StandardCharsets.UTF_8);
    }

    private static List<Integer> acked(Path report) throws java.io.IOException {
        List<Integer> acked = new ArrayList<>();
        for (String line : Files.readAllLines(report, StandardCharsets.UTF_8)) {
            if (line.startsWith("acked ")) {
                acked.add(Integer.parseInt(line.substring(6)));
            }
        }
        return acked;
    }

    @ParameterizedTest(name = "fsync {0}")
    @EnumSource(FsyncMode.class)
    @DisplayName("every write reported complete before SIGKILL is in the store after it")
    void acknowledgedWritesSurviveSigkill(FsyncMode mode) throws Exception {
        Path dir = tmp.resolve("data");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the child writes to a file, which keeps every line it flushed before it died
        Path report = tmp.resolve("acked.txt");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CommitChild.class.getName(), dir.toString(), mode.configName(), "1000000")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(report.toFile())
                .start();
        try {
            // kill once a few hundred writes are reported: mid-stream, with more in flight
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                    .until(() -> acked(report).size() >= 300 || !child.isAlive());
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        List<Integer> acked = acked(report);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(300);
        try (RocksStore store = RocksStore.open(dir, mode)) {
            for (int n : acked) {
                assertThat(store.get(Keyspace.MESSAGES, key(n))).as("write %d", n).isEqualTo(value(n));
            }
        }
    }
}
