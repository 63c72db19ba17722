package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.BrokerInternals;
import io.starling.broker.internal.session.Session;
import io.starling.client.MqttClient;
import io.starling.client.MqttMessage;
import io.starling.client.ReconnectPolicy;
import io.starling.codec.packet.QoS;
import io.starling.it.CliProcesses.Run;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code bin/starling pub} and {@code bin/starling sub} as the separate processes a user runs,
 * against the embedded Starling broker and Debian's Mosquitto, and side by side with {@code
 * mosquitto_pub} and {@code mosquitto_sub}: messages, retain flags, QoS, exit statuses and
 * signals. Each process writes standard output and standard error to files of its own. Without
 * Mosquitto (or its clients) installed, the cases that need it are skipped and say so; in CI
 * ({@code CI=true}) they fail instead.
 */
class PubSubCliTest {
    private static final Duration WAIT = CliProcesses.WAIT;
    private static final Path LAUNCHER = CliProcesses.LAUNCHER;
    private static final Path MOSQUITTO_PUB = CliProcesses.MOSQUITTO_PUB;
    private static final Path MOSQUITTO_SUB = CliProcesses.MOSQUITTO_SUB;

    @RegisterExtension
    static final EmbeddedBroker starling = new EmbeddedBroker();

    /** Null when Mosquitto is not installed (outside CI): its cases are skipped. */
    private static MosquittoBroker mosquitto;

    @TempDir
    Path tmp;

    private CliProcesses processes;
    private final List<MqttClient> clients = new ArrayList<>();

    enum Target { STARLING, MOSQUITTO }

    @BeforeAll
    static void setUp() throws Exception {
        CliProcesses.requireLauncher();
        mosquitto = CliProcesses.mosquittoIfInstalled();
    }

    @AfterAll
    static void tearDown() {
        if (mosquitto != null) {
            mosquitto.close();
        }
    }

    @BeforeEach
    void processes() {
        processes = new CliProcesses(tmp);
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        clients.forEach(MqttClient::close);
        processes.close();
    }

    // ---- the tests

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    @DisplayName("starling pub (-m -r, -q 2, -l) to starling sub -v -d -C 4: payloads, retain flags and QoS arrive; sub exits 0")
    void pubToSub(Target target) throws Exception {
        String port = port(target);
        String t = "cli/" + target.name().toLowerCase(Locale.ROOT);
        String id = "cli-sub-" + target.name().toLowerCase(Locale.ROOT);
        assertThat(starling("pub", "-p", port, "-t", t + "/kept", "-m", "kept", "-r", "-q", "1").exitCode()).isZero();

        Run sub = starling("sub", "-p", port, "-t", t + "/#", "-q", "2", "-v", "-d", "-C", "4", "-i", id, "-W", "30");
        awaitOutput(sub, t + "/kept kept\n"); // the retained message: sub is subscribed
        Run two = starling("pub", "-p", port, "-t", t + "/two", "-m", "two", "-q", "2");
        assertThat(two.exitCode()).isZero();
        Run lines = start(Files.writeString(tmp.resolve("lines.txt"), "l1\nl2\n"),
                LAUNCHER.toString(), "pub", "-p", port, "-t", t + "/lines", "-l", "-q", "1");
        assertThat(lines.exitCode()).isZero();

        assertThat(sub.exitCode()).as("sub's status; stderr %s", sub.stderr()).isZero();
        assertThat(sub.stderr()).isEmpty();
        List<String> out = sub.stdout().lines().toList();
        // the packet ids (mN) are each broker's to choose
        assertThat(out.stream().filter(line -> line.contains(" received PUBLISH ")).map(line -> line.replaceFirst(", m[0-9]+, ", ", m?, ")))
                .containsExactly(
                        "Client " + id + " received PUBLISH (d0, q1, r1, m?, '" + t + "/kept', ... (4 bytes))",
                        "Client " + id + " received PUBLISH (d0, q2, r0, m?, '" + t + "/two', ... (3 bytes))",
                        "Client " + id + " received PUBLISH (d0, q1, r0, m?, '" + t + "/lines', ... (2 bytes))",
                        "Client " + id + " received PUBLISH (d0, q1, r0, m?, '" + t + "/lines', ... (2 bytes))");
        assertThat(out.stream().filter(line -> line.matches("Client " + id + " (sending PUB(ACK|REC|COMP)|received PUBREL) .*"))
                .map(line -> line.substring(("Client " + id + " ").length()).replaceAll("\\((Mid: |m)[0-9]+", "(#")))
                .as("the acknowledgements: PUBACK for QoS 1, PUBREC-PUBREL-PUBCOMP for QoS 2")
                .containsExactlyInAnyOrder("sending PUBACK (#, rc0)", "sending PUBREC (#, rc0)", "received PUBREL (#)",
                        "sending PUBCOMP (#)", "sending PUBACK (#, rc0)", "sending PUBACK (#, rc0)");
        assertThat(out.stream().filter(line -> !line.startsWith("Client ") && !line.startsWith("Subscribed ")).toList())
                .containsExactly(t + "/kept kept", t + "/two two", t + "/lines l1", t + "/lines l2");
        assertThat(out).startsWith("Client " + id + " sending CONNECT", "Client " + id + " received CONNACK (0)")
                .contains("Subscribed (mid: 1): 2").endsWith("Client " + id + " sending DISCONNECT");

        assertThat(starling("pub", "-p", port, "-t", t + "/kept", "-n", "-r").exitCode()).isZero();
    }

