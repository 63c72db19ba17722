package io.starling.store.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.FsyncMode;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.PersistenceProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With this module on the class path, an embedded broker stores its sessions in RocksDB without any code. */
class RocksPersistenceProviderTest {
    @Test
    @DisplayName("the provider is found through META-INF/services")
    void foundByServiceLoader() {
        assertThat(ServiceLoader.load(PersistenceProvider.class))
                .singleElement()
                .isInstanceOf(RocksPersistenceProvider.class)
                .extracting(PersistenceProvider::name).isEqualTo("rocksdb");
    }

    @Test
    @DisplayName("Broker.start with persistence on opens a RocksDB store in the configured data directory")
    void brokerStoresInRocksDb(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        BrokerConfig defaults = BrokerConfig.defaults();
        BrokerConfig config = defaults.onLoopback().withStorage(defaults.storage().onDisk(data, FsyncMode.ALWAYS));
        try (Broker broker = Broker.start(config)) {
            Persistence persistence = broker.persistence();
            assertThat(persistence).isInstanceOf(RocksPersistence.class);
            assertThat(persistence.enabled()).isTrue();
        }
        assertThat(data.resolve("CURRENT")).isRegularFile();
    }

    @Test
    @DisplayName("the default data directory is ./data, as for bin/starling broker")
    void defaultDataDirectory() {
        BrokerConfig.Storage storage = BrokerConfig.defaults().storage();
        assertThat(storage.persistence()).isTrue();
        assertThat(storage.dataDir()).isEqualTo(Path.of("data"));
        assertThat(storage.fsync()).isEqualTo(FsyncMode.BATCH);
    }

    @Test
    @DisplayName("persistence off keeps memory only even with the plug-in present")
    void persistenceOff(@TempDir Path dir) throws Exception {
        BrokerConfig config = BrokerConfig.defaults().onLoopback().inMemory();
        try (Broker broker = Broker.start(config)) {
            assertThat(broker.persistence()).isSameAs(Persistence.NONE);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
