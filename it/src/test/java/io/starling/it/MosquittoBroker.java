package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Debian's Mosquitto broker ({@code /usr/sbin/mosquitto}) as a separate process on a free port on
 * 127.0.0.1: the reference broker our clients are checked against. Register it for a test class,
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MosquittoBroker mosquitto = new MosquittoBroker();
 * }</pre>
 *
 * or start and close it yourself: {@code try (MosquittoBroker m = new MosquittoBroker().start()) {...}}.
 * By default anonymous clients are allowed; {@link #withUser} turns on a password file and turns
 * anonymous access off, and {@link #withConfig} adds configuration lines (for TLS: {@code
 * certfile}, {@code keyfile}, {@code cafile}, {@code require_certificate}). Configure before
 * {@link #start()}.
 *
 * <p>Without Mosquitto installed, {@link #start()} skips the test with a message naming {@code
 * apt-get install mosquitto}; in CI ({@code CI=true}, where {@code .ci/run} installs it) it fails
 * instead. The broker writes its log ({@code log_type all}: every packet) to {@code mosquitto.log}
 * in its own temporary directory ({@link #log()}), which is shown when it does not start and
 * deleted on {@link #close()}.
 */
public final class MosquittoBroker implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    public static final String HOST = "127.0.0.1";
    public static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    public static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    private static final Duration START = Duration.ofSeconds(10);
    private static final Duration STOP = Duration.ofSeconds(5);

    private final Map<String, String> users = new LinkedHashMap<>();
    private final List<String> configLines = new ArrayList<>();
    private Path dir;
    private Process process;
    private int port;

    /** Anonymous clients allowed, no persistence, plain TCP. */
    public MosquittoBroker() {}

    /**
     * Adds a user to the broker's password file and refuses anonymous clients ({@code
     * allow_anonymous false}): a CONNECT without these credentials gets CONNACK 5, not authorised.
     */
    public MosquittoBroker withUser(String username, String password) {
        requireNotStarted();
        users.put(username, password);
        return this;
    }

    /**
     * Adds lines to {@code mosquitto.conf}, after the {@code listener} line so that listener
     * options apply to it: {@code "certfile /tmp/x/server.crt"}, {@code "max_inflight_messages 0"}.
     */
    public MosquittoBroker withConfig(String... lines) {
        requireNotStarted();
        configLines.addAll(List.of(lines));
        return this;
    }

    /** Starts Mosquitto and waits until it accepts TCP connections; returns this. */
    public MosquittoBroker start() throws IOException, InterruptedException {
        requireNotStarted();
        assumeTrue(Files.isExecutable(MOSQUITTO) || "true".equals(System.getenv("CI")),
                "skipped: apt-get install mosquitto to run the tests against the Mosquitto broker");
        assertThat(MOSQUITTO).as("the Mosquitto broker (apt-get install mosquitto)").isExecutable();
        dir = Files.createTempDirectory("starling-mosquitto");
        port = freePort();
        Path config = dir.resolve("mosquitto.conf");
        Files.writeString(config, configuration(), StandardCharsets.UTF_8);
        process = new ProcessBuilder(MOSQUITTO.toString(), "-c", config.toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.out").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            await("Mosquitto accepting connections on " + HOST + ":" + port).atMost(START)
                    .pollInterval(Duration.ofMillis(20))
                    .until(this::accepting);
        } catch (RuntimeException | AssertionError e) {
            String output = read(dir.resolve("mosquitto.out")) + read(log());
            close();
            throw new IllegalStateException("Mosquitto did not start; its output:\n" + output, e);
        }
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Stops Mosquitto (SIGTERM, then SIGKILL after 5 s), waits for it, and deletes its directory. */
    @Override
    public void close() {
        Process running = process;
        process = null;
        if (running != null) {
            running.destroy();
            try {
                if (!running.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                    running.destroyForcibly().waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                running.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (dir != null) {
            deleteRecursively(dir);
            dir = null;
        }
    }

    public String host() {
        return HOST;
    }

    /** The TCP port Mosquitto listens on. */
    public int port() {
        if (process == null) {
            throw new IllegalStateException("Mosquitto is not running");
        }
        return port;
    }

    /** The URI Paho connects to. */
    public String tcpUri() {
        return "tcp://" + HOST + ":" + port();
    }

    /** Mosquitto's log file (connections, disconnections, errors). */
    public Path log() {
        if (dir == null) {
            throw new IllegalStateException("Mosquitto was not started");
        }
        return dir.resolve("mosquitto.log");
    }

    /** The log as it stands (Mosquitto flushes each line), or an empty string. */
    public String readLog() {
        return dir != null ? read(log()) : "";
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String configuration() throws IOException, InterruptedException {
        StringBuilder conf = new StringBuilder();
        // run as root (a CI container), Mosquitto drops to user "mosquitto", which cannot read our
        // private temporary directory: naming the current user keeps it; as another user it is a no-op
        conf.append("user ").append(System.getProperty("user.name")).append('\n');
        conf.append("persistence false\n");
        // a file, not stdout: Mosquitto flushes its log file after each line, but buffers stdout
        conf.append("log_dest file ").append(log()).append('\n');
        conf.append("log_type all\n");
        conf.append("listener ").append(port).append(' ').append(HOST).append('\n');
        for (String line : configLines) {
            conf.append(line).append('\n');
        }
        if (users.isEmpty()) {
            conf.append("allow_anonymous true\n");
        } else {
            conf.append("allow_anonymous false\n");
            conf.append("password_file ").append(passwordFile()).append('\n');
        }
        return conf.toString();
    }

    /** Mosquitto 2 reads only hashed password files: write plain lines, then hash them in place. */
    private Path passwordFile() throws IOException, InterruptedException {
        Path file = dir.resolve("passwords");
        StringBuilder lines = new StringBuilder();
        users.forEach((user, password) -> lines.append(user).append(':').append(password).append('\n'));
        Files.writeString(file, lines, StandardCharsets.UTF_8);
        Process hash = new ProcessBuilder(MOSQUITTO_PASSWD.toString(), "-U", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto_passwd.log").toFile())
                .start();
        boolean done = hash.waitFor(START.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            hash.destroyForcibly().waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(done && hash.exitValue() == 0).as("mosquitto_passwd -U %s: %s", file,
                Files.readString(dir.resolve("mosquitto_passwd.log"), StandardCharsets.UTF_8)).isTrue();
        return file;
    }

    private boolean accepting() {
        assertThat(process.isAlive()).as("Mosquitto is running; its output:%n%s%s", read(dir.resolve("mosquitto.out")),
                readLog()).isTrue();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void requireNotStarted() {
        if (process != null) {
            throw new IllegalStateException("Mosquitto is already running");
        }
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // a leftover temporary file is not worth failing a test for
        }
    }
}