    @Test
    @DisplayName("exit statuses of the process: -W expiry 27, -V mqttv6 1, nothing listening 1, each with mosquitto's message")
    void exitStatuses() throws Exception {
        String port = String.valueOf(starling.port());
        Run timedOut = starling("sub", "-p", port, "-t", "status/none", "-W", "1");
        Run badVersion = starling("pub", "-p", port, "-t", "status/a", "-m", "x", "-V", "mqttv6");
        Run nobody = starling("pub", "-p", freePort(), "-t", "status/a", "-m", "x");

        assertThat(timedOut.exitCode()).isEqualTo(27);
        assertThat(timedOut.stderr()).containsExactly("Timed out");
        assertThat(badVersion.exitCode()).isEqualTo(1);
        assertThat(badVersion.stderr()).containsExactly(
                "Error: Invalid protocol version argument given.", "Use 'starling pub --help' to see usage.");
        assertThat(nobody.exitCode()).isEqualTo(1);
        assertThat(nobody.stderr()).containsExactly("Error: Connection refused");
    }

    @Test
    @DisplayName("Mosquitto with a password file: a wrong password exits 5 (pub: two lines, sub: one), the right one 0")
    void refusedByMosquitto() throws Exception {
        requireMosquitto();
        try (MosquittoBroker guarded = new MosquittoBroker().withUser("alice", "secret").start()) {
            String port = String.valueOf(guarded.port());
            Run pubWrong = starling("pub", "-p", port, "-t", "a", "-m", "x", "-u", "alice", "-P", "wrong");
            Run subWrong = starling("sub", "-p", port, "-t", "a", "-u", "alice", "-P", "wrong", "-W", "20");
            Run pubRight = starling("pub", "-p", port, "-t", "a", "-m", "x", "-u", "alice", "-P", "secret", "-q", "1");

            assertThat(pubWrong.exitCode()).isEqualTo(5);
            assertThat(pubWrong.stderr()).containsExactly(
                    "Connection error: Connection Refused: not authorised.", "Error: The connection was refused.");
            assertThat(subWrong.exitCode()).isEqualTo(5);
            assertThat(subWrong.stderr()).containsExactly("Connection error: Connection Refused: not authorised.");
            assertThat(pubRight.exitCode()).as("stderr %s", pubRight.stderr()).isZero();
        }
    }

    @Test
    @DisplayName("Mosquitto: mosquitto_sub receives exactly what starling pub -f (binary, QoS 2) and -l (QoS 1) send")
    void mosquittoSubReceivesStarlingPub() throws Exception {
        requireMosquittoClients();
        String port = String.valueOf(mosquitto.port());
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        Path file = Files.write(tmp.resolve("binary.dat"), binary);
        Run sub = start(null, MOSQUITTO_SUB.toString(), "-p", port, "-t", "cross/m/#", "-v", "-q", "2", "-C", "3",
                "-i", "cross-msub", "-W", "30");
        await().atMost(WAIT).until(() -> mosquitto.readLog().contains("Sending SUBACK to cross-msub"));

        assertThat(starling("pub", "-p", port, "-t", "cross/m/bin", "-f", file.toString(), "-q", "2").exitCode()).isZero();
        Run lines = start(Files.writeString(tmp.resolve("lines.txt"), "a\nb\n"),
                LAUNCHER.toString(), "pub", "-p", port, "-t", "cross/m/l", "-l", "-q", "1");
        assertThat(lines.exitCode()).isZero();

        assertThat(sub.exitCode()).isZero();
        assertThat(sub.stdoutBytes()).isEqualTo(concat("cross/m/bin ".getBytes(UTF_8), binary, "\ncross/m/l a\ncross/m/l b\n".getBytes(UTF_8)));
    }

