package io.starling.cli.bench.command;

import io.starling.cli.bench.engine.SubBench;
import io.starling.cli.bench.engine.SubOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code starling bench sub}. */
@Command(name = "sub", sortOptions = false,
        description = {
            "N subscribers of a topic filter, counting what they receive and its rate.",
            "Messages from bench pub are tracked per publisher: losses, duplicates and reordering are"
                    + " inferred from their sequence numbers, latency from their send time (same host only)."})
final class BenchSubCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "-c", defaultValue = "1", paramLabel = "N", description = "Subscribers (default: ${DEFAULT-VALUE}).")
    int subscribers;

    @Option(names = {"-t", "--topic"}, defaultValue = "bench/#", paramLabel = "FILTER",
            description = "Topic filter; %%i is the subscriber index (default: ${DEFAULT-VALUE}).")
    String filter;

    @Option(names = "--count", defaultValue = "0", paramLabel = "N",
            description = "Stop after this many messages over all subscribers, 0 for no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Override
    public Integer call() {
        SubOptions options;
        try {
            options = new SubOptions(common.settings(), subscribers, filter, count);
        } catch (IllegalArgumentException e) {
            return BenchLauncher.invalid(spec, e);
        }
        return BenchLauncher.execute(spec, new SubBench(options), common.json);
    }
}
