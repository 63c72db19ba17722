package io.starling.store.rocksdb;

import io.starling.broker.config.FsyncMode;
import io.starling.broker.spi.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * A store directory opened with RocksDB: one column family per {@link Keyspace} and a {@link
 * CommitQueue} for writes. Opening never damages what is there: a directory that holds files but
 * no store, or a store RocksDB finds corrupt or cannot read, stops the open with a {@link
 * StoreException} naming the directory, and the files are left exactly as they were.
 */
public final class RocksStore implements AutoCloseable {
    static {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions familyOptions;
    private final List<ColumnFamilyHandle> handles;
    private final EnumMap<Keyspace, ColumnFamilyHandle> families;
    private final RocksDB db;
    private final CommitQueue commits;

    private RocksStore(Path directory, DBOptions dbOptions, ColumnFamilyOptions familyOptions, List<ColumnFamilyHandle> handles,
            EnumMap<Keyspace, ColumnFamilyHandle> families, RocksDB db, FsyncMode mode) {
        this.directory = directory;
        this.dbOptions = dbOptions;
        this.familyOptions = familyOptions;
        this.handles = handles;
        this.families = families;
        this.db = db;
        this.commits = new CommitQueue(db, families, mode, directory.getFileName() == null ? "store" : directory.getFileName().toString());
    }

    /** Opens the store in {@code directory}, creating it if the directory is missing or empty. */
    public static RocksStore open(Path directory, FsyncMode mode) {
        Path dir = directory.toAbsolutePath().normalize();
        boolean existing = Files.isRegularFile(dir.resolve("CURRENT"));
        if (!existing && holdsFiles(dir)) {
            throw new StoreException("the store directory " + dir + " holds files but no store (no CURRENT file); "
                    + "refusing to create a store over them: choose an empty or new directory");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new StoreException("cannot create the store directory " + dir + ": " + e.getMessage(), e);
        }
        DBOptions dbOptions = new DBOptions()
                .setCreateIfMissing(!existing)
                .setCreateMissingColumnFamilies(true)
                .setParanoidChecks(true);
        ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
        for (Keyspace k : Keyspace.values()) {
            descriptors.add(new ColumnFamilyDescriptor(k.familyNameBytes(), familyOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
        } catch (RocksDBException e) {
            dbOptions.close();
            familyOptions.close();
            throw new StoreException("the store in " + dir + " cannot be opened and was left as it is: " + e.getMessage()
                    + " (restore it from a backup, or move it away to start empty)", e);
        }
        EnumMap<Keyspace, ColumnFamilyHandle> families = new EnumMap<>(Keyspace.class);
        // the handles follow the descriptors: the default family first, then every keyspace in order
        int at = 1;
        for (Keyspace k : Keyspace.values()) {
            families.put(k, handles.get(at++));
        }
        return new RocksStore(dir, dbOptions, familyOptions, handles, families, db, mode);
    }

    public Path directory() {
        return directory;
    }

    /** Where writes go: see {@link CommitQueue}. */
    public CommitQueue commits() {
        return commits;
    }

    /** The value stored under {@code key}, or null. */
    public byte @Nullable [] get(Keyspace keyspace, byte[] key) {
        try {
            return db.get(families.get(keyspace), key);
        } catch (RocksDBException e) {
            throw new StoreException("the store in " + directory + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Calls {@code action} with every record of {@code keyspace} in key order, as start-up does. */
    public void forEach(Keyspace keyspace, BiConsumer<byte[], byte[]> action) {
        try (RocksIterator it = db.newIterator(families.get(keyspace))) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                action.accept(it.key(), it.value());
            }
            it.status();
        } catch (RocksDBException e) {
            throw new StoreException("the store in " + directory + " could not be read: " + e.getMessage(), e);
        }
    }

    /** Commits what is queued, then closes the database. */
    @Override
    public void close() {
        commits.close();
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            throw new StoreException("the store in " + directory + " could not sync on close: " + e.getMessage(), e);
        } finally {
            handles.forEach(ColumnFamilyHandle::close);
            db.close();
            dbOptions.close();
            familyOptions.close();
        }
    }

    private static boolean holdsFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            throw new StoreException("cannot read the store directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
