package io.starling.broker.spi;

import io.starling.broker.config.BrokerConfig;

/**
 * Opens a durable store: the plug-in a {@link java.util.ServiceLoader} finds through a {@code
 * META-INF/services/io.starling.broker.spi.PersistenceProvider} file. The broker asks for one only
 * when the configuration keeps {@code persistence} on; without any provider on the class path it
 * keeps sessions and retained messages in memory and says so once at start-up.
 */
public interface PersistenceProvider {
    /** A short name for the log, such as {@code rocksdb}. */
    String name();

    /**
     * Opens (or creates) the store that {@code storage} describes. Throws {@link StoreException},
     * leaving any files as they are, when the store cannot be opened or is not a store.
     */
    Persistence open(BrokerConfig.Storage storage);
}
