package io.starling.cli.client;

import java.util.List;

/**
 * Ends a pub, sub or rr run with an exit status and the lines to print on standard error, worded
 * as {@code mosquitto_pub}, {@code mosquitto_sub} and {@code mosquitto_rr} word them so that
 * scripts and habits carry over.
 */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Mosquitto's status for a bad command line, a file it cannot read, or a network error. */
    static final int ERROR = 1;
    /** libmosquitto's MOSQ_ERR_CONN_LOST. */
    static final int CONNECTION_LOST = 7;
    /** libmosquitto's MOSQ_ERR_TIMEOUT: mosquitto_sub's status when -W expires. */
    static final int TIMED_OUT = 27;

    private final int exitCode;
    private final List<String> lines;

    CommandFailure(int exitCode, String... lines) {
        super(String.join("; ", lines));
        this.exitCode = exitCode;
        this.lines = List.of(lines);
    }

    /** A bad command line: the reason, then where to find the usage, exit status 1. */
    static CommandFailure usage(String command, String reason) {
        return new CommandFailure(ERROR, "Error: " + reason, usageHint(command));
    }

    /** The line after a bad command line's reason. */
    static String usageHint(String command) {
        return "Use 'starling " + command + " --help' to see usage.";
    }

    int exitCode() {
        return exitCode;
    }

    List<String> lines() {
        return lines;
    }
}
