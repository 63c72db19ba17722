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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a user gets it: {@code dist/target/starling-VERSION.tar.gz} (built by
 * {@code ./mvnw package}) unpacked with {@code tar} into a temporary directory, its tree and example
 * configuration checked, and the broker started from it with its own launcher, serving a real client.
 * Every process writes to a log file in the temporary directory and is killed after each test.
 */
class DistributionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern TARBALL = Pattern.compile("starling-(.+)\\.tar\\.gz");
    /** A commented-out setting in the example: "# key: value" or "# - list item", at any indentation. */
    private static final Pattern COMMENTED_SETTING = Pattern.compile("^(\\s*)# (\\s*(?:- |[a-z0-9_]+:).*)$");

    @TempDir
    static Path tmp;
    private static String version;
    /** The unpacked {@code starling-VERSION/} directory. */
    private static Path home;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void unpack() throws Exception {
        Path target = ProjectRoot.DIR.resolve("dist/target");
        List<Path> tarballs;
        try (Stream<Path> files = Files.list(target)) {
            tarballs = files.filter(file -> TARBALL.matcher(file.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            throw new AssertionError(target + " cannot be listed; build the tarball with ./mvnw -q -DskipTests package", e);
        }
        assertThat(tarballs).as("one tarball in %s; build it with ./mvnw -q -DskipTests package", target).hasSize(1);
        Matcher name = TARBALL.matcher(tarballs.get(0).getFileName().toString());
        assertThat(name.matches()).isTrue();
        version = name.group(1);
        Path into = Files.createDirectory(tmp.resolve("unpacked"));
        Run tar = run(into, tmp.resolve("tar.log"), "tar", "-xzf", tarballs.get(0).toString());
        assertThat(tar.status).as("tar -xzf; output:%n%s", tar.output).isZero();
        try (Stream<Path> top = Files.list(into)) {
            assertThat(top.toList()).as("the tarball holds one directory").containsExactly(into.resolve("starling-" + version));
        }
        home = into.resolve("starling-" + version);
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @DisplayName("the tarball unpacks to starling-VERSION/ with an executable bin/starling, lib/starling.jar, conf/starling.yaml, README.md, docs/ and LICENSE")
    void tree() {
        assertThat(home.resolve("bin/starling")).isRegularFile();
        assertThat(Files.isExecutable(home.resolve("bin/starling"))).as("bin/starling is executable").isTrue();
        assertThat(home.resolve("lib/starling.jar")).isRegularFile();
        assertThat(home.resolve("conf/starling.yaml")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(home.resolve("docs/configuration.md")).as("the docs the README links to").isRegularFile();
        assertThat(home.resolve("LICENSE")).hasSameTextualContentAs(ProjectRoot.DIR.resolve("LICENSE"));
        assertThat(home.resolve("LICENSE")).content().contains("Apache License, Version 2.0");
    }

    @Test
    @DisplayName("bin/starling --version prints the tarball's version and the commit it was built from (or unknown)")
    void version() throws Exception {
        Run run = run(tmp, log("version"), home.resolve("bin/starling").toString(), "--version");

        assertThat(run.status).as("exit status; output:%n%s", run.output).isZero();
        assertThat(outputLines(run.output)).singleElement().asString()
                .matches("starling " + Pattern.quote(version) + " \\(commit ([0-9a-f]{10}|unknown)\\)");
    }

    @Test
    @DisplayName("conf/starling.yaml passes starling broker --check-config")
    void exampleConfigurationIsValid() throws Exception {
        Run run = run(home, log("check"), "bin/starling", "broker", "-c", "conf/starling.yaml", "--check-config");

        assertThat(run.status).as("exit status; output:%n%s", run.output).isZero();
        assertThat(outputLines(run.output)).containsExactly("conf/starling.yaml is valid");
    }

    @Test
    @DisplayName("every setting conf/starling.yaml shows commented out is a real key with a valid value: all uncommented, it passes --check-config")
    void everyCommentedSettingIsValid() throws Exception {
        Path conf = Files.createDirectories(tmp.resolve("all-settings"));
        List<String> lines = new ArrayList<>();
        int uncommented = 0;
        for (String line : Files.readAllLines(home.resolve("conf/starling.yaml"), UTF_8)) {
            Matcher setting = COMMENTED_SETTING.matcher(line);
            if (setting.matches()) {
                line = setting.group(1) + setting.group(2);
                uncommented++;
            }
            lines.add(line);
        }
        // the files the settings name, relative to the configuration's directory
        Files.writeString(conf.resolve("passwd"), "", UTF_8);
        Files.writeString(conf.resolve("acl"), "", UTF_8);
        Files.writeString(conf.resolve("http-users"), "", UTF_8);
        Files.writeString(conf.resolve("http-tokens"), "# none yet\n", UTF_8);
        Path tls = Files.createDirectory(conf.resolve("tls"));
        TestCertificates certs = TestCertificates.create(tls);
        // server.crt and server.key are the names the example uses already
        assertThat(certs.serverCert()).isEqualTo(tls.resolve("server.crt"));
        assertThat(certs.serverKey()).isEqualTo(tls.resolve("server.key"));
        Files.copy(certs.ca(), tls.resolve("clients-ca.crt"));
        emptyRevocationList(tls, tls.resolve("clients.crl"));
        Path all = Files.write(conf.resolve("all.yaml"), lines, UTF_8);

        Run run = run(conf, log("check-all"), home.resolve("bin/starling").toString(), "broker", "-c", "all.yaml", "--check-config");

        assertThat(uncommented).as("settings uncommented: every top-level key, the listener and TLS keys").isGreaterThan(50);
        assertThat(run.status).as("exit status; output:%n%s%nconfiguration:%n%s", run.output, String.join("\n", lines)).isZero();
        assertThat(outputLines(run.output)).containsExactly(all.getFileName() + " is valid");
    }

    @Test
    @DisplayName("bin/starling broker runs from the unpacked tree with conf/starling.yaml: stores in ./data, routes a QoS 1 message, stops on SIGTERM with status 0")
    void brokerRunsFromTheTree() throws Exception {
        Path log = log("broker");
        // -p 0 replaces the example's listener (127.0.0.1:1883) with one on a free loopback port
        Process broker = start(home, log, "bin/starling", "broker", "-c", "conf/starling.yaml", "-p", "0");
        int port = BrokerProcess.awaitListening(broker, log, WAIT);
        assertThat(home.resolve("data")).as("the store, in the working directory's data/").isDirectory();

        String uri = "tcp://127.0.0.1:" + port;
        BlockingQueue<MqttMessage> received = new ArrayBlockingQueue<>(4);
        MqttClient subscriber = new MqttClient(uri, "dist-sub", new MemoryPersistence());
        MqttClient publisher = new MqttClient(uri, "dist-pub", new MemoryPersistence());
        try {
            MqttConnectOptions options = new MqttConnectOptions();
            options.setConnectionTimeout(10);
            subscriber.connect(options);
            subscriber.subscribe("dist/test", 1, (topic, message) -> received.add(message));
            publisher.connect(options);
            publisher.publish("dist/test", "from the tarball".getBytes(UTF_8), 1, false);

            MqttMessage message = received.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(message).as("the message, within %s; broker log:%n%s", WAIT, read(log)).isNotNull();
            assertThat(new String(message.getPayload(), UTF_8)).isEqualTo("from the tarball");
            assertThat(message.getQos()).isEqualTo(1);
            publisher.disconnect();
            subscriber.disconnect();
        } finally {
            publisher.close(true);
            subscriber.close(true);
        }

        broker.destroy(); // SIGTERM
        assertThat(broker.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).as("stopped within %s; log:%n%s", WAIT, read(log)).isTrue();
        assertThat(broker.exitValue()).as("exit status; log:%n%s", read(log)).isZero();
        assertThat(read(log)).contains("INFO  Broker: broker stopped").doesNotContain(" ERROR ");
    }

    // ---- helpers ----

    private static Path log(String name) {
        Path log = tmp.resolve(name + ".log");
        assertThat(log).as("a fresh log").doesNotExist();
        return log;
    }

    /** Starts {@code command} in {@code directory} with this JVM's Java, output and errors to {@code log}. */
    private Process start(Path directory, Path log, String... command) throws IOException {
        Process process = builder(directory, log, command).start();
        processes.add(process);
        return process;
    }

    private static ProcessBuilder builder(Path directory, Path log, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        return builder;
    }

    /** Runs {@code command} to its end (at most {@link #WAIT}; killed after that). */
    private static Run run(Path directory, Path log, String... command) throws IOException, InterruptedException {
        Process process = builder(directory, log, command).start();
        try {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("%s ended within %s; output:%n%s", String.join(" ", command), WAIT, read(log)).isTrue();
            return new Run(process.exitValue(), read(log));
        } finally {
            process.destroyForcibly();
        }
    }

    private record Run(int status, String output) {}


    /** An empty CRL signed by the test CA ({@code ca.key}, {@code ca.crt} in {@code dir}), made with {@code openssl ca}. */
    private static void emptyRevocationList(Path dir, Path crl) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("index.txt"), "", UTF_8);
        Files.writeString(dir.resolve("crlnumber"), "01\n", UTF_8);
        Files.writeString(dir.resolve("ca.cnf"), """
                [ca]
                default_ca = test
                [test]
                database = index.txt
                crlnumber = crlnumber
                default_md = sha256
                default_crl_days = 2
                """, UTF_8);
        Run openssl = run(dir, log("crl"), "openssl", "ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ca.key",
                "-cert", "ca.crt", "-out", crl.toString());
        assertThat(openssl.status).as("openssl ca -gencrl; output:%n%s", openssl.output).isZero();
    }

    /** The output's lines, without the JVM's "Picked up JAVA_TOOL_OPTIONS: ..." notices a CI may cause. */
    private static List<String> outputLines(String output) {
        return output.lines().filter(line -> !line.startsWith("Picked up ")).toList();
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
