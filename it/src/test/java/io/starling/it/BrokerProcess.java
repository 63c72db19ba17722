package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of {@code bin/starling broker -c CONFIG} as a separate process, the way a user starts it:
 * standard output and error go to one log file (never a pipe that could fill up), and the port is
 * read from the log's {@code listening on /127.0.0.1:PORT} line, so a configuration with port 0
 * gets a new port on every start. {@link #kill()} ends it with SIGKILL, as a crash would;
 * {@link #close()} makes sure it is gone whatever happened.
 */
final class BrokerProcess implements AutoCloseable {
    /** Generous: a JVM starting on a loaded 2-core CI machine. */
    static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(10);
    /** How Java reports a process that died of a signal: 128 + the signal's number. */
    private static final int KILLED_BY_SIGKILL = 128 + 9;
    private static final Pattern LISTENING = Pattern.compile("INFO  MqttServer: listening on /127\\.0\\.0\\.1:(\\d+) \\(");
    private static final Path LAUNCHER = ProjectRoot.LAUNCHER;

    private final Process process;
    private final Path log;
    private final int port;

    private BrokerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Starts the broker with this configuration file, its output to {@code log} (which must not
     * exist yet, so that an earlier run's "listening" line cannot be mistaken for this one's), and
     * waits until it listens. If the process ends first, fails with its log.
     */
    static BrokerProcess start(Path config, Path log) throws IOException {
        assertThat(log).as("a fresh log for every start").doesNotExist();
        assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER + " is executable; build with ./mvnw -q -DskipTests install").isTrue();
        Process process = new ProcessBuilder(LAUNCHER.toString(), "broker", "-c", config.toString())
                .directory(config.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        int port;
        try {
            port = awaitListening(process, log, START);
        } catch (RuntimeException | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
        return new BrokerProcess(process, log, port);
    }

    /**
     * Waits for the broker {@code process} writing to {@code log} to say it listens, and returns
     * its port; fails with the log if the process ends first.
     */
    static int awaitListening(Process process, Path log, Duration within) {
        AtomicInteger port = new AtomicInteger();
        await("broker listening, log " + log).atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> {
            Matcher listening = LISTENING.matcher(read(log));
            if (listening.find()) {
                port.set(Integer.parseInt(listening.group(1)));
                return true;
            }
            assertThat(process.isAlive()).as("the broker ended (status %s) before listening; log:%n%s",
                    process.isAlive() ? "-" : process.exitValue(), read(log)).isTrue();
            return false;
        });
        return port.get();
    }

    int port() {
        return port;
    }

    String tcpUri() {
        return "tcp://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Ends the broker with SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook,
     * no flush, no close of the store. Returns once the process is gone, having checked that it
     * died of SIGKILL and not of anything else.
     */
    void kill() throws InterruptedException {
        assertThat(process.isAlive()).as("the broker is still running before the kill; log:%n%s", logTail()).isTrue();
        process.destroyForcibly();
        assertThat(process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).as("the broker died within %s of SIGKILL", STOP).isTrue();
        assertThat(process.exitValue()).as("exit status of a process killed by SIGKILL (128 + 9)").isEqualTo(KILLED_BY_SIGKILL);
    }

    /** Sends SIGHUP, as {@code kill -HUP} does: the broker reloads its configuration. */
    void hangUp() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).as("kill -HUP returned").isTrue();
        assertThat(kill.exitValue()).as("kill -HUP %s", process.pid()).isZero();
    }

    /** Everything the broker logged so far. */
    String log() {
        return read(log);
    }

    /** The last lines of the broker's log, for failure messages. */
    String logTail() {
        List<String> lines = read(log).lines().toList();
        return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Kills the process if it still runs and waits for it to end; for clean-up after a test. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
