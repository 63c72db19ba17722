package io.starling.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;

/**
 * Runs {@code starling pub} or {@code starling sub} in this JVM with its streams captured, the
 * way {@code Starling.run} runs them from the command line.
 *
 * @param exitCode what the command returned
 * @param stdout the bytes written to standard output (payloads, -d lines)
 * @param err standard error
 * @param help picocli's output (--help, --version)
 */
record CommandRun(int exitCode, byte[] stdout, String err, String help) {
    /** The longest a test waits for a command that should end on its own. */
    static final Duration WAIT = Duration.ofSeconds(20);

    static CommandRun pub(String... args) {
        return run(new PubCommand(), new ByteArrayInputStream(new byte[0]), args);
    }

    static CommandRun pubWithStdin(byte[] stdin, String... args) {
        return run(new PubCommand(), new ByteArrayInputStream(stdin), args);
    }

    static CommandRun pubWithStdin(InputStream stdin, String... args) {
        return run(new PubCommand(), stdin, args);
    }

    static CommandRun sub(String... args) {
        return run(new SubCommand(), new ByteArrayInputStream(new byte[0]), args);
    }

    /** Runs sub writing its standard output to {@code stdout}; the result's stdout is then empty. */
    static CommandRun subWithStdout(OutputStream stdout, String... args) {
        SubCommand sub = new SubCommand();
        sub.setStdout(stdout);
        return run(sub, new ByteArrayInputStream(new byte[0]), null, args);
    }

    /** Runs sub on a thread of its own; {@link #await} its end. */
    static CompletableFuture<CommandRun> subInBackground(String... args) {
        return CompletableFuture.supplyAsync(() -> sub(args));
    }

    /** The result of a command run in the background, failing the test if it has not ended within {@link #WAIT}. */
    static CommandRun await(CompletableFuture<CommandRun> running) {
        try {
            return running.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("the command did not end within " + WAIT, e);
        }
    }

    private static CommandRun run(ClientCommand command, InputStream stdin, String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        command.setStdout(stdout);
        return run(command, stdin, stdout, args);
    }

    private static CommandRun run(ClientCommand command, InputStream stdin, @Nullable ByteArrayOutputStream stdout,
            String... args) {
        StringWriter err = new StringWriter();
        StringWriter help = new StringWriter();
        command.setStdin(stdin);
        CommandLine commandLine = new CommandLine(command)
                .setErr(new PrintWriter(err, true))
                .setOut(new PrintWriter(help, true));
        int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, stdout == null ? new byte[0] : stdout.toByteArray(), err.toString(), help.toString());
    }

    String out() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    List<String> errLines() {
        return err.lines().toList();
    }

    /** Asserts a clean run: exit status 0 and nothing on standard error. */
    CommandRun succeeded() {
        assertThat(err).as("standard error").isEmpty();
        assertThat(exitCode).as("exit status; standard error: %s", err).isZero();
        return this;
    }
}
