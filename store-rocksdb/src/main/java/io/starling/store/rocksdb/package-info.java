/**
 * The durable store on RocksDB: {@link io.starling.store.rocksdb.RocksStore} opens (and refuses
 * to damage) a store directory with its {@link io.starling.store.rocksdb.Keyspace}s, and {@link
 * io.starling.store.rocksdb.CommitQueue} group-commits writes under an {@link
 * io.starling.store.rocksdb.FsyncMode}. The broker's session and retained stores build on it.
 */
@NullMarked
package io.starling.store.rocksdb;

import org.jspecify.annotations.NullMarked;
