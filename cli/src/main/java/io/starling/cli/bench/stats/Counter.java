package io.starling.cli.bench.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count that one thread writes and any thread reads: the writer pays a release store per
 * update (a plain store on x86), not an atomic read-modify-write, because only it writes.
 */
public final class Counter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // accessed through VALUE
    private long value;

    /** Adds {@code n}; only the owning thread may call this. */
    void add(long n) {
        VALUE.setRelease(this, (long) VALUE.get(this) + n);
    }

    public void increment() {
        add(1);
    }

    /** The current count, from any thread. */
    public long get() {
        return (long) VALUE.getAcquire(this);
    }
}
