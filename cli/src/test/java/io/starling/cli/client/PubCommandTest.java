package io.starling.cli.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.client.MqttMessage;
import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code starling pub} in this JVM against an embedded Starling broker: what each flag sends. */
class PubCommandTest {
    private static Broker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() throws IOException {
        // default limits: pub -l keeps up to 1,000 QoS 1 messages in flight, faster than the QoS 2
        // observer drains them, and the broker holds it back rather than drop any
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String port() {
        return String.valueOf(broker.port());
    }

    @ParameterizedTest(name = "-q {0}")
    @ValueSource(ints = {0, 1, 2})
    @DisplayName("-m publishes the text once, at the QoS of -q, not retained")
    void messageAtEachQos(int qos) {
        try (Observer observer = Observer.subscribe(broker, "obs-qos-" + qos, "qos/" + qos + "/#")) {
            CommandRun.pub("-p", port(), "-t", "qos/" + qos + "/t", "-m", "héllo", "-q", String.valueOf(qos)).succeeded();
            // at QoS 0, pub is done once the bytes are written, which may be before the broker has
            // routed them: wait for the message, then let the marker show nothing else came
            await().atMost(CommandRun.WAIT).until(() -> !observer.received().isEmpty());

            List<MqttMessage> messages = observer.messagesBefore("qos/" + qos + "/end");
            assertThat(messages).hasSize(1);
            MqttMessage message = messages.get(0);
            assertThat(message.topic()).isEqualTo("qos/" + qos + "/t");
            assertThat(message.payload()).isEqualTo("héllo".getBytes(UTF_8));
            assertThat(message.qos()).isEqualTo(QoS.of(qos));
            assertThat(message.retain()).isFalse();
        }
    }

    @Test
    @DisplayName("-r retains the message: a later subscriber gets it with the retain flag; -n -r clears it")
    void retainAndClear() {
        CommandRun.pub("-p", port(), "-t", "retain/a", "-m", "kept", "-r", "-q", "1").succeeded();
        try (Observer late = Observer.subscribe(broker, "obs-retain-1", "retain/#")) {
            List<MqttMessage> messages = late.messagesBefore("retain/end");
            assertThat(messages).extracting(MqttMessage::topic, MqttMessage::payloadAsString, MqttMessage::retain)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("retain/a", "kept", true));
        }

        // QoS 1: pub returns once the broker has taken the clearing message, not just once it was written
        CommandRun.pub("-p", port(), "-t", "retain/a", "-n", "-r", "-q", "1").succeeded();
        try (Observer later = Observer.subscribe(broker, "obs-retain-2", "retain/#")) {
            assertThat(later.messagesBefore("retain/end")).isEmpty();
        }
    }

    @Test
    @DisplayName("-f publishes the file's bytes unchanged (binary, NUL and CR included); an empty file is an empty message")
    void fileContents() throws IOException {
        byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        Path file = Files.write(tmp.resolve("payload.bin"), binary);
        Path empty = Files.write(tmp.resolve("empty.bin"), new byte[0]);
        try (Observer observer = Observer.subscribe(broker, "obs-file", "file/#")) {
            // QoS 1, so that both have been routed before the marker is published
            CommandRun.pub("-p", port(), "-t", "file/bin", "-f", file.toString(), "-q", "1").succeeded();
            CommandRun.pub("-p", port(), "-t", "file/empty", "-f", empty.toString(), "-q", "1").succeeded();

            List<MqttMessage> messages = observer.messagesBefore("file/end");
            assertThat(messages).extracting(MqttMessage::topic).containsExactly("file/bin", "file/empty");
            assertThat(messages.get(0).payload()).isEqualTo(binary);
            assertThat(messages.get(1).payload()).isEmpty();
        }
    }

