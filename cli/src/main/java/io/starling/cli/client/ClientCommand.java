package io.starling.cli.client;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.starling.client.ConnectResult;
import io.starling.client.ConnectionRefusedException;
import io.starling.client.DisconnectedByServerException;
import io.starling.client.MqttClient;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
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
 * What pub, sub and rr have in common: their streams, which a test can replace; turning a failure
 * into mosquitto's message on standard error and its exit status; and connecting.
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

    /** The -D properties, as {@link PropertyArgument} reads them. */
    private final PropertyOptions properties = new PropertyOptions();
    /** The first bad argument met while parsing, in mosquitto's words; see {@link OptionValue}. */
    private @Nullable String usageError;
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

    /** "pub", "sub" or "rr", for messages. */
    abstract String name();

    /** The connection flags. */
    abstract ConnectionOptions connection();

    /** The -D properties given. */
    PropertyOptions properties() {
        return properties;
    }

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
    void prepare() {
        if (usageError != null) {
            throw new CommandFailure(CommandFailure.ERROR, usageError, CommandFailure.usageHint(name()));
        }
        if (!unmatched.isEmpty()) {
            throw CommandFailure.usage(name(), "Unknown option '" + unmatched.get(0) + "'.");
        }
        if (!connection().debug) {
            ((Logger) LoggerFactory.getLogger("io.starling.client")).setLevel(Level.WARN);
        }
    }

    /** Records an option that came without its value (the first bad argument is reported). */
    void missingValue(String reason) {
        usageError("Error: " + reason);
    }

    /** Records a bad argument, its whole message; only the first one is reported, as mosquitto stops there. */
    void usageError(String message) {
        if (usageError == null) {
            usageError = message;
        }
    }

    InputStream stdin() {
        return stdin != null ? stdin : System.in;
    }

    PrintWriter err() {
        return spec != null ? spec.commandLine().getErr() : new PrintWriter(System.err, true);
    }

    /** Connects; a failure is thrown as {@link #connectFailure}. */
    ConnectResult connect(MqttClient client) throws InterruptedException {
        return connected(client.connect(), client.config().version());
    }

    /** The result of a connect that has completed; a failure is thrown as {@link #connectFailure}. */
    ConnectResult connected(CompletableFuture<ConnectResult> connecting, MqttVersion version) throws InterruptedException {
        try {
            return connecting.get();
        } catch (ExecutionException e) {
            throw connectFailure(e.getCause(), version);
        }
    }

    /** A failed connect in mosquitto's words and status: {@link #refused} for a refusing CONNACK, else {@link #networkFailure}. */
    CommandFailure connectFailure(@Nullable Throwable cause, MqttVersion version) {
        if (cause instanceof ConnectionRefusedException refused) {
            return refused(refused.reasonCode(), version);
        }
        return networkFailure(cause);
    }

    /**
     * A refusing CONNACK as mosquitto_sub reports it: "Connection error: " and the code in
     * libmosquitto's words (3.1.1: "Connection Refused: not authorised."; 5.0: "Not authorized"),
     * and the code as the exit status. pub adds a line, rr words 0x84 its own way.
     */
    CommandFailure refused(ReasonCode code, MqttVersion version) {
        if (!version.isV5()) {
            int returnCode = code.v3ConnectReturnCode();
            return new CommandFailure(returnCode, "Connection error: " + connackString(returnCode));
        }
        String words = ReasonWords.of(code);
        if (code == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
            words += ". Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.";
        }
        return new CommandFailure(code.value(), "Connection error: " + words);
    }

    /**
     * A connect that failed below MQTT, in mosquitto's words, exit status 1: nothing listening is
     * "Error: Connection refused", an unknown host "Unable to connect (Lookup error.).", a failed
     * TLS handshake "Unable to connect (A TLS error occurred.)" and why.
     */
    static CommandFailure networkFailure(@Nullable Throwable cause) {
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

    /**
     * The broker ended the connection with DISCONNECT (MQTT 5.0): its reason code in
     * libmosquitto's words, and its Reason String on a line of its own as mosquitto_pub prints a
     * PUBACK's; exit status 7, libmosquitto's "connection lost". mosquitto's clients say nothing
     * of it outside -d; saying why is the point of the reason code.
     */
    static CommandFailure disconnected(DisconnectedByServerException e) {
        List<String> lines = new ArrayList<>();
        lines.add("Error: Disconnected by the broker: " + ReasonWords.of(e.reasonCode()) + ".");
        e.reasonString().ifPresent(lines::add);
        e.serverReference().ifPresent(reference -> lines.add("Server reference: " + reference));
        return new CommandFailure(CommandFailure.CONNECTION_LOST, lines.toArray(String[]::new));
    }

    /** The DISCONNECT among the causes of {@code failure}, or null. */
    static @Nullable DisconnectedByServerException disconnectedBy(@Nullable Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DisconnectedByServerException e) {
                return e;
            }
        }
        return null;
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
