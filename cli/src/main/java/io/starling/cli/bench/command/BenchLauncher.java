package io.starling.cli.bench.command;

import io.starling.cli.bench.engine.BenchException;
import io.starling.cli.bench.engine.LoadBench;
import io.starling.cli.bench.stats.BenchSummary;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How a bench subcommand runs: Ctrl-C (SIGINT) stops the run early and still prints the summary
 * (exit 0); the summary goes to standard output as text and, with {@code --json}, as one JSON
 * line; errors are one line on standard error. Exit codes: 0 done, 1 the run failed (broker
 * unreachable, connection refused or lost), 2 invalid options.
 */
final class BenchLauncher {
    static final int FAILED = 1;
    static final int INVALID_INPUT = 2;

    private BenchLauncher() {
    }

    /** Runs {@code bench} as the command {@code spec}; returns the exit code. */
    static int execute(CommandSpec spec, LoadBench bench, boolean json) {
        String name = spec.qualifiedName();
        Signal interrupt = new Signal("INT");
        SignalHandler previous = Signal.handle(interrupt, signal -> bench.stop());
        try {
            BenchSummary summary = bench.run();
            System.out.print(summary.toText());
            if (json) {
                System.out.println(summary.toJson());
            }
            System.out.flush();
            if (summary.disconnected() > 0) {
                System.err.println(name + ": " + summary.disconnected() + " connection(s) closed during the run");
                return FAILED;
            }
            return 0;
        } catch (BenchException e) {
            System.err.println(name + ": " + e.getMessage());
            return FAILED;
        } finally {
            Signal.handle(interrupt, previous);
        }
    }

    /** Reports an invalid combination of options in one line; returns the exit code. */
    static int invalid(CommandSpec spec, IllegalArgumentException invalid) {
        String message = invalid.getMessage() != null ? invalid.getMessage() : invalid.toString();
        System.err.println(spec.qualifiedName() + ": " + message + " (see '" + spec.qualifiedName() + " --help')");
        return INVALID_INPUT;
    }

    /**
     * Makes parse errors under {@code bench} one line ("starling bench pub: Unknown option ...")
     * instead of picocli's message followed by the whole usage. The handler belongs to the root
     * command line, which the bench commands cannot configure when they are built, so this
     * preprocessor sets it when {@code bench} is matched on the command line.
     */
    static final class OneLineErrors implements CommandLine.IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
            CommandLine root = commandSpec.root().commandLine();
            if (root != null) {
                root.setParameterExceptionHandler(BenchLauncher::oneLine);
            }
            return false;
        }
    }

    private static int oneLine(ParameterException e, String[] args) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        System.err.println(spec.qualifiedName() + ": " + e.getMessage() + " (see '" + spec.qualifiedName() + " --help')");
        return spec.exitCodeOnInvalidInput();
    }
}