    @Test
    @DisplayName("-f with a missing file fails with mosquitto's two lines and status 1, before connecting")
    void missingFile() {
        long connections = broker.metrics().connectionsOpened.sum();
        Path missing = tmp.resolve("missing.txt");

        CommandRun run = CommandRun.pub("-p", port(), "-t", "file/x", "-f", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly(
                "Error: Unable to open file \"" + missing + "\".",
                "Error loading input file \"" + missing + "\".");
        assertThat(broker.metrics().connectionsOpened.sum()).isEqualTo(connections);
    }

    @Test
    @DisplayName("-s publishes all of standard input as one message, newlines included")
    void wholeStdin() {
        byte[] input = "one\ntwo\r\n\nthree\n".getBytes(UTF_8);
        try (Observer observer = Observer.subscribe(broker, "obs-stdin", "stdin/#")) {
            CommandRun.pubWithStdin(input, "-p", port(), "-t", "stdin/all", "-s", "-q", "2").succeeded();

            List<MqttMessage> messages = observer.messagesBefore("stdin/end");
            assertThat(messages).hasSize(1);
            assertThat(messages.get(0).payload()).isEqualTo(input);
            assertThat(messages.get(0).qos()).isEqualTo(QoS.EXACTLY_ONCE);
        }
    }

    @Test
    @DisplayName("-s with empty standard input fails as mosquitto_pub does: 'Zero length input', status 1")
    void emptyStdin() {
        CommandRun run = CommandRun.pubWithStdin(new byte[0], "-p", port(), "-t", "stdin/none", "-s");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Error: Zero length input.", "Error loading input from stdin.");
    }

    @Test
    @DisplayName("-l publishes one message per line: split at \\n only, \\r kept, empty lines empty, a last line without \\n included")
    void linesOfStdin() {
        byte[] input = "one\ntwo\r\n\nthree".getBytes(UTF_8);
        try (Observer observer = Observer.subscribe(broker, "obs-lines", "lines/#")) {
            CommandRun.pubWithStdin(input, "-p", port(), "-t", "lines/a", "-l", "-q", "1").succeeded();

            List<MqttMessage> messages = observer.messagesBefore("lines/end");
            assertThat(messages).extracting(MqttMessage::payloadAsString).containsExactly("one", "two\r", "", "three");
            assertThat(messages).extracting(MqttMessage::qos).containsOnly(QoS.AT_LEAST_ONCE);
        }
    }

    @Test
    @DisplayName("-l keeps the order of 3000 lines at QoS 1, more than its window of messages in flight")
    void manyLinesInOrder() {
        int count = 3 * PubCommand.LINE_WINDOW;
        List<String> lines = IntStream.rangeClosed(1, count).mapToObj(i -> "line " + i).toList();
        String input = String.join("\n", lines) + "\n";
        try (Observer observer = Observer.subscribe(broker, "obs-many", "many/#")) {
            CommandRun.pubWithStdin(input.getBytes(UTF_8), "-p", port(), "-t", "many/a", "-l", "-q", "1").succeeded();

            List<MqttMessage> messages = observer.messagesBefore("many/end");
            assertThat(messages).extracting(MqttMessage::payloadAsString)
                    .containsExactlyElementsOf(lines);
        }
    }

    @Test
    @DisplayName("-l publishes each line as soon as it is read, while standard input is still open")
    void linesArePublishedAsTheyArrive() throws IOException {
        PipedOutputStream writer = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(writer);
        try (Observer observer = Observer.subscribe(broker, "obs-live", "live/#")) {
            CompletableFuture<CommandRun> pub = CompletableFuture.supplyAsync(
                    () -> CommandRun.pubWithStdin(stdin, "-p", port(), "-t", "live/a", "-l"));

            writer.write("first\n".getBytes(UTF_8));
            writer.flush();
            await().atMost(CommandRun.WAIT).until(() -> observer.received().size() == 1);
            assertThat(pub).as("still reading standard input").isNotDone();

            writer.write("second\n".getBytes(UTF_8));
            writer.close();
            CommandRun.await(pub).succeeded();
            assertThat(observer.messagesBefore("live/end")).extracting(MqttMessage::payloadAsString)
                    .containsExactly("first", "second");
        }
    }

    @Test
    @DisplayName("-d prints mosquitto's lines: CONNECT, CONNACK, PUBLISH with flags and size, PUBACK, DISCONNECT")
    void debugLines() {
        CommandRun run = CommandRun.pub("-p", port(), "-t", "debug/a", "-m", "hello", "-q", "1", "-r", "-d", "-i", "dbg-pub")
                .succeeded();

        assertThat(run.out().lines()).containsExactly(
                "Client dbg-pub sending CONNECT",
                "Client dbg-pub received CONNACK (0)",
                "Client dbg-pub sending PUBLISH (d0, q1, r1, m1, 'debug/a', ... (5 bytes))",
                "Client dbg-pub received PUBACK (Mid: 1, RC:0)",
                "Client dbg-pub sending DISCONNECT");
        CommandRun.pub("-p", port(), "-t", "debug/a", "-n", "-r").succeeded();
    }

    @Test
    @DisplayName("without -d pub prints nothing; its default client id is starling-pub-<pid>")
    void defaultClientIdAndQuietOutput() {
        CommandRun quiet = CommandRun.pub("-p", port(), "-t", "quiet/a", "-m", "x").succeeded();
        assertThat(quiet.stdout()).isEmpty();

        CommandRun debug = CommandRun.pub("-p", port(), "-t", "quiet/a", "-m", "x", "-d").succeeded();
        assertThat(debug.out()).startsWith("Client starling-pub-" + ProcessHandle.current().pid() + " sending CONNECT\n");
    }

    @Test
    @DisplayName("-V mqttv31 connects with MQTT 3.1 and publishes")
    void mqtt31() {
        try (Observer observer = Observer.subscribe(broker, "obs-v31", "v31/#")) {
            CommandRun.pub("-p", port(), "-t", "v31/a", "-m", "old", "-V", "mqttv31", "-q", "1").succeeded();

            assertThat(observer.messagesBefore("v31/end")).extracting(MqttMessage::payloadAsString).containsExactly("old");
        }
    }

    @Test
    @DisplayName("the connection dropped before PUBACK: mosquitto's 'The connection was lost.', status 7")
    void connectionLostBeforeAcknowledgement() throws IOException {
        try (ScriptedBroker server = new ScriptedBroker()) {
            CompletableFuture<CommandRun> pub = CompletableFuture.supplyAsync(
                    () -> CommandRun.pub("-p", server.port(), "-t", "lost/a", "-m", "x", "-q", "1"));
            server.accept();
            assertThat(server.read()[0]).as("CONNECT").isEqualTo((byte) 0x10);
            server.send(0x20, 0x02, 0x00, 0x00);                  // CONNACK: accepted
            assertThat(server.read()[0]).as("PUBLISH, QoS 1").isEqualTo((byte) 0x32);
            server.dropConnection();                              // no PUBACK

            CommandRun run = CommandRun.await(pub);
            assertThat(run.exitCode()).isEqualTo(7);
            assertThat(run.errLines()).containsExactly("Error: The connection was lost.");
        }
    }
}
