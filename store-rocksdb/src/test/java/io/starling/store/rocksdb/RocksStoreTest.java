package io.starling.store.rocksdb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.FsyncMode;
import io.starling.broker.spi.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RocksStoreTest {
    @TempDir
    Path tmp;

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    @ParameterizedTest(name = "fsync {0}")
    @EnumSource(FsyncMode.class)
    @DisplayName("what a completed write stored is there after the store is closed and opened again")
    void survivesReopen(FsyncMode mode) throws Exception {
        Path dir = tmp.resolve("data");
        try (RocksStore store = RocksStore.open(dir, mode)) {
            store.commits().submit(new StoreWrite()
                    .put(Keyspace.SESSIONS, bytes("c1"), bytes("s1"))
                    .put(Keyspace.RETAINED, bytes("a/b"), bytes("m1"))
                    .put(Keyspace.RETAINED, bytes("a/c"), bytes("m2"))).get(10, TimeUnit.SECONDS);
            store.commits().submit(new StoreWrite().delete(Keyspace.RETAINED, bytes("a/c"))).get(10, TimeUnit.SECONDS);
        }
        try (RocksStore store = RocksStore.open(dir, mode)) {
            assertThat(store.get(Keyspace.SESSIONS, bytes("c1"))).isEqualTo(bytes("s1"));
            assertThat(store.get(Keyspace.SESSIONS, bytes("a/b"))).as("keyspaces are apart").isNull();
            Map<String, String> retained = new TreeMap<>();
            store.forEach(Keyspace.RETAINED, (k, v) -> retained.put(new String(k, UTF_8), new String(v, UTF_8)));
            assertThat(retained).containsExactly(Map.entry("a/b", "m1"));
        }
    }

    @Test
    @DisplayName("a range delete removes the keys from its start up to, not including, its end, in byte order")
    void deleteRange() throws Exception {
        try (RocksStore store = RocksStore.open(tmp.resolve("data"), FsyncMode.BATCH)) {
            StoreWrite fill = new StoreWrite();
            for (String key : List.of("a", "b\u0000", "b\u00001", "b\u0000zz", "b\u0001", "ba", "c")) {
                fill.put(Keyspace.QUEUES, bytes(key), bytes("v"));
            }
            store.commits().submit(fill).get(10, TimeUnit.SECONDS);
            store.commits().submit(new StoreWrite().deleteRange(Keyspace.QUEUES, bytes("b\u0000"), bytes("b\u0001")))
                    .get(10, TimeUnit.SECONDS);
            List<String> left = new ArrayList<>();
            store.forEach(Keyspace.QUEUES, (k, v) -> left.add(new String(k, UTF_8)));
            assertThat(left).containsExactly("a", "b\u0001", "ba", "c");
        }
    }

    @Test
    @DisplayName("batch: writes waiting together share one commit and one fsync, and all are stored")
    void groupCommit() throws Exception {
        int count = 4000;
        try (RocksStore store = RocksStore.open(tmp.resolve("data"), FsyncMode.BATCH)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                done.add(store.commits().submit(new StoreWrite().put(Keyspace.MESSAGES, bytes("m" + i), bytes("v" + i))));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(store.commits().writes()).isEqualTo(count);
            assertThat(store.commits().syncs()).isEqualTo(store.commits().commits());
            // submitted faster than one fsync takes: far fewer groups than writes
            assertThat(store.commits().commits()).isLessThan(count / 10);
            for (int i = 0; i < count; i++) {
                assertThat(store.get(Keyspace.MESSAGES, bytes("m" + i))).isEqualTo(bytes("v" + i));
            }
        }
    }

    @Test
    @DisplayName("always: one fsync per write; never: no fsync at all")
    void alwaysAndNever() throws Exception {
        try (RocksStore store = RocksStore.open(tmp.resolve("always"), FsyncMode.ALWAYS)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                done.add(store.commits().submit(new StoreWrite().put(Keyspace.QUEUES, bytes("q" + i), bytes("x"))));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(store.commits().syncs()).isEqualTo(100);
            assertThat(store.commits().commits()).isEqualTo(100);
        }
        try (RocksStore store = RocksStore.open(tmp.resolve("never"), FsyncMode.NEVER)) {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                done.add(store.commits().submit(new StoreWrite().put(Keyspace.QUEUES, bytes("q" + i), bytes("x"))));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(store.commits().syncs()).isZero();
            assertThat(store.commits().writes()).isEqualTo(100);
        }
    }

    @Test
    @DisplayName("a directory holding other files is refused and left untouched")
    void foreignDirectoryRefused() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        Files.writeString(dir.resolve("cat.jpg"), "not a store");
        List<String> before = listing(dir);
        assertThatThrownBy(() -> RocksStore.open(dir, FsyncMode.BATCH)).isInstanceOf(StoreException.class)
                .hasMessageContaining("the store directory " + dir + " holds files but no store")
                .hasMessageContaining("refusing to create a store over them");
        assertThat(listing(dir)).isEqualTo(before);
    }

    @Test
    @DisplayName("a corrupted store stops the open with a clear message and is not overwritten")
    void corruptedStoreRefused() throws Exception {
        Path dir = tmp.resolve("data");
        try (RocksStore store = RocksStore.open(dir, FsyncMode.BATCH)) {
            store.commits().submit(new StoreWrite().put(Keyspace.SESSIONS, bytes("c"), bytes("s"))).get(10, TimeUnit.SECONDS);
        }
        Path manifest;
        try (Stream<Path> files = Files.list(dir)) {
            manifest = files.filter(p -> p.getFileName().toString().startsWith("MANIFEST-")).findFirst().orElseThrow();
        }
        byte[] garbage = new byte[(int) Files.size(manifest)];
        java.util.Arrays.fill(garbage, (byte) 0x5A);
        Files.write(manifest, garbage);
        List<String> before = listing(dir);

        assertThatThrownBy(() -> RocksStore.open(dir, FsyncMode.BATCH)).isInstanceOf(StoreException.class)
                .hasMessageContaining("the store in " + dir + " cannot be opened and was left as it is");
        assertThat(listing(dir)).isEqualTo(before);
        assertThat(Files.readAllBytes(manifest)).isEqualTo(garbage);
    }

    @Test
    @DisplayName("fsync modes parse from their configuration names, and a bad one is named")
    void fsyncNames() {
        assertThat(FsyncMode.parse("Batch")).isEqualTo(FsyncMode.BATCH);
        assertThat(FsyncMode.parse(" always ")).isEqualTo(FsyncMode.ALWAYS);
        assertThat(FsyncMode.NEVER.configName()).isEqualTo("never");
        assertThatThrownBy(() -> FsyncMode.parse("sometimes")).hasMessage("fsync is always, batch or never, not 'sometimes'");
    }

    /**
     * Every file's name, size and content hash, so any change shows; but RocksDB's own text log
     * ({@code LOG}, renamed to {@code LOG.old.*} at each open), which holds no data.
     */
    private static List<String> listing(Path dir) throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> !f.getFileName().toString().startsWith("LOG")).sorted().toList()) {
                entries.add(p.getFileName() + " " + Files.size(p) + " " + java.util.Arrays.hashCode(Files.readAllBytes(p)));
            }
        }
        return entries;
    }
}
