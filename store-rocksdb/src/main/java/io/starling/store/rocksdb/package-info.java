/**
 * The durable store on RocksDB, plugged into the broker's storage SPI ({@link
 * io.starling.broker.spi}) by {@link io.starling.store.rocksdb.RocksPersistenceProvider}: {@link
 * io.starling.store.rocksdb.RocksStore} opens (and refuses to damage) a store directory with its
 * {@link io.starling.store.rocksdb.Keyspace}s, {@link io.starling.store.rocksdb.CommitQueue}
 * group-commits writes under an {@link io.starling.broker.config.FsyncMode}, and {@link
 * io.starling.store.rocksdb.RocksPersistence} lays the broker's sessions, queues and retained
 * messages out as records ({@link io.starling.store.rocksdb.StoreRecords}).
 */
@NullMarked
package io.starling.store.rocksdb;

import org.jspecify.annotations.NullMarked;

