package io.starling.bench.peers;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs HiveMQ CE on {@code 127.0.0.1:PORT} until the process is told to stop (SIGTERM, Ctrl-C),
 * then stops it and deletes its folders.
 *
 * <p>Usage: {@code java -cp 'bench-peers/target/classes:bench-peers/target/lib/*'
 * io.starling.bench.peers.HiveMqPeer PORT}. HiveMQ gets fresh configuration, data and extensions
 * folders under one temporary directory; its configuration is a single plain TCP listener on the
 * loopback address with in-memory persistence, otherwise HiveMQ's defaults. Prints one line,
 * {@code HiveMQ CE listening on 127.0.0.1:PORT}, once the listener is bound.
 */
public final class HiveMqPeer {

    private static final String BIND_ADDRESS = "127.0.0.1";
    /** A resource of this module; not "logback.xml", which HiveMQ's jar also has (at INFO). */
    private static final String LOGGING_CONFIG = "hivemq-peer-logback.xml";
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long STOP_TIMEOUT_SECONDS = 30;

    private HiveMqPeer() {}

    /**
     * Starts HiveMQ CE and blocks until the JVM shuts down.
     *
     * @param args one argument, the TCP port to listen on
     * @throws Exception if HiveMQ cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: HiveMqPeer PORT");
            System.exit(2);
        }
        int port = parsePort(args[0]);
        // Before any logger exists, so Logback starts with this configuration rather than HiveMQ's.
        System.setProperty("logback.configurationFile", LOGGING_CONFIG);
        Path home = Files.createTempDirectory("hivemq-peer-");
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path data = Files.createDirectories(home.resolve("data"));
        // An empty extensions folder, so that HiveMQ loads no extension from anywhere else.
        Path extensions = Files.createDirectories(home.resolve("extensions"));
        Files.writeString(conf.resolve("config.xml"), configXml(port), StandardCharsets.UTF_8);
        copyLoggingConfig(conf);

        EmbeddedHiveMQ hiveMq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(data)
                .withExtensionsFolder(extensions)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop(hiveMq);
            deleteRecursively(home);
            stopped.countDown();
        }, "hivemq-peer-shutdown"));

        try {
            hiveMq.start().get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            System.err.println("HiveMQ CE did not start: " + e);
            // System.exit runs the shutdown hook, which stops HiveMQ and deletes the folders.
            System.exit(1);
        }
        System.out.println("HiveMQ CE listening on " + BIND_ADDRESS + ":" + port);
        System.out.flush();
        // HiveMQ's threads serve clients; this one only waits for the shutdown hook.
        stopped.await();
    }

    /**
     * The whole broker configuration: one plain TCP listener on the loopback address, nothing kept
     * on disk, and usage statistics off so the broker never talks to anything but the bench (off is
     * HiveMQ's documented default; saying it costs nothing).
     */
    static String configXml(int port) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                        <listeners>
                                <tcp-listener>
                                        <port>%d</port>
                                        <bind-address>%s</bind-address>
                                </tcp-listener>
                        </listeners>
                        <persistence>
                                <mode>in-memory</mode>
                        </persistence>
                        <anonymous-usage-statistics>
                                <enabled>false</enabled>
                        </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, BIND_ADDRESS);
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println("HiveMqPeer: not a TCP port: " + text);
        System.exit(2);
        throw new AssertionError("unreachable");
    }

    /** HiveMQ's logging bootstrap replaces the logging configuration with conf/logback.xml if present. */
    private static void copyLoggingConfig(Path conf) throws IOException {
        try (InputStream in = HiveMqPeer.class.getResourceAsStream("/" + LOGGING_CONFIG)) {
            if (in == null) {
                throw new IOException(LOGGING_CONFIG + " is missing from the bench-peers classpath");
            }
            Files.copy(in, conf.resolve("logback.xml"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void stop(EmbeddedHiveMQ hiveMq) {
        try {
            hiveMq.stop().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            System.err.println("HiveMQ CE did not stop cleanly: " + e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            // Children before parents.
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
