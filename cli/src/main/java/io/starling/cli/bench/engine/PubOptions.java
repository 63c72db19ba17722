package io.starling.cli.bench.engine;

import io.starling.cli.bench.wire.PayloadHeader;
import java.time.Duration;

/**
 * {@code bench pub}: N publishers.
 *
 * @param settings the common settings; without a duration or count the run lasts 10 s
 * @param publishers publishers (connections)
 * @param topic topic pattern, {@code %i} standing for the publisher index
 * @param payloadSize payload bytes, at least the {@value PayloadHeader#SIZE}-byte bench header
 * @param rate messages per second per publisher (open loop), or 0 for as fast as flow control allows
 * @param count messages per publisher, 0 for no limit
 * @param inflight QoS 1 and 2 messages a publisher may have unacknowledged (max-rate mode)
 * @param drain how long to wait for outstanding acknowledgements at the end
 */
public record PubOptions(
        BenchSettings settings,
        int publishers,
        String topic,
        int payloadSize,
        double rate,
        long count,
        int inflight,
        Duration drain) {

    public PubOptions {
        PubSubOptions.require(publishers >= 1, "publishers (-c) are 1 or more, not " + publishers);
        PubSubOptions.require(!topic.isEmpty(), "the topic must not be empty");
        PubSubOptions.require(topic.indexOf('+') < 0 && topic.indexOf('#') < 0,
                "a topic to publish to has no wildcards (+, #): " + topic);
        PubSubOptions.require(payloadSize >= PayloadHeader.SIZE && payloadSize <= 256 * 1024 * 1024,
                "the payload size is " + PayloadHeader.SIZE + " bytes (the bench header) to 256 MiB, not " + payloadSize);
        PubSubOptions.require(rate >= 0 && Double.isFinite(rate), "the rate is 0 (as fast as possible) or more, not " + rate);
        PubSubOptions.require(count >= 0, "the count is 0 (no limit) or more, not " + count);
        PubSubOptions.require(inflight >= 1 && inflight <= 65_535, "the in-flight window is 1 to 65535, not " + inflight);
        PubSubOptions.require(!drain.isNegative(), "the drain time must not be negative");
    }

    /** {@code publishers} publishers on {@code topic}, 64-byte payloads, max rate. */
    public static PubOptions of(BenchSettings settings, int publishers, String topic) {
        return new PubOptions(settings, publishers, topic, PubSubOptions.DEFAULT_PAYLOAD_SIZE, 0, 0,
                PubSubOptions.DEFAULT_INFLIGHT, PubSubOptions.DEFAULT_DRAIN);
    }

    /** A copy with {@code payloadSize} replaced. */
    public PubOptions withPayloadSize(int payloadSize) {
        return new PubOptions(settings, publishers, topic, payloadSize, rate, count, inflight, drain);
    }

    /** A copy with {@code rate} replaced. */
    public PubOptions withRate(double rate) {
        return new PubOptions(settings, publishers, topic, payloadSize, rate, count, inflight, drain);
    }

    /** A copy with {@code count} replaced. */
    public PubOptions withCount(long count) {
        return new PubOptions(settings, publishers, topic, payloadSize, rate, count, inflight, drain);
    }

    /** A copy with {@code inflight} replaced. */
    public PubOptions withInflight(int inflight) {
        return new PubOptions(settings, publishers, topic, payloadSize, rate, count, inflight, drain);
    }

    /** A copy with {@code drain} replaced. */
    public PubOptions withDrain(Duration drain) {
        return new PubOptions(settings, publishers, topic, payloadSize, rate, count, inflight, drain);
    }
}
