package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher, {@code bin/starling broker}, started as a separate process the way a user
 * starts it: what it listens on, how it stops on SIGTERM, what it logs, and how it refuses a bad
 * or unsafe configuration. Each process writes its standard output and error to one file in a
 * temporary directory; the tests wait on that file, never on a pipe that could fill up.
 */
class BrokerProcessTest {
    private static final String HOST = "127.0.0.1";
    /** Generous: a JVM starting under a loaded CI machine. */
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(5);
    private static final Path ROOT = ProjectRoot.DIR;
    private static final Path LAUNCHER = ProjectRoot.LAUNCHER;

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeAll
    static void theJarIsBuilt() {
        assertThat(ROOT.resolve("cli/target/starling.jar"))
                .as("the launcher's jar; build it with ./mvnw -B -q -DskipTests install")
                .isRegularFile();
        assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER + " is executable").isTrue();
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // already broken; the processes below must be stopped regardless
            }
        }
        for (Process process : processes) {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP.toSeconds(), TimeUnit.SECONDS);
                }
            }
        }
    }

    // ---- the tests ----

    @Test
    @DisplayName("[MQTT-3.2.2-1] `starling broker -p PORT` listens on 127.0.0.1:PORT and answers CONNECT with CONNACK 20 02 00 00")
    void listensOnLoopbackPortAndAcceptsConnect() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-p", String.valueOf(port));
        awaitListening(broker, log, port);

        Socket client = connect(port);
        send(client, connect311("proc-listen"));
        assertThat(readExactly(client, 4)).containsExactly(
                0x20, 0x02,     // CONNACK, remaining length 2
                0x00,           // session present 0: clean session [MQTT-3.2.2-1]
                0x00);          // return code 0: accepted
        awaitLog(broker, log, "client proc-listen connected from /127.0.0.1:");
        // without -v there are no packet traces
        assertThat(read(log)).doesNotContain(" DEBUG ").doesNotContain(" <- ").doesNotContain(" -> ");
    }

    @Test
    @DisplayName("SIGTERM makes the broker close its connections and exit 0 within 5 s; connects and disconnects are logged at INFO")
    void sigtermStopsCleanlyAndConnectionsAreLogged() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-p", String.valueOf(port));
        awaitListening(broker, log, port);

        // one client comes and goes with DISCONNECT
        Socket leaving = connect(port);
        send(leaving, connect311("proc-leaving"));
        assertThat(readExactly(leaving, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
        send(leaving, new byte[] {
                (byte) 0xE0, 0x00 });   // DISCONNECT, remaining length 0
        assertThat(readEndOfStream(leaving)).as("the broker closes the connection after DISCONNECT").isTrue();
        awaitLog(broker, log, "client proc-leaving disconnected: client sent DISCONNECT");

        // another is still connected when SIGTERM arrives
        Socket staying = connect(port);
        send(staying, connect311("proc-staying"));
        assertThat(readExactly(staying, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
        awaitLog(broker, log, "client proc-staying connected from");

        broker.destroy(); // SIGTERM on Linux
        assertThat(broker.waitFor(STOP.toSeconds(), TimeUnit.SECONDS))
                .as("exited within %s of SIGTERM; log:%n%s", STOP, read(log)).isTrue();
        assertThat(broker.exitValue()).as("exit status; log:%n%s", read(log)).isZero();
        assertThat(readEndOfStream(staying)).as("the connected client's connection is closed").isTrue();

        String text = read(log);
        String time = "^\\S+ INFO  ";
        assertThat(text).containsPattern(Pattern.compile(time + "Connection: client proc-leaving connected from /127\\.0\\.0\\.1:\\d+"
                + " \\(V3_1_1, clean session, keep alive 60 s\\)$", Pattern.MULTILINE));
        assertThat(text).containsPattern(Pattern.compile(time + "Connection: client proc-leaving disconnected: client sent DISCONNECT$",
                Pattern.MULTILINE));
        assertThat(text).containsPattern(Pattern.compile(time + "Connection: client proc-staying connected from /127\\.0\\.0\\.1:\\d+ \\(",
                Pattern.MULTILINE));
        assertThat(text).containsPattern(Pattern.compile(time + "Connection: client proc-staying disconnected: .+$", Pattern.MULTILINE));
        assertThat(text).containsPattern(Pattern.compile(time + "BrokerCommand: SIGTERM received, shutting down$", Pattern.MULTILINE));
        assertThat(text).containsPattern(Pattern.compile(time + "Broker: broker stopped$", Pattern.MULTILINE));
        assertThat(countLines(text, "client proc-leaving connected from")).isEqualTo(1);
        assertThat(countLines(text, "client proc-leaving disconnected:")).isEqualTo(1);
        assertThat(text).doesNotContain(" ERROR ").doesNotContain(" WARN ");
    }

    @Test
    @DisplayName("on SIGTERM, a client still connected is logged as disconnected by the shutdown, not as having closed its connection")
    void sigtermDisconnectIsLoggedWithTheShutdownAsReason() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-p", String.valueOf(port));
        awaitListening(broker, log, port);
        Socket staying = connect(port);
        send(staying, connect311("proc-at-shutdown"));
        assertThat(readExactly(staying, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
        awaitLog(broker, log, "client proc-at-shutdown connected from");

        broker.destroy(); // SIGTERM on Linux
        assertThat(broker.waitFor(STOP.toSeconds(), TimeUnit.SECONDS)).as("exited within %s; log:%n%s", STOP, read(log)).isTrue();
        assertThat(readEndOfStream(staying)).isTrue();
        List<String> disconnects = read(log).lines().filter(line -> line.contains("client proc-at-shutdown disconnected: ")).toList();
        // the client sent nothing and did not close: the broker did, because it was stopping
        assertThat(disconnects).hasSize(1);
        assertThat(disconnects.get(0)).contains("disconnected: broker shutting down").doesNotContain("closed by the client");
    }

    @Test
    @DisplayName("bin/starling works when started from another working directory")
    void launcherWorksFromAnotherDirectory() throws Exception {
        int port = freePort();
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path log = tmp.resolve("broker.log");
        Process broker = start(elsewhere, log, LAUNCHER.toString(), "broker", "-p", String.valueOf(port));
        awaitListening(broker, log, port);

        Socket client = connect(port);
        send(client, connect311("proc-elsewhere"));
        assertThat(readExactly(client, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
    }

    @Test
    @DisplayName("bin/starling works through a symbolic link, from the link's directory")
    void launcherWorksThroughASymlink() throws Exception {
        int port = freePort();
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(elsewhere.resolve("starling"), LAUNCHER);
        Path log = tmp.resolve("broker.log");
        Process broker = start(elsewhere, log, "./starling", "broker", "-p", String.valueOf(port));
        try {
            awaitListening(broker, log, port);
        } finally {
            Files.delete(link); // the launcher has exec'd java by now; @TempDir would warn about a link leading outside
        }

        Socket client = connect(port);
        send(client, connect311("proc-symlink"));
        assertThat(readExactly(client, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
    }

    @Test
    @DisplayName("-c with an unknown key fails at start with status 1, naming file, line and key")
    void configurationWithUnknownKeyIsRefused() throws Exception {
        Files.writeString(tmp.resolve("starling.yaml"), """
                # line 1: a comment
                max_packet_sise: 1024
                """, StandardCharsets.UTF_8);
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-c", "starling.yaml");

        assertExitsWith(broker, log, 1);
        assertThat(outputLines(log)).containsExactly("starling broker: starling.yaml:2: max_packet_sise:"
                + " unknown key 'max_packet_sise'; did you mean 'max_packet_size'?");
    }

    @Test
    @DisplayName("a data_dir that holds other files fails at start with status 1, naming the directory, and is left as it was")
    void foreignDataDirectoryIsRefused() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("data"));
        Path mine = Files.writeString(data.resolve("photo.jpg"), "not a store", StandardCharsets.UTF_8);
        Files.writeString(tmp.resolve("starling.yaml"), "data_dir: data\n", StandardCharsets.UTF_8);
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-c", "starling.yaml");

        assertExitsWith(broker, log, 1);
        assertThat(outputLines(log)).containsExactly("starling broker: the store directory " + data.toRealPath()
                + " holds files but no store (no CURRENT file); refusing to create a store over them:"
                + " choose an empty or new directory");
        try (var files = Files.list(data)) {
            assertThat(files.toList()).containsExactly(mine);
        }
    }

    @Test
    @DisplayName("-b 0.0.0.0 without password_file or allow_anonymous fails at start with status 1, saying why")
    void anonymousListenerOffLoopbackIsRefused() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-b", "0.0.0.0", "-p", String.valueOf(port));

        assertExitsWith(broker, log, 1);
        assertThat(outputLines(log)).containsExactly("starling broker: listener 0.0.0.0:" + port + " is not on loopback:"
                + " configure password_file or required client certificates, or set allow_anonymous: true to let anyone connect");
    }

    @Test
    @DisplayName("a configuration file with a listener off loopback and no password_file is refused at its bind key")
    void configurationWithAnonymousListenerOffLoopbackIsRefused() throws Exception {
        int port = freePort();
        Files.writeString(tmp.resolve("starling.yaml"), """
                listeners:
                  - bind: 0.0.0.0
                    port: %d
                """.formatted(port), StandardCharsets.UTF_8);
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-c", "starling.yaml");

        assertExitsWith(broker, log, 1);
        assertThat(outputLines(log)).containsExactly("starling broker: starling.yaml:2: listeners[0].bind: listener 0.0.0.0:"
                + port + " is not on loopback: configure password_file or required client certificates, or set allow_anonymous: true to let anyone connect");
    }

    @Test
    @DisplayName("-v logs packet traces at DEBUG: the CONNECT received (<-) and the CONNACK sent (->)")
    void verboseLogsPacketTraces() throws Exception {
        int port = freePort();
        Path log = tmp.resolve("broker.log");
        Process broker = start(tmp, log, LAUNCHER.toString(), "broker", "-v", "-p", String.valueOf(port));
        awaitListening(broker, log, port);

        Socket client = connect(port);
        send(client, connect311("proc-verbose"));
        assertThat(readExactly(client, 4)).containsExactly(0x20, 0x02, 0x00, 0x00);
        // before the CONNECT is accepted the connection is named by its address
        awaitLog(broker, log, "DEBUG Connection: /127.0.0.1:");
        Pattern received = Pattern.compile("^\\S+ DEBUG Connection: /127\\.0\\.0\\.1:\\d+ <- Connect\\[version=V3_1_1,"
                + " clientId=proc-verbose, cleanStart=true, keepAlive=60, .*$", Pattern.MULTILINE);
        Pattern sent = Pattern.compile("^\\S+ DEBUG Connection: proc-verbose -> ConnAck\\[sessionPresent=false,"
                + " reasonCode=SUCCESS.*$", Pattern.MULTILINE);
        await().atMost(START).until(() -> sent.matcher(read(log)).find());
        assertThat(read(log)).containsPattern(received).containsPattern(sent);
    }

    // ---- helpers ----

    /** Starts {@code command} in {@code directory}, standard output and error both to {@code log}. */
    private Process start(Path directory, Path log, String... command) throws IOException {
        Process process = new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        processes.add(process);
        return process;
    }

    private static void awaitListening(Process process, Path log, int port) {
        awaitLog(process, log, "INFO  MqttServer: listening on /127.0.0.1:" + port);
    }

    /** Waits until {@code log} contains {@code text}; fails at once, with the log, if the process ends first. */
    private static void awaitLog(Process process, Path log, String text) {
        await().atMost(START).pollInterval(Duration.ofMillis(50)).until(() -> {
            String content = read(log);
            if (content.contains(text)) {
                return true;
            }
            assertThat(process.isAlive()).as("the process ended (status %s) before logging '%s'; log:%n%s",
                    process.isAlive() ? "-" : process.exitValue(), text, content).isTrue();
            return false;
        });
    }

    private static void assertExitsWith(Process process, Path log, int status) throws InterruptedException {
        assertThat(process.waitFor(START.toSeconds(), TimeUnit.SECONDS))
                .as("the process ended within %s; log:%n%s", START, read(log)).isTrue();
        assertThat(process.exitValue()).as("exit status; log:%n%s", read(log)).isEqualTo(status);
        assertThat(read(log)).doesNotContain("listening on");
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process's output lines, without the JVM's "Picked up JAVA_TOOL_OPTIONS: ..." notices a CI may cause. */
    private static List<String> outputLines(Path log) {
        return read(log).lines().filter(line -> !line.startsWith("Picked up ")).toList();
    }

    private static long countLines(String text, String fragment) {
        return text.lines().filter(line -> line.contains(fragment)).count();
    }

    /** A port that was free a moment ago on 127.0.0.1. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress(HOST, port), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void send(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Exactly {@code n} bytes as unsigned ints, or fails after the socket's 5 s timeout. */
    private static int[] readExactly(Socket socket, int n) throws IOException {
        InputStream in = socket.getInputStream();
        int[] bytes = new int[n];
        for (int i = 0; i < n; i++) {
            int b = in.read();
            assertThat(b).as("byte %d of %d: the connection ended early", i, n).isNotNegative();
            bytes[i] = b;
        }
        return bytes;
    }

    /** Whether the peer closes the connection (read returns -1) within the socket's 5 s timeout, with no more bytes. */
    private static boolean readEndOfStream(Socket socket) throws IOException {
        try {
            int b = socket.getInputStream().read();
            assertThat(b).as("no further bytes before the close").isEqualTo(-1);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** An MQTT 3.1.1 CONNECT, clean session, keep alive 60 s, with a client id of ASCII characters. */
    private static byte[] connect311(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.US_ASCII);
        byte[] header = {
                0x10, (byte) (10 + 2 + id.length),  // CONNECT, remaining length (one byte: ids under 116 chars)
                0x00, 0x04, 'M', 'Q', 'T', 'T',      // protocol name "MQTT"
                0x04,                                // protocol level 4: 3.1.1
                0x02,                                // connect flags: clean session
                0x00, 0x3C,                          // keep alive 60 s
                0x00, (byte) id.length };            // client identifier length
        byte[] packet = new byte[header.length + id.length];
        System.arraycopy(header, 0, packet, 0, header.length);
        System.arraycopy(id, 0, packet, header.length, id.length);
        return packet;
    }
}
