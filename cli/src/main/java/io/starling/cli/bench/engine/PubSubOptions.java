package io.starling.cli.bench.engine;

import io.starling.cli.bench.wire.PayloadHeader;
import java.time.Duration;
import java.util.List;

/**
 * {@code bench pubsub}: publishers and subscribers in one process, connected in a {@link Shape}.
 *
 * @param settings the common settings; without a duration or count the run lasts 10 s
 * @param shape fan-in, fan-out or pairs
 * @param publishers publishers: N for fan-in and pairs, 1 for fan-out
 * @param subscribers subscribers: 1 for fan-in, M for fan-out, N for pairs
 * @param payloadSize payload bytes, at least the {@value PayloadHeader#SIZE}-byte bench header
 * @param rate messages per second over all publishers (open loop), or 0 for as fast as flow
 *     control allows
 * @param count messages per publisher, 0 for no limit
 * @param inflight QoS 1 and 2 messages a publisher may have unacknowledged (max-rate mode)
 * @param maxBacklog how far (messages) a subscriber may fall behind what was sent to it before
 *     its publishers pause (max-rate mode)
 * @param drain how long to wait for outstanding deliveries and acknowledgements at the end
 * @param brokers the brokers to spread the connections over (see {@link PubSubBench}), or empty
 *     for every connection to the settings' host and port
 */
public record PubSubOptions(
        BenchSettings settings,
        Shape shape,
        int publishers,
        int subscribers,
        int payloadSize,
        double rate,
        long count,
        int inflight,
        int maxBacklog,
        Duration drain,
        List<BrokerAddress> brokers) {

    public static final int DEFAULT_PAYLOAD_SIZE = 64;
    public static final int DEFAULT_INFLIGHT = 64;
    public static final int DEFAULT_MAX_BACKLOG = 1000;
    public static final Duration DEFAULT_DRAIN = Duration.ofSeconds(5);
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(10);

    public PubSubOptions {
        switch (shape) {
            case FAN_IN -> require(subscribers == 1, "fan-in has one subscriber, not " + subscribers);
            case FAN_OUT -> require(publishers == 1, "fan-out has one publisher, not " + publishers);
            case PAIRS -> require(publishers == subscribers,
                    "pairs has as many subscribers as publishers, not " + publishers + " and " + subscribers);
        }
        require(publishers >= 1 && subscribers >= 1, "publishers and subscribers are 1 or more");
        require(payloadSize >= PayloadHeader.SIZE && payloadSize <= 256 * 1024 * 1024,
                "the payload size is " + PayloadHeader.SIZE + " bytes (the bench header) to 256 MiB, not " + payloadSize);
        require(rate >= 0 && Double.isFinite(rate), "the rate is 0 (as fast as possible) or more, not " + rate);
        require(count >= 0, "the count is 0 (no limit) or more, not " + count);
        require(inflight >= 1 && inflight <= 65_535, "the in-flight window is 1 to 65535, not " + inflight);
        require(maxBacklog >= 1, "the maximum backlog is 1 or more, not " + maxBacklog);
        require(!drain.isNegative(), "the drain time must not be negative");
        brokers = List.copyOf(brokers);
    }

    /** Options with every connection to the settings' broker. */
    public PubSubOptions(BenchSettings settings, Shape shape, int publishers, int subscribers, int payloadSize, double rate,
            long count, int inflight, int maxBacklog, Duration drain) {
        this(settings, shape, publishers, subscribers, payloadSize, rate, count, inflight, maxBacklog, drain, List.of());
    }

    /**
     * A copy whose connections are spread over {@code brokers}, the settings' host and port
     * replaced by the first; an empty list: every connection to the settings' broker.
     */
    public PubSubOptions withBrokers(List<BrokerAddress> brokers) {
        BenchSettings first = brokers.isEmpty() ? settings : settings.withBroker(brokers.get(0).host(), brokers.get(0).port());
        return new PubSubOptions(first, shape, publishers, subscribers, payloadSize, rate, count, inflight, maxBacklog,
                drain, brokers);
    }

    /** The brokers connections go to: {@link #brokers()}, or the settings' one. */
    List<BrokerAddress> targets() {
        return brokers.isEmpty() ? List.of(new BrokerAddress(settings.host(), settings.port())) : brokers;
    }

    /** The defaults of {@code shape}: its default counts, 64-byte payloads, max rate, 10 s. */
    public static PubSubOptions of(BenchSettings settings, Shape shape) {
        return new PubSubOptions(settings, shape, shape.defaultPublishers(), shape.defaultSubscribers(),
                DEFAULT_PAYLOAD_SIZE, 0, 0, DEFAULT_INFLIGHT, DEFAULT_MAX_BACKLOG, DEFAULT_DRAIN);
    }

    /** N publishers for fan-in, N pairs for pairs; fan-out has one publisher. */
    public PubSubOptions withPublishers(int n) {
        return new PubSubOptions(settings, shape, n, shape == Shape.PAIRS ? n : subscribers, payloadSize, rate, count,
                inflight, maxBacklog, drain, brokers);
    }

    /** M subscribers for fan-out, M pairs for pairs; fan-in has one subscriber. */
    public PubSubOptions withSubscribers(int m) {
        return new PubSubOptions(settings, shape, shape == Shape.PAIRS ? m : publishers, m, payloadSize, rate, count,
                inflight, maxBacklog, drain, brokers);
    }

    /** A copy with {@code payloadSize} replaced. */
    public PubSubOptions withPayloadSize(int payloadSize) {
        return new PubSubOptions(settings, shape, publishers, subscribers, payloadSize, rate, count, inflight,
                maxBacklog, drain, brokers);
    }

    /** A copy with {@code rate} replaced. */
    public PubSubOptions withRate(double rate) {
        return new PubSubOptions(settings, shape, publishers, subscribers, payloadSize, rate, count, inflight,
                maxBacklog, drain, brokers);
    }

    /** A copy with {@code count} replaced. */
    public PubSubOptions withCount(long count) {
        return new PubSubOptions(settings, shape, publishers, subscribers, payloadSize, rate, count, inflight,
                maxBacklog, drain, brokers);
    }

    /** A copy with {@code inflight} replaced. */
    public PubSubOptions withInflight(int inflight) {
        return new PubSubOptions(settings, shape, publishers, subscribers, payloadSize, rate, count, inflight,
                maxBacklog, drain, brokers);
    }

    /** A copy with {@code maxBacklog} replaced. */
    public PubSubOptions withMaxBacklog(int maxBacklog) {
        return new PubSubOptions(settings, shape, publishers, subscribers, payloadSize, rate, count, inflight,
                maxBacklog, drain, brokers);
    }

    /** A copy with {@code drain} replaced. */
    public PubSubOptions withDrain(Duration drain) {
        return new PubSubOptions(settings, shape, publishers, subscribers, payloadSize, rate, count, inflight,
                maxBacklog, drain, brokers);
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
