package io.starling.cli.bench.command;

import io.starling.cli.bench.engine.ConnBench;
import io.starling.cli.bench.engine.ConnOptions;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--source-address", split = ",", paramLabel = "ADDR",
            description = {"Bind the connections to these local IP addresses in turn, round robin (comma-separated or"
                    + " repeated; literal addresses only, no host names). One address has about 28k ephemeral ports"
                    + " toward one broker, so 100k connections need 4 or more, e.g. 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4"
                    + " (on Linux all of 127/8 is loopback). Default: the system chooses.",
                "Many connections also need many file descriptors: raise the limit with 'ulimit -n' first."})
    List<String> sourceAddresses = new ArrayList<>();

    @Override
    public Integer call() {
        ConnOptions options;
        try {
            options = new ConnOptions(common.settings(), connections, rate, ConnOptions.parseSourceAddresses(sourceAddresses));
        } catch (IllegalArgumentException e) {
            return BenchLauncher.invalid(spec, e);
        }
        return BenchLauncher.execute(spec, new ConnBench(options), common.json);
    }
}
