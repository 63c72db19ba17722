package io.starling.broker.model;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A message record in the durable store, shared by every session queue entry that refers to it:
 * the record is written once however many persistent sessions the message reaches, and deleted
 * when the last entry lets go of it. The count is taken on the router's thread and given back on
 * each session's, so it is atomic.
 */
public final class StoredMessage {
    private final long id;
    private final AtomicInteger references = new AtomicInteger();

    public StoredMessage(long id) {
        this.id = id;
    }

    /** The key of the message record. */
    public long id() {
        return id;
    }

    /** One more queue entry refers to the record. */
    public void retain() {
        references.incrementAndGet();
    }

    /** One queue entry let go of the record: true when it was the last, and the record is to be deleted. */
    public boolean release() {
        return references.decrementAndGet() == 0;
    }

    /** Queue entries referring to the record now. */
    public int references() {
        return references.get();
    }
}
