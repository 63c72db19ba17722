package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.opentest4j.TestAbortedException;

/**
 * The processes a command-line test starts: {@code bin/starling} and Mosquitto's tools, each with
 * its standard output and error in files of its own, all ended (with their children, for a shell
 * pipeline) by {@link #close}. Waits are bounded by {@link #WAIT}.
 */
final class CliProcesses implements AutoCloseable {
    /** Generous: JVMs starting on a loaded 2-core machine. */
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Path ROOT = ProjectRoot.DIR;
    static final Path LAUNCHER = ProjectRoot.LAUNCHER;
    static final Path MOSQUITTO_PUB = Path.of("/usr/bin/mosquitto_pub");
    static final Path MOSQUITTO_SUB = Path.of("/usr/bin/mosquitto_sub");
    static final Path MOSQUITTO_RR = Path.of("/usr/bin/mosquitto_rr");

    /** A process started by a test, its standard output and error in files. */
    record Run(Process process, Path out, Path err) {
        /** Waits for the exit status, failing with the output if the process runs past {@link #WAIT}. */
        int exitCode() throws InterruptedException {
            if (!process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                throw new AssertionError("still running after " + WAIT + "; stdout:\n" + text(out) + "\nstderr:\n" + text(err));
            }
            return process.exitValue();
        }

        String stdout() {
            return text(out);
        }

        byte[] stdoutBytes() {
            try {
                return Files.readAllBytes(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Standard error without the JVM's "Picked up JAVA_TOOL_OPTIONS" notices a CI may cause. */
        List<String> stderr() {
            return text(err).lines().filter(line -> !line.startsWith("Picked up ")).toList();
        }
    }

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    /** @param dir where the output files go (a test's temporary directory) */
    CliProcesses(Path dir) {
        this.dir = dir;
    }

    /** {@code bin/starling} with {@code args}, standard input empty. */
    Run starling(String... args) throws IOException {
        return start(null, prepend(LAUNCHER.toString(), args));
    }

    /** mosquitto_pub, mosquitto_sub or mosquitto_rr with {@code args}. */
    Run mosquitto(Path tool, String... args) throws IOException {
        return start(null, prepend(tool.toString(), args));
    }

    /** {@code script} run by sh, in the project root. */
    Run shell(String script) throws IOException {
        return start(null, "sh", "-c", script);
    }

    /** Starts {@code command} in the project root, standard input from {@code stdin} (null: /dev/null). */
    Run start(@Nullable Path stdin, String... command) throws IOException {
        String name = Path.of(command[0]).getFileName() + "-" + processes.size();
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process process = new ProcessBuilder(command)
                .directory(ROOT.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(stdin != null ? ProcessBuilder.Redirect.from(stdin.toFile())
                        : ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        processes.add(process);
        return new Run(process, out, err);
    }

    /** Waits until {@code run}'s standard output contains {@code text}; fails at once if it exits first. */
    /** The jar bin/starling runs must have been built; a clear message if not. */
    static void requireLauncher() {
        assertThat(ROOT.resolve("cli/target/starling.jar"))
                .as("the launcher's jar; build it with ./mvnw -o -q -pl cli -am -DskipTests package").isRegularFile();
    }

    /** A started Debian mosquitto, or null when it is not installed (the tests that need it then skip). */
    static @Nullable MosquittoBroker mosquittoIfInstalled() throws IOException, InterruptedException {
        try {
            return new MosquittoBroker().start();
        } catch (TestAbortedException notInstalled) {
            return null;
        }
    }

    static void awaitOutput(Run run, String text) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            if (run.stdout().contains(text)) {
                return true;
            }
            assertThat(run.process().isAlive()).as("the process ended before printing '%s'; stdout:%n%s%nstderr:%n%s",
                    text, run.stdout(), run.stderr()).isTrue();
            return false;
        });
    }

    /** The file as UTF-8, malformed bytes replaced (a binary payload must not break a failure message). */
    static String text(Path file) {
        try {
            return Files.exists(file) ? new String(Files.readAllBytes(file), UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends every process still running, children first (a pipeline's tools outlive its shell otherwise). */
    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private static String[] prepend(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
