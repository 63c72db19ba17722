package io.starling.cli;

import io.starling.broker.metrics.BrokerMetrics;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the C library's free memory back to the system once the broker has gone quiet. The
 * trimmer looks at the broker's activity once a {@code period}; in each period without a
 * connection opened or closed and without a message in or out, up to {@link #QUIET_TRIMS} of them
 * after some activity, it trims ({@code System.trim_native_heap}, the JVM's diagnostic command,
 * JDK 17.0.9 and later). On a JVM without that command it says so once and stops.
 *
 * <p>Why only when quiet, and several times: what a burst leaves (the JIT's arenas, freed native
 * buffers) is freed over a few seconds after it, while a trim during traffic takes the core and
 * hands back pages the event loop faults in again, which lengthens the latency tail. The
 * measurements are in docs/performance.md. The trim acts on the whole process, so it belongs to
 * the {@code starling broker} command, not to a broker embedded in someone else's application.
 */
final class NativeHeapTrimmer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NativeHeapTrimmer.class);
    /** Quiet periods after some activity in which the trimmer trims: 5 s at the broker command's 0.5 s. */
    static final int QUIET_TRIMS = 10;

    /** Trims the native heap; returns what it did, for the debug log. */
    @FunctionalInterface
    interface Trim {
        String trim() throws Exception;
    }

    private final LongSupplier activity;
    private final Trim trim;
    private long lastSeen;
    /** Trims still to make in the quiet periods ahead (start-up counts as activity). */
    private int trimsLeft = QUIET_TRIMS;
    private boolean broken;
    private @Nullable ScheduledExecutorService timer;

    NativeHeapTrimmer(LongSupplier activity, Trim trim) {
        this.activity = activity;
        this.trim = trim;
        this.lastSeen = activity.getAsLong();
    }

    /** What the trimmer watches: connections opened and closed, messages received and sent. */
    static LongSupplier activityOf(BrokerMetrics metrics) {
        return () -> metrics.connectionsOpened.sum() + metrics.connectionsClosed.sum()
                + metrics.messagesReceived.sum() + metrics.messagesSent.sum();
    }

    /** Trims through the JVM's {@code System.trim_native_heap} diagnostic command. */
    static String trimThroughJvm() throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Object result = server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "systemTrimNativeHeap", new Object[] {null}, new String[] {String[].class.getName()});
        return String.valueOf(result).strip();
    }

    /** Looks at the activity every {@code periodMillis} on a daemon thread of its own. */
    NativeHeapTrimmer start(long periodMillis) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "starling-trim");
            thread.setDaemon(true);
            return thread;
        });
        t.scheduleWithFixedDelay(this::tick, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        timer = t;
        return this;
    }

    /**
     * One look at the activity: when it moved, remembers it and arms {@link #QUIET_TRIMS} trims;
     * when it stood still for a whole period, makes one of them. Returns whether it trimmed. One
     * thread at a time.
     */
    boolean tick() {
        if (broken) {
            return false;
        }
        long now = activity.getAsLong();
        if (now != lastSeen) {
            lastSeen = now;
            trimsLeft = QUIET_TRIMS;
            return false;
        }
        if (trimsLeft == 0) {
            return false;
        }
        trimsLeft--;
        try {
            log.debug("quiet: {}", trim.trim());
            return true;
        } catch (Exception | LinkageError e) {
            // a JVM without the command, or without java.management: nothing to trim with, ever
            broken = true;
            log.info("native heap trimming is not available in this JVM ({}); RSS may stay higher after bursts", e.toString());
            return false;
        }
    }

    @Override
    public void close() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }
}