    @Test
    @DisplayName("Starling: starling sub -v -C 3 receives a retained mosquitto_pub message, a binary file and a QoS 2 text")
    void starlingSubReceivesMosquittoPub() throws Exception {
        requireMosquittoClients();
        String port = String.valueOf(starling.port());
        byte[] binary = {0, 1, 2, (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '\r', 'x'};   // not UTF-8, on purpose
        Path file = Files.write(tmp.resolve("binary.dat"), binary);
        assertThat(mosquittoPub("-p", port, "-t", "cross/s/kept", "-m", "kept", "-r", "-q", "1")).isZero();

        Run sub = starling("sub", "-p", port, "-t", "cross/s/#", "-v", "-q", "2", "-C", "3", "-i", "cross-ssub", "-W", "30");
        await().atMost(WAIT).until(() -> routesTo("cross/s/bin", "cross-ssub") || !sub.process().isAlive());
        assertThat(mosquittoPub("-p", port, "-t", "cross/s/bin", "-f", file.toString(), "-q", "1")).isZero();
        assertThat(mosquittoPub("-p", port, "-t", "cross/s/text", "-m", "héllo wörld", "-q", "2")).isZero();

        assertThat(sub.exitCode()).as("stderr %s", sub.stderr()).isZero();
        assertThat(sub.stdoutBytes()).isEqualTo(concat("cross/s/kept kept\ncross/s/bin ".getBytes(UTF_8), binary,
                "\ncross/s/text héllo wörld\n".getBytes(UTF_8)));
        assertThat(mosquittoPub("-p", port, "-t", "cross/s/kept", "-n", "-r")).isZero();
    }

    @Test
    @DisplayName("TLS to Mosquitto requiring client certificates: --cafile with --cert/--key works both ways;"
            + " without --cert, or trusting another CA, status 1")
    void tlsWithMosquitto() throws Exception {
        requireMosquitto();
        TestCertificates certs = TestCertificates.create(Files.createDirectories(tmp.resolve("certs")));
        try (MosquittoBroker tls = new MosquittoBroker().withConfig("cafile " + certs.ca(), "certfile " + certs.serverCert(),
                "keyfile " + certs.serverKey(), "require_certificate true").start()) {
            String port = String.valueOf(tls.port());
            String[] identity = {"-h", "127.0.0.1", "-p", port, "--cafile", certs.ca().toString(),
                    "--cert", certs.clientCert().toString(), "--key", certs.clientKey().toString()};
            Run sub = starling(args("sub", identity, "-t", "tls/#", "-C", "1", "-i", "tls-sub", "-W", "30"));
            await().atMost(WAIT).until(() -> tls.readLog().contains("Sending SUBACK to tls-sub") || !sub.process().isAlive());
            Run pub = starling(args("pub", identity, "-t", "tls/a", "-m", "over tls", "-q", "1"));
            Run anonymous = starling("pub", "-h", "127.0.0.1", "-p", port, "--cafile", certs.ca().toString(), "-t", "tls/a", "-m", "x");
            Run untrusted = starling(args("pub", identity, "--cafile", certs.otherCa().toString(), "-t", "tls/a", "-m", "x"));

            assertThat(pub.exitCode()).as("stderr %s", pub.stderr()).isZero();
            assertThat(sub.exitCode()).as("stderr %s", sub.stderr()).isZero();
            assertThat(sub.stdout()).isEqualTo("over tls\n");
            assertThat(anonymous.exitCode()).isEqualTo(1);
            assertThat(anonymous.stderr()).hasSize(1).allMatch(line -> line.startsWith("Error: "));
            assertThat(untrusted.exitCode()).isEqualTo(1);
            assertThat(untrusted.stderr()).hasSize(1).allMatch(line -> line.startsWith("Unable to connect (A TLS error occurred.): "));
        }
    }

    @Test
    @DisplayName("SIGINT and SIGTERM: sub disconnects cleanly and exits 0 (no will); SIGKILL leaves the will to be published")
    void signals() throws Exception {
        String port = String.valueOf(starling.port());
        List<MqttMessage> wills = new CopyOnWriteArrayList<>();
        MqttClient watcher = MqttClient.builder().host(EmbeddedBroker.HOST).port(starling.port()).clientId("will-watcher")
                .reconnect(ReconnectPolicy.DISABLED).build();
        clients.add(watcher);
        watcher.blocking().connect();
        watcher.blocking().subscribe("signal/will", QoS.AT_LEAST_ONCE, wills::add);

        Run interrupted = starling("sub", "-p", port, "-t", "signal/x", "-i", "sig-int",
                "--will-topic", "signal/will", "--will-payload", "int", "--will-qos", "1");
        Run terminated = starling("sub", "-p", port, "-t", "signal/x", "-i", "sig-term",
                "--will-topic", "signal/will", "--will-payload", "term", "--will-qos", "1");
        Run killed = starling("sub", "-p", port, "-t", "signal/x", "-i", "sig-kill",
                "--will-topic", "signal/will", "--will-payload", "kill", "--will-qos", "1");
        for (String id : List.of("sig-int", "sig-term", "sig-kill")) {
            await().atMost(WAIT).until(() -> routesTo("signal/x", id));
        }

        // a JVM started with SIGINT ignored (as this one's children are when it is a background job of
        // a non-interactive shell) cannot catch it; SIGKILL then ends that sub, which publishes its will
        boolean sigintDeliverable = !sigintIgnored();
        if (sigintDeliverable) {
            Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(interrupted.process().pid())).start();
            assertThat(kill.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS) && kill.exitValue() == 0).as("kill -INT").isTrue();
            assertThat(interrupted.exitCode()).isZero();
            assertThat(interrupted.stderr()).isEmpty();
            starling.awaitSessionGone("sig-int");
        }
        terminated.process().destroy();                                      // SIGTERM
        assertThat(terminated.exitCode()).isZero();
        assertThat(terminated.stderr()).isEmpty();
        starling.awaitSessionGone("sig-term");

