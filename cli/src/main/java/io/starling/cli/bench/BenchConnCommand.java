package io.starling.cli.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code starling bench conn}. */
@Command(name = "conn", sortOptions = false,
        description = {
            "Open N connections at R connects/s and hold them until --duration ends or Ctrl-C.",
            "Progress shows connections open and failed; the summary shows the connect time"
                    + " (TCP connected to CONNACK) percentiles in microseconds."})
final class BenchConnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "-c", defaultValue = "1000", paramLabel = "N", description = "Connections to open (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "R",
            description = "Connections opened per second, 0 for as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Override
    public Integer call() {
        ConnOptions options;
        try {
            options = new ConnOptions(common.settings(), connections, rate);
        } catch (IllegalArgumentException e) {
            return BenchLauncher.invalid(spec, e.getMessage());
        }
        return BenchLauncher.execute(spec, new ConnBench(options), common.json);
    }
}
