package io.starling.cli.client;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.starling.client.ConnectResult;
import io.starling.client.ConnectionRefusedException;
import io.starling.client.MqttClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * What pub and sub have in common: their streams, which a test can replace; turning a failure into
 * mosquitto's message on standard error and its exit status; and connecting.
 *
 * <p>Standard error is picocli's ({@code CommandLine.setErr}). Standard output is a byte stream
 * rather than picocli's character writer, because payloads are bytes and must reach a file or
 * pipe unchanged; it is {@code System.out} unless {@link #setStdout} says otherwise.
 */
public abstract class ClientCommand implements Callable<Integer> {
    /** mosquitto reports every argument it does not know as an error; picocli collects them here. */
    @Unmatched
    List<String> unmatched = new ArrayList<>();

    @Spec
    @Nullable CommandSpec spec;

    /** The first option given without its value, in mosquitto's words; see {@link OptionValue}. */
    private @Nullable String missingValue;
    private @Nullable InputStream stdin;
    private @Nullable OutputStream stdout;

    ClientCommand() {}

    /** Reads standard input (pub -l and -s) from {@code in} instead of {@code System.in}. */
    public void setStdin(InputStream in) {
        this.stdin = in;
    }

    /** Writes standard output (payloads, -d lines) to {@code out} instead of {@code System.out}. */
    public void setStdout(OutputStream out) {
        this.stdout = out;
    }

    /** "pub" or "sub", for messages. */
    abstract String name();

    /** The command itself; a failure is thrown as {@link CommandFailure}. */
    abstract int run(Output output) throws InterruptedException;

    @Override
    public final Integer call() {
        Logger clientLog = (Logger) LoggerFactory.getLogger("io.starling.client");
        Level level = clientLog.getLevel();
        try {
            return run(new Output(stdout != null ? stdout : System.out));
        } catch (CommandFailure failure) {
            PrintWriter err = err();
            failure.lines().forEach(err::println);
            err.flush();
            return failure.exitCode();
        } catch (UncheckedIOException e) {
            // standard input or output failed outside the places that say more
            PrintWriter err = err();
            err.println("Error: " + e.getMessage());
            err.flush();
            return CommandFailure.ERROR;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CommandFailure.ERROR;
        } finally {
            clientLog.setLevel(level);
        }
    }

    /**
     * Checks the arguments picocli did not recognise and keeps the client library's reconnect
     * notices off standard error (mosquitto_sub reconnects silently) unless -d is on.
     */
    void prepare(ConnectionOptions connection) {
        if (missingValue != null) {
            throw CommandFailure.usage(name(), missingValue);
        }
        if (!unmatched.isEmpty()) {
            throw CommandFailure.usage(name(), "Unknown option '" + unmatched.get(0) + "'.");
        }
        if (!connection.debug) {
            ((Logger) LoggerFactory.getLogger("io.starling.client")).setLevel(Level.WARN);
        }
    }

    /** Records an option that came without its value (the first one is reported). */
    void missingValue(String reason) {
        if (missingValue == null) {
            missingValue = reason;
        }
    }

    InputStream stdin() {
        return stdin != null ? stdin : System.in;
    }

    PrintWriter err() {
        return spec != null ? spec.commandLine().getErr() : new PrintWriter(System.err, true);
    }

    /** Connects; a failure is thrown as {@link #connectFailure}. */
    static ConnectResult connect(MqttClient client, boolean exitWithReturnCode) throws InterruptedException {
        return connected(client.connect(), exitWithReturnCode);
    }

    /** The result of a connect that has completed; a failure is thrown as {@link #connectFailure}. */
    static ConnectResult connected(CompletableFuture<ConnectResult> connecting, boolean exitWithReturnCode)
            throws InterruptedException {
        try {
            return connecting.get();
        } catch (ExecutionException e) {
            throw connectFailure(e.getCause(), exitWithReturnCode);
        }
    }

    /**
     * A failed connect in mosquitto's words and status: a refusing CONNACK prints "Connection
     * error: Connection Refused: ..." and exits with the return code if {@code
     * exitWithReturnCode} (mosquitto_sub), else 5 after "Error: The connection was refused."
     * (mosquitto_pub); nothing listening prints "Error: Connection refused", an unknown host
     * "Unable to connect (Lookup error.).", a failed TLS handshake "Unable to connect (A TLS error
     * occurred.)" and why; those and any other failure exit 1.
     */
    static CommandFailure connectFailure(@Nullable Throwable cause, boolean exitWithReturnCode) {
        if (cause instanceof ConnectionRefusedException refused) {
            int code = refused.reasonCode().v3ConnectReturnCode();
            String reason = "Connection error: " + connackString(code);
            if (exitWithReturnCode) {
                return new CommandFailure(code, reason);
            }
            return new CommandFailure(CommandFailure.CONNECTION_REFUSED, reason, "Error: The connection was refused.");
        }
        if (causedBy(cause, SSLException.class)) {
            // mosquitto's words, then what went wrong: a certificate not trusted, a host name not matching
            return new CommandFailure(CommandFailure.ERROR, "Unable to connect (A TLS error occurred.): " + message(cause));
        }
        if (causedBy(cause, UnknownHostException.class)) {
            return new CommandFailure(CommandFailure.ERROR, "Unable to connect (Lookup error.).");
        }
        if (causedBy(cause, ConnectException.class)) {
            return new CommandFailure(CommandFailure.ERROR, "Error: Connection refused");
        }
        return new CommandFailure(CommandFailure.ERROR, "Error: " + message(cause));
    }

    /** mosquitto_connack_string: the 3.1.1 CONNACK return codes in libmosquitto's words. */
    static String connackString(int returnCode) {
        return switch (returnCode) {
            case 0 -> "Connection Accepted.";
            case 1 -> "Connection Refused: unacceptable protocol version.";
            case 2 -> "Connection Refused: identifier rejected.";
            case 3 -> "Connection Refused: broker unavailable.";
            case 4 -> "Connection Refused: bad user name or password.";
            case 5 -> "Connection Refused: not authorised.";
            default -> "Connection Refused: unknown reason.";
        };
    }

    /** Waits for {@code future}; a failure becomes "Error: reason", exit status 1. */
    static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new CommandFailure(CommandFailure.ERROR, "Error: " + message(e.getCause()));
        }
    }

    /** What went wrong, for "Error: ...": the client's own messages say it in full. */
    static String message(@Nullable Throwable failure) {
        if (failure == null) {
            return "unknown error";
        }
        String message = failure.getMessage();
        return message != null ? message : failure.getClass().getSimpleName();
    }

    private static boolean causedBy(@Nullable Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
