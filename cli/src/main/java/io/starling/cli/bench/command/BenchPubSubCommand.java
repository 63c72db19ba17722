package io.starling.cli.bench.command;

import io.starling.cli.bench.engine.BrokerAddress;
import io.starling.cli.bench.engine.PubSubBench;
import io.starling.cli.bench.engine.PubSubOptions;
import io.starling.cli.bench.engine.Shape;
import io.starling.cli.bench.wire.PayloadHeader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code starling bench pubsub}. */
@Command(name = "pubsub", sortOptions = false,
        description = {
            "Publishers and subscribers in one process, every message accounted for: sent,",
            "acknowledged, received, lost, duplicated, out of order; latency in microseconds.",
            "Shapes (topics carry a random run id):",
            "  fan-in   N publishers on bench/<run>/<i>, 1 subscriber of bench/<run>/+ (N 8)",
            "  fan-out  1 publisher on bench/<run>/0, M subscribers of it (M 50)",
            "  pairs    N pairs, publisher and subscriber i on bench/<run>/<i> (N 100)",
            "--rate 0: as fast as flow control allows: at QoS 1/2 at most --inflight",
            "unacknowledged per publisher, and at any QoS publishers pause while a",
            "subscriber is more than --max-backlog behind. --rate R: open loop, R msg/s in",
            "total, latency measured from each message's scheduled send time.",
            "Subscribers connect and get SUBACK before publishers start. At the end,",
            "publishing stops and the run waits up to --drain for what is outstanding.",
            "--brokers A,B,C (e.g. the nodes of a cluster): subscriber j connects to broker",
            "j mod k, publisher i to broker (i+1) mod k, so that most messages cross",
            "brokers (pairs: all); the summary adds each broker's part."})
final class BenchPubSubCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--shape", defaultValue = "fan-in", paramLabel = "SHAPE", converter = OptionConverters.ShapeConverter.class,
            description = "fan-in, fan-out or pairs (default: ${DEFAULT-VALUE}).")
    Shape shape;

    @Option(names = "--publishers", paramLabel = "N", description = "Publishers: fan-in N, pairs N (fan-out has 1).")
    @Nullable Integer publishers;

    @Option(names = "--subscribers", paramLabel = "M", description = "Subscribers: fan-out M, pairs N (fan-in has 1).")
    @Nullable Integer subscribers;

    @Option(names = {"-s", "--size"}, defaultValue = "64", paramLabel = "BYTES",
            description = "Payload size, at least the " + PayloadHeader.SIZE + "-byte bench header (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "R",
            description = "Messages per second over all publishers (open loop), 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "Messages per publisher, 0 for no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--inflight", defaultValue = "64", paramLabel = "W",
            description = "Unacknowledged QoS 1/2 messages per publisher at max rate (default: ${DEFAULT-VALUE}).")
    int inflight;

    @Option(names = "--max-backlog", defaultValue = "1000", paramLabel = "N",
            description = "At max rate, pause publishers while a subscriber is this many messages behind (default: ${DEFAULT-VALUE}).")
    int maxBacklog;

    @Option(names = "--drain", defaultValue = "5s", paramLabel = "TIME", converter = OptionConverters.DurationConverter.class,
            description = "At the end, how long to wait for outstanding deliveries and acknowledgements (default: 5s).")
    Duration drain;

    @Option(names = "--brokers", split = ",", paramLabel = "HOST:PORT", converter = OptionConverters.BrokerConverter.class,
            description = "Spread the connections over these brokers instead of -h/-p: subscriber j on broker j mod k,"
                    + " publisher i on broker (i+1) mod k; comma-separated or repeated.")
    List<BrokerAddress> brokers = new ArrayList<>();

    @Override
    public Integer call() {
        PubSubOptions options;
        try {
            options = new PubSubOptions(common.settings(), shape,
                    publishers != null ? publishers : shape == Shape.PAIRS && subscribers != null ? subscribers : shape.defaultPublishers(),
                    subscribers != null ? subscribers : shape == Shape.PAIRS && publishers != null ? publishers : shape.defaultSubscribers(),
                    size, rate, count, inflight, maxBacklog, drain).withBrokers(brokers);
        } catch (IllegalArgumentException e) {
            return BenchLauncher.invalid(spec, e);
        }
        return BenchLauncher.execute(spec, new PubSubBench(options), common.json);
    }
}
