package io.starling.cli.bench.command;

import io.starling.cli.bench.engine.PubBench;
import io.starling.cli.bench.engine.PubOptions;
import io.starling.cli.bench.wire.PayloadHeader;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code starling bench pub}. */
@Command(name = "pub", sortOptions = false,
        description = {
            "N publishers, each on its topic, at R messages/s each or as fast as flow control allows.",
            "Payloads carry a bench header (send time, publisher, sequence number) that bench sub reads.",
            "At QoS 1 and 2 the summary shows the PUBLISH-to-PUBACK/PUBCOMP latency in microseconds."})
final class BenchPubCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "-c", defaultValue = "1", paramLabel = "N", description = "Publishers (default: ${DEFAULT-VALUE}).")
    int publishers;

    @Option(names = {"-t", "--topic"}, defaultValue = "bench/%i", paramLabel = "TOPIC",
            description = "Topic pattern; %%i is the publisher index (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = {"-s", "--size"}, defaultValue = "64", paramLabel = "BYTES",
            description = "Payload size, at least " + PayloadHeader.SIZE + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "R",
            description = "Messages per second per publisher (open loop), 0 for as fast as flow control allows (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "Messages per publisher, 0 for no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--inflight", defaultValue = "64", paramLabel = "W",
            description = "Unacknowledged QoS 1/2 messages per publisher at max rate (default: ${DEFAULT-VALUE}).")
    int inflight;

    @Option(names = "--drain", defaultValue = "5s", paramLabel = "TIME", converter = OptionConverters.DurationConverter.class,
            description = "At the end, how long to wait for outstanding acknowledgements (default: 5s).")
    Duration drain;

    @Override
    public Integer call() {
        PubOptions options;
        try {
            options = new PubOptions(common.settings(), publishers, topic, size, rate, count, inflight, drain);
        } catch (IllegalArgumentException e) {
            return BenchLauncher.invalid(spec, e);
        }
        return BenchLauncher.execute(spec, new PubBench(options), common.json);
    }
}
