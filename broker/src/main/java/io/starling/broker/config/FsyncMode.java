package io.starling.broker.config;

import java.util.Locale;

/**
 * When a write reaches the disk before it counts as done. Every mode writes RocksDB's write-ahead
 * log before completing, so a killed process ({@code kill -9}) loses nothing in any mode; the modes
 * differ in what an operating-system crash or power loss can take.
 */
public enum FsyncMode {
    /**
     * Every write is its own fsync: nothing completed is lost even on power loss, at the cost of
     * one sync per write.
     */
    ALWAYS,
    /**
     * Writes waiting together share one fsync (group commit): nothing completed is lost even on
     * power loss, and under load one sync covers many writes. The default.
     */
    BATCH,
    /**
     * No fsync: the write-ahead log is in the operating system's cache when a write completes.
     * A killed process loses nothing; a power loss or kernel crash can lose the last seconds.
     */
    NEVER;

    /** The mode named {@code always}, {@code batch} or {@code never}, in any case. */
    public static FsyncMode parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fsync is always, batch or never, not '" + name + "'");
        }
    }

    /** The configuration name: always, batch or never. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
