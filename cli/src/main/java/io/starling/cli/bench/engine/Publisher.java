package io.starling.cli.bench.engine;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.cli.bench.stats.Counter;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.wire.PublishTemplate;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.PacketType;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.SingleWriterRecorder;
import org.jspecify.annotations.Nullable;

/**
 * The sending side of one publishing connection, in one of two modes:
 * <ul>
 *   <li>open loop ({@code intervalNanos > 0}): message k is due at {@code firstDue + k * interval}
 *       and carries that scheduled time, so a publisher held up by flow control shows as latency.
 *       The publisher wakes at the next due time (at most every {@value #MIN_TICK_NANOS} ns) and
 *       sends everything due;
 *   <li>max rate ({@code intervalNanos == 0}): it sends while the QoS 1/2 in-flight window has
 *       room, the channel is writable and, in {@code bench pubsub}, no subscriber it feeds is more
 *       than the maximum backlog behind; an acknowledgement, writability or a subscriber catching
 *       up resumes it.
 * </ul>
 * Messages are packed into batch buffers of up to {@value #FLUSH_EVERY} messages, written and
 * flushed every {@value #FLUSH_EVERY} messages and at the end of each turn; a turn
 * sends at most {@value #BUDGET} messages, then yields the event loop to the other connections.
 * Runs on its connection's event loop; the counters are readable from any thread.
 */
final class Publisher {
    static final int BUDGET = 1024;
    static final int FLUSH_EVERY = 128;
    static final long MIN_TICK_NANOS = 50_000;
    /** The largest batch buffer. */
    static final int BATCH_BYTES = 64 * 1024;

    private final PublishTemplate template;
    private final @Nullable InflightIds inflight;
    private final long count;
    private final double intervalNanos;
    private final @Nullable LatencyStats ackLatency;
    private final Runnable onFinished;
    private @Nullable SingleWriterRecorder ackRecorder;
    private volatile @Nullable LoadConnection connection;
    private BacklogBound backlog = BacklogBound.none();

    private final Counter sent = new Counter();
    private final Counter sentCounted = new Counter();
    private final Counter acknowledged = new Counter();
    private final Counter completed = new Counter();
    private final Counter unexpectedAcks = new Counter();
    private final Counter refused = new Counter();
    private @Nullable PacketType firstRefusalType;
    private @Nullable ReasonCode firstRefusalCode;
    private long sequence;
    private long measureStart;
    private long firstDue;
    private boolean bounded;
    private long endAt;
    private boolean started;
    private boolean stopped;
    private boolean finished;
    private boolean blocked;
    private boolean sending;
    private boolean acknowledgedInRead;
    private volatile long endedAt;
    private @Nullable ScheduledFuture<?> tick;
    private @Nullable ByteBuf batch;
    /** Messages the current turn expects to send still: sizes the next batch buffer. */
    private int upcoming;

    /**
     * @param window QoS 1/2 in-flight window (ignored at QoS 0)
     * @param count messages to send, 0 for no limit
     * @param intervalNanos time between messages (open loop), or 0 for max rate
     * @param ackLatency where to record PUBLISH-to-acknowledgement latency, or null
     * @param onFinished run on the event loop when {@code count} messages have been sent
     */
    Publisher(PublishTemplate template, int window, long count, double intervalNanos, @Nullable LatencyStats ackLatency,
            Runnable onFinished) {
        this.template = template;
        this.inflight = template.qos() == QoS.AT_MOST_ONCE ? null : new InflightIds(window);
        this.count = count;
        this.intervalNanos = intervalNanos;
        this.ackLatency = ackLatency;
        this.onFinished = onFinished;
    }

    /** In max-rate mode, pause while a subscriber fed is more than the maximum backlog behind. */
    void boundBacklog(BacklogBound bound) {
        this.backlog = bound;
    }

    /** The QoS it publishes at. */
    QoS qos() {
        return template.qos();
    }

