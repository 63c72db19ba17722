package io.starling.cli;

import io.starling.cli.bench.command.BenchCommand;
import io.starling.cli.client.PubCommand;
import io.starling.cli.client.RrCommand;
import io.starling.cli.client.SubCommand;
import io.starling.cli.version.StarlingVersion;
import picocli.CommandLine.Command;
import picocli.CommandLine;

/** The {@code starling} command and its subcommands. */
@Command(
        name = "starling",
        mixinStandardHelpOptions = true,
        versionProvider = StarlingVersion.class,
        description = "Starling: an MQTT 3.1, 3.1.1 and 5.0 broker, client and toolkit.",
        subcommands = {BrokerCommand.class, PubCommand.class, SubCommand.class, RrCommand.class, BenchCommand.class, PasswdCommand.class,
                CommandLine.HelpCommand.class})
public final class Starling implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        return new CommandLine(new Starling()).execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