        killed.process().destroyForcibly();                                  // SIGKILL: no DISCONNECT
        await().atMost(WAIT).until(() -> !wills.isEmpty());
        // a will of the first two, had it been published, would have arrived before this one
        assertThat(wills).extracting(MqttMessage::payloadAsString).containsExactly("kill");
        assumeTrue(sigintDeliverable, "SIGINT not checked: this JVM, and so its children, ignore it (SigIgn in /proc/self/status)");
    }

    // ---- helpers

    private static String port(Target target) {
        if (target == Target.MOSQUITTO) {
            requireMosquitto();
            return String.valueOf(mosquitto.port());
        }
        return String.valueOf(starling.port());
    }

    private static void requireMosquitto() {
        assumeTrue(mosquitto != null, "skipped: apt-get install mosquitto to run the cases against Mosquitto");
    }

    private static void requireMosquittoClients() {
        requireMosquitto();
        boolean installed = Files.isExecutable(MOSQUITTO_PUB) && Files.isExecutable(MOSQUITTO_SUB);
        assumeTrue(installed || "true".equals(System.getenv("CI")), "skipped: apt-get install mosquitto-clients");
    }

    /** Whether the embedded broker routes {@code topic} to the session of {@code clientId}. */
    private static boolean routesTo(String topic, String clientId) {
        AtomicBoolean found = new AtomicBoolean();
        BrokerInternals.router(starling.broker()).subscriptions().match(topic, (subscriber, qos) -> {
            if (subscriber instanceof Session session && session.clientId().equals(clientId)) {
                found.set(true);
            }
        });
        return found.get();
    }

    private Run starling(String... args) throws IOException {
        return processes.starling(args);
    }

    private int mosquittoPub(String... args) throws IOException, InterruptedException {
        Run run = processes.mosquitto(MOSQUITTO_PUB, args);
        int status = run.exitCode();
        assertThat(run.stderr()).as("mosquitto_pub's standard error").isEmpty();
        return status;
    }

    private Run start(Path stdin, String... command) throws IOException {
        return processes.start(stdin, command);
    }

    private static void awaitOutput(Run run, String text) {
        CliProcesses.awaitOutput(run, text);
    }

    /** Whether this process ignores SIGINT, which the processes it starts then ignore too. */
    private static boolean sigintIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
                return (mask & (1L << (2 - 1))) != 0;                        // SIGINT is signal 2
            }
        }
        return false;
    }

    private static String freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(EmbeddedBroker.HOST))) {
            return String.valueOf(socket.getLocalPort());
        }
    }

    /** {@code command}, then {@code options}, then {@code more}. */
    private static String[] args(String command, String[] options, String... more) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(List.of(options));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