    /** Bytes of each PUBLISH on the wire. */
    int packetSize() {
        return template.packetSize();
    }

    /** A 5.0 broker's Receive Maximum: at most {@code receiveMaximum} messages in flight. Before {@link #start}. */
    void limitInflight(int receiveMaximum) {
        if (inflight != null) {
            inflight.limit(receiveMaximum);
        }
    }

    /** QoS 1/2 messages in flight at most (after a broker's Receive Maximum); 0 at QoS 0. */
    int window() {
        return inflight == null ? 0 : inflight.window();
    }

    /** Called once the connection has its event loop. */
    void attach(LoadConnection connection) {
        this.connection = connection;
        if (ackLatency != null) {
            ackRecorder = ackLatency.recorderFor(connection.executor());
        }
    }

    /**
     * Starts publishing at {@code firstDue}; messages sent before {@code measureStart} are not
     * counted; none is sent (open loop: due) at or after {@code endAt} when {@code bounded}.
     */
    void start(long firstDue, long measureStart, boolean bounded, long endAt) {
        LoadConnection c = connection();
        c.executor().execute(() -> {
            this.firstDue = firstDue;
            this.measureStart = measureStart;
            this.bounded = bounded;
            this.endAt = endAt;
            started = true;
            long delay = Math.max(0, firstDue - System.nanoTime());
            tick = c.executor().schedule(intervalNanos > 0 ? this::tick : this::trySend, delay, TimeUnit.NANOSECONDS);
        });
    }

    /**
     * Stops publishing; from any thread. A bounded open-loop publisher asked to stop at or after
     * its end first sends what fell due before the end: its timer may run later than the stop.
     */
    void stop() {
        LoadConnection c = connection;
        if (c != null) {
            c.executor().execute(() -> {
                finishSchedule();
                stopNow();
            });
        }
    }

    /** Sends the open-loop messages due before {@code endAt} that a late timer has not sent yet. */
    private void finishSchedule() {
        // each tick sends up to a budget, or ends the schedule, or finds the window or the channel full
        while (intervalNanos > 0 && bounded && started && !stopped && !finished && !blocked
                && System.nanoTime() - endAt >= 0) {
            tick();
        }
    }

    /** The connection closed: nothing more can be sent. */
    void onClosed() {
        stopNow();
        ByteBuf out = batch;
        if (out != null) {
            batch = null;
            out.release();
        }
    }

    private void stopNow() {
        if (!stopped) {
            stopped = true;
            if (endedAt == 0) {
                long now = System.nanoTime();
                // a publisher stopped late (paused, or the stop came through the event loop) ended at the end
                endedAt = bounded && now - endAt > 0 ? endAt : now;
            }
            ScheduledFuture<?> t = tick;
            if (t != null) {
                tick = null;
                t.cancel(false);
            }
        }
    }

    // ---- open loop ----

    private void tick() {
        tick = null;
        LoadConnection c = connection();
        if (stopped || finished) {
            return;
        }
        long now = System.nanoTime();
        int written = 0;
        boolean yield = false;
        upcoming = (int) Math.min(BUDGET, 1 + Math.max(0, (now - firstDue) / intervalNanos - sequence));
        while (!finished) {
            long due = firstDue + (long) (sequence * intervalNanos);
            if (bounded && due - endAt >= 0) {
                stopNow();
                break;
            }
            if (due - now > 0) {
                tick = c.executor().schedule(this::tick, Math.max(due - now, MIN_TICK_NANOS), TimeUnit.NANOSECONDS);
                break;
            }
            if (!c.isWritable() || !send(c, due)) {
                // resumed by an acknowledgement or writability; what fell due meanwhile keeps its time
                blocked = true;
                break;
            }
            if (++written % FLUSH_EVERY == 0) {
                flush(c);
            }
            if (written == BUDGET) {
                yield = true;
                break;
            }
        }
        flush(c);
        if (yield) {
            c.executor().execute(this::tick);
        }
    }

    // ---- max rate ----

