package io.starling.store.rocksdb;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.PersistenceProvider;

/**
 * Plugs RocksDB into the broker: found by the broker's {@link java.util.ServiceLoader} through
 * {@code META-INF/services}, it opens a {@link RocksPersistence} in the configured data directory
 * with the configured fsync mode.
 */
public final class RocksPersistenceProvider implements PersistenceProvider {
    @Override
    public String name() {
        return "rocksdb";
    }

    @Override
    public Persistence open(BrokerConfig.Storage storage) {
        return RocksPersistence.open(storage.dataDir(), storage.fsync());
    }
}
