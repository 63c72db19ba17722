package io.starling.cli.bench.engine;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.starling.cli.bench.stats.Counter;
import io.starling.cli.bench.stats.DeliveryTracker;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.wire.PayloadHeader;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.SingleWriterRecorder;
import org.jspecify.annotations.Nullable;

/**
 * The receiving side of one subscribing connection: it reads the {@link PayloadHeader} of every
 * delivery, tracks sequences in its {@link DeliveryTracker}, records latency (receive time minus
 * the header's send time) and, in a {@code bench pubsub}, tells the {@link Publisher}s feeding it
 * when it has caught up so that a publisher paused for backlog resumes. A message counts when it
 * was sent (pubsub) or received (standalone sub) at or after the measured interval's start.
 * Runs on its connection's event loop; the counters are readable from any thread.
 */
final class Subscriber {
    private final String filter;
    private final RunClock clock;
    private final boolean countBySendTime;
    private final DeliveryTracker tracker;
    private final LatencyStats latency;
    private @Nullable SingleWriterRecorder recorder;
    private Publisher[] feeders = new Publisher[0];
    /** Messages its publishers sent to it or are about to: sends are reserved before they are made (max rate). */
    private final AtomicLong reserved = new AtomicLong();
    /** Every delivery, counted or not: for backlog and progress. */
    private final Counter deliveries = new Counter();
    /** Deliveries in the measured interval. */
    private final Counter countedDeliveries = new Counter();
    private long foreign;
    private long firstCounted;
    private long lastCounted;
    private boolean anyCounted;

    private Subscriber(String filter, RunClock clock, boolean countBySendTime, DeliveryTracker tracker, LatencyStats latency) {
        this.filter = filter;
        this.clock = clock;
        this.countBySendTime = countBySendTime;
        this.tracker = tracker;
        this.latency = latency;
    }

    /** A subscriber of a pubsub run: publishers {@code 0 .. publishers-1} of {@code run}, counted by send time. */
    static Subscriber ofRun(String filter, RunClock clock, int run, int publishers, LatencyStats latency) {
        return new Subscriber(filter, clock, true, DeliveryTracker.forRun(run, publishers), latency);
    }

    /** A standalone subscriber: any publisher, counted by receive time. */
    static Subscriber standalone(String filter, RunClock clock, LatencyStats latency) {
        return new Subscriber(filter, clock, false, DeliveryTracker.forAnyPublisher(), latency);
    }

    String filter() {
        return filter;
    }

    /** The publishers whose messages reach this subscriber, for backlog accounting. */
    void feeders(Publisher[] publishers) {
        this.feeders = publishers.clone();
    }

    /** Called once the connection has its event loop. */
    void attach(EventExecutor loop) {
        recorder = latency.recorderFor(loop);
    }

    /** A delivery whose payload is the {@code length} bytes of {@code buf} at {@code index}. */
    void onMessage(ByteBuf buf, int index, int length, long now) {
        deliveries.increment();
        if (!PayloadHeader.isPresent(buf, index, length)) {
            if (clock.isMeasured(now)) {
                foreign++;
                countedDeliveries.increment();
            }
            return;
        }
        long sendTime = PayloadHeader.sendTime(buf, index);
        boolean isCounted = clock.isMeasured(countBySendTime ? sendTime : now);
        if (!isCounted && !countBySendTime) {
            // a standalone subscriber tracks only the measured interval: what came before is unknowable anyway
            return;
        }
        tracker.onMessage(PayloadHeader.run(buf, index), PayloadHeader.publisher(buf, index),
                PayloadHeader.sequence(buf, index), isCounted);
        if (isCounted) {
            countedDeliveries.increment();
            SingleWriterRecorder r = recorder;
            if (r != null) {
                LatencyStats.record(r, now - sendTime);
            }
            if (!anyCounted) {
                anyCounted = true;
                firstCounted = now;
            }
            lastCounted = now;
        }
    }

    /** End of a read: wake the publishers that paused because this subscriber was behind. */
    void afterRead() {
        if (feeders.length == 0) {
            return;
        }
        // pairs with the fence in BacklogBound.pause: one of the two sees the other's write
        VarHandle.fullFence();
        for (Publisher publisher : feeders) {
            publisher.wakeIfPausedForBacklog();
        }
    }

    /**
     * Reserves up to {@code wanted} sends to this subscriber, so that it falls at most
     * {@code maxBacklog} messages behind; returns how many were granted. Publishers feeding one
     * subscriber (fan-in) share its room, each taking at most its share, so that none starves.
     * Thread-safe: the reservation is atomic, so concurrent publishers cannot overshoot the bound.
     */
    long reserve(long wanted, long maxBacklog) {
        while (true) {
            long current = reserved.get();
            long room = maxBacklog - (current - deliveries.get());
            if (room <= 0) {
                return 0;
            }
            long grant = Math.min(wanted, (room + feeders.length - 1) / feeders.length);
            if (reserved.compareAndSet(current, current + grant)) {
                return grant;
            }
        }
    }

    /** Returns reserved sends that were not made. */
    void unreserve(long unused) {
        if (unused > 0) {
            reserved.addAndGet(-unused);
        }
    }

    /** Whether a reservation would be granted now. */
    boolean hasRoom(long maxBacklog) {
        return reserved.get() - deliveries.get() < maxBacklog;
    }

    /** Deliveries in the measured interval so far. */
    long countedDeliveries() {
        return countedDeliveries.get();
    }

    /** Deliveries so far, counted or not. */
    long deliveries() {
        return deliveries.get();
    }

    /** What the feeding publishers have sent so far: what this subscriber should have received. */
    long sentToThis() {
        long sent = 0;
        for (Publisher publisher : feeders) {
            sent += publisher.sent();
        }
        return sent;
    }

    /** What the feeding publishers sent in the measured interval: what this subscriber should have received of it. */
    long sentCountedToThis() {
        long sent = 0;
        for (Publisher publisher : feeders) {
            sent += publisher.sentCounted();
        }
        return sent;
    }

    // ---- results: read once the event loops have stopped ----

    DeliveryTracker tracker() {
        return tracker;
    }

    /** Counted deliveries without a bench header. */
    long foreign() {
        return foreign;
    }

    boolean anyCounted() {
        return anyCounted;
    }

    long firstCounted() {
        return firstCounted;
    }

    long lastCounted() {
        return lastCounted;
    }
}