    private void trySend() {
        LoadConnection c = connection;
        if (c == null || !started || stopped || finished || sending) {
            return;
        }
        // a flush may report writability synchronously, which calls back here
        sending = true;
        try {
            long granted = backlog.reserve(BUDGET);
            upcoming = (int) Math.min(granted, inflight == null ? granted : inflight.room());
            int written = 0;
            long now = System.nanoTime();
            while (written < granted && !finished && c.isWritable() && !isPast(now) && send(c, now)) {
                now = System.nanoTime();
                written++;
                if (written % FLUSH_EVERY == 0) {
                    flush(c);
                }
            }
            flush(c);
            backlog.unreserve(granted - written);
            if (finished || stopped) {
                return;
            }
            if (written == BUDGET) {
                c.executor().execute(this::trySend);
            } else if (written == granted) {
                // the backlog bound stopped us (not the window or writability, which resume us themselves)
                if (!backlog.pause()) {
                    c.executor().execute(this::trySend);
                }
            }
        } finally {
            sending = false;
        }
    }

    /** Whether {@code now} is at or past the end; stops publishing if so. */
    private boolean isPast(long now) {
        if (bounded && now - endAt >= 0) {
            stopNow();
            return true;
        }
        return false;
    }

    /** A subscriber fed caught up; from its event loop. */
    void wakeIfPausedForBacklog() {
        LoadConnection c = connection;
        if (c != null && backlog.unpause()) {
            c.executor().execute(this::trySend);
        }
    }

    // ---- both modes ----

    private boolean send(LoadConnection c, long sendTime) {
        boolean counted = sendTime - measureStart >= 0;
        int packetId = 0;
        if (inflight != null) {
            packetId = inflight.acquire(sendTime, counted);
            if (packetId == 0) {
                return false;
            }
        }
        append(c, packetId, sendTime);
        upcoming--;
        sequence++;
        sent.increment();
        if (counted) {
            sentCounted.increment();
        }
        if (count > 0 && sequence >= count) {
            finished = true;
            endedAt = System.nanoTime();
            onFinished.run();
        }
        return true;
    }

    /**
     * Adds message {@code sequence} to the batch: small messages are packed into one buffer, so
     * that a batch costs one allocation and one channel write rather than one per message.
     */
    private void append(LoadConnection c, int packetId, long sendTime) {
        ByteBuf padding = template.padding();
        if (padding != null) {
            writeBatch(c);
            ByteBuf head = c.alloc().directBuffer(template.headSize());
            template.writeHead(head, packetId, sequence, sendTime);
            c.write(head);
            c.write(padding.retainedDuplicate());
            return;
        }
        ByteBuf out = batch;
        if (out == null || out.writableBytes() < template.headSize()) {
            writeBatch(c);
            // sized for the messages this turn is expected to send: a buffer per turn is not wasted
            int perBuffer = Math.max(1, Math.min(Math.min(FLUSH_EVERY, upcoming), BATCH_BYTES / template.headSize()));
            out = batch = c.alloc().directBuffer(perBuffer * template.headSize());
        }
        template.writeHead(out, packetId, sequence, sendTime);
    }

    private void writeBatch(LoadConnection c) {
        ByteBuf out = batch;
        if (out != null) {
            batch = null;
            c.write(out);
        }
    }

    /** Writes the batch and flushes. */
    private void flush(LoadConnection c) {
        writeBatch(c);
        c.flush();
    }

    /** PUBACK, with its reason code (always Success in 3.1 and 3.1.1). */
    void onPubAck(int packetId, ReasonCode code, long now) {
        if (template.qos() != QoS.AT_LEAST_ONCE || inflight == null || !inflight.contains(packetId)) {
            unexpectedAcks.increment();
            return;
        }
        if (code.isError()) {
            refuse(inflight, PacketType.PUBACK, packetId, code);
            return;
        }
        complete(inflight, packetId, now);
    }

