package io.starling.broker.internal.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.helpers.MessageFormatter;

/**
 * A warning that may repeat once per connection, logged at most once per {@link #INTERVAL_NANOS}:
 * the first at once, later ones as one line counting those left out, so that a flood of refused
 * connections cannot flood the log too. Any thread may call it.
 */
final class ThrottledLog {
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final AtomicLong nextAt;
    private final AtomicLong skipped = new AtomicLong();

    ThrottledLog(Logger log) {
        this.log = log;
        this.nextAt = new AtomicLong(System.nanoTime());
    }

    /** Logs {@code message} (an SLF4J pattern with {@code args}) now, or counts it into the next line. */
    void warn(String message, @Nullable Object... args) {
        long now = System.nanoTime();
        long due = nextAt.get();
        if (now - due < 0 || !nextAt.compareAndSet(due, now + INTERVAL_NANOS)) {
            skipped.incrementAndGet();
            return;
        }
        long left = skipped.getAndSet(0);
        if (left == 0) {
            log.warn(message, args);
        } else if (log.isWarnEnabled()) {
            log.warn(MessageFormatter.arrayFormat(message, args).getMessage() + " (and " + left + " more like it in the last "
                    + TimeUnit.NANOSECONDS.toSeconds(INTERVAL_NANOS) + " s)");
        }
    }
}
