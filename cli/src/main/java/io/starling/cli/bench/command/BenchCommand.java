package io.starling.cli.bench.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code starling bench}: an MQTT load generator in the spirit of emqtt-bench, driving the wire
 * itself on Netty so that the generator is not what limits the measurement.
 */
@Command(
        name = "bench",
        description = {
            "MQTT load generator: conn, pub, sub and pubsub benchmarks against a broker.",
            "Progress lines go to standard error once a second; the summary goes to standard output"
                    + " (with --json also as one JSON line). Latencies are in microseconds.",
            "Ctrl-C stops a run early and prints its summary."},
        subcommands = {BenchConnCommand.class, BenchPubCommand.class, BenchSubCommand.class, BenchPubSubCommand.class},
        preprocessor = BenchLauncher.OneLineErrors.class)
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