    /** PUBREC: true when PUBREL is to be sent, which is never after a refusing one [MQTT-4.3.3-4]. */
    boolean onPubRec(int packetId, ReasonCode code) {
        if (template.qos() != QoS.EXACTLY_ONCE || inflight == null || !inflight.contains(packetId)) {
            unexpectedAcks.increment();
            return false;
        }
        if (code.isError()) {
            refuse(inflight, PacketType.PUBREC, packetId, code);
            return false;
        }
        inflight.markReleased(packetId);
        return true;
    }

    void onPubComp(int packetId, ReasonCode code, long now) {
        if (template.qos() != QoS.EXACTLY_ONCE || inflight == null || !inflight.isReleased(packetId)) {
            unexpectedAcks.increment();
            return;
        }
        if (code.isError()) {
            refuse(inflight, PacketType.PUBCOMP, packetId, code);
            return;
        }
        complete(inflight, packetId, now);
    }

    /**
     * 5.0: a PUBACK, PUBREC or PUBCOMP ({@code type}) of message {@code packetId} with a reason
     * code of 0x80 or more. The broker did not take the message: its flow ends there, and its
     * packet identifier is free again (5.0 §4.3.2, §4.3.3). Counted as refused, not acknowledged.
     */
    private void refuse(InflightIds ids, PacketType type, int packetId, ReasonCode code) {
        if (firstRefusalCode == null) {
            firstRefusalType = type;
            firstRefusalCode = code;
        }
        refused.increment();
        ids.complete(packetId);
        completed.increment();
        acknowledgedInRead = true;
    }

    private void complete(InflightIds ids, int packetId, long now) {
        if (ids.isCounted(packetId)) {
            acknowledged.increment();
            SingleWriterRecorder recorder = ackRecorder;
            if (recorder != null) {
                LatencyStats.record(recorder, now - ids.sendTime(packetId));
            }
        }
        ids.complete(packetId);
        completed.increment();
        acknowledgedInRead = true;
    }

    /** End of a read: acknowledgements may have opened the window. */
    void afterRead() {
        if (acknowledgedInRead) {
            acknowledgedInRead = false;
            resume();
        }
    }

    void onWritable() {
        resume();
    }

    private void resume() {
        if (intervalNanos == 0) {
            trySend();
        } else if (blocked && !stopped) {
            blocked = false;
            tick();
        }
    }

    private LoadConnection connection() {
        LoadConnection c = connection;
        if (c == null) {
            throw new IllegalStateException("the publisher has no connection yet");
        }
        return c;
    }

    // ---- counters, from any thread ----

    /** Messages sent, counted or not. */
    long sent() {
        return sent.get();
    }

    /** Messages sent in the measured interval. */
    long sentCounted() {
        return sentCounted.get();
    }

    /** Messages of the measured interval whose QoS 1/2 flow completed (PUBACK or PUBCOMP). */
    long acknowledged() {
        return template.qos() == QoS.AT_MOST_ONCE ? sentCounted.get() : acknowledged.get();
    }

    /** QoS 1/2 messages sent and not yet acknowledged. */
    long awaitingAcks() {
        return template.qos() == QoS.AT_MOST_ONCE ? 0 : sent.get() - completed.get();
    }

    /** Acknowledgements for packet identifiers not in flight (a broker bug). */
    long unexpectedAcks() {
        return unexpectedAcks.get();
    }

    /** 5.0: messages the broker refused with a PUBACK, PUBREC or PUBCOMP reason code of 0x80 or more. */
    long refused() {
        return refused.get();
    }

    /** The first refusal, as "PUBACK 0x97 QUOTA_EXCEEDED", or null; read once the event loops have stopped. */
    @Nullable String firstRefusal() {
        PacketType type = firstRefusalType;
        ReasonCode code = firstRefusalCode;
        return type == null || code == null ? null : type + " " + LoadConnection.describe(code);
    }

    /** When sending ended (count reached, stopped, or the connection closed), or 0. */
    long endedAt() {
        return endedAt;
    }
}
