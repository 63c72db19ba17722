package io.starling.cli.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.client.MqttMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code starling sub} in this JVM against an embedded Starling broker: what it prints for each
 * flag, when it stops and with which status. Each sub runs on a thread of its own with a -W
 * bound, so a test that goes wrong still ends.
 */
class SubCommandTest {
    private static Broker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String port() {
        return String.valueOf(broker.port());
    }

    /** Whether the broker routes {@code topic} to the session of {@code clientId}. */
    /** Starts sub as {@code clientId} and waits until the broker routes {@code topic} to it. */
    private static CompletableFuture<CommandRun> subscribed(String clientId, String topic, String... args) {
        String[] withId = new String[args.length + 2];
        withId[0] = "-i";
        withId[1] = clientId;
        System.arraycopy(args, 0, withId, 2, args.length);
        CompletableFuture<CommandRun> sub = CommandRun.subInBackground(withId);
        await("sub's subscription").atMost(CommandRun.WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> Routes.routesTo(broker, topic, clientId) || sub.isDone());
        assertThat(sub).as("sub is running").isNotDone();
        return sub;
    }

    @Test
    @DisplayName("each payload is printed with a newline; -C 3 exits 0 after exactly three, the fourth is not printed")
    void countThenExit() {
        CompletableFuture<CommandRun> sub = subscribed("sub-count", "count/x",
                "-p", port(), "-t", "count/#", "-q", "1", "-C", "3", "-W", "15");
        try (Observer publisher = Observer.connect(broker, "pub-count")) {
            for (String payload : List.of("a", "b", "c", "d")) {
                publisher.publish("count/x", payload, 1, false);
            }
        }

        CommandRun run = CommandRun.await(sub).succeeded();
        assertThat(run.out()).isEqualTo("a\nb\nc\n");
    }

    @Test
    @DisplayName("-v prints 'topic payload'; an empty payload prints 'topic (null)' with -v and nothing without")
    void verboseAndEmptyPayloads() {
        CompletableFuture<CommandRun> verbose = subscribed("sub-verbose", "verbose/1",
                "-p", port(), "-t", "verbose/#", "-v", "-C", "3", "-W", "15");
        CompletableFuture<CommandRun> plain = subscribed("sub-plain", "verbose/1",
                "-p", port(), "-t", "verbose/#", "-C", "3", "-W", "15");
        try (Observer publisher = Observer.connect(broker, "pub-verbose")) {
            publisher.publish("verbose/1", "x", 0, false);
            publisher.publish("verbose/2", "", 0, false);
            publisher.publish("verbose/3", "y z", 0, false);
        }

        assertThat(CommandRun.await(verbose).succeeded().out()).isEqualTo("verbose/1 x\nverbose/2 (null)\nverbose/3 y z\n");
        assertThat(CommandRun.await(plain).succeeded().out()).isEqualTo("x\ny z\n");
    }

    @Test
    @DisplayName("-N prints no newline, with or without -v; payload bytes are written unchanged")
    void noNewline() {
        CompletableFuture<CommandRun> bare = subscribed("sub-bare", "eol/1",
                "-p", port(), "-t", "eol/#", "-N", "-C", "3", "-W", "15");
        CompletableFuture<CommandRun> verbose = subscribed("sub-eol-v", "eol/1",
                "-p", port(), "-t", "eol/#", "-N", "-v", "-C", "3", "-W", "15");
        byte[] binary = {0, (byte) 0xFF, '\r', '\n', 'z'};
        try (Observer publisher = Observer.connect(broker, "pub-eol")) {
            publisher.publish("eol/1", "a", 0, false);
            publisher.publish("eol/2", "", 0, false);
            publisher.publish("eol/3", binary, 0, false);
        }

        assertThat(CommandRun.await(bare).succeeded().stdout()).isEqualTo(new byte[] {'a', 0, (byte) 0xFF, '\r', '\n', 'z'});
        byte[] expected = concat("eol/1 a".getBytes(UTF_8), "eol/3 ".getBytes(UTF_8), binary);
        assertThat(CommandRun.await(verbose).succeeded().stdout()).isEqualTo(expected);
    }

    @Test
    @DisplayName("-W 1 with no message exits 27 with 'Timed out' after one second, as mosquitto_sub does")
    void timeout() {
        long start = System.nanoTime();
        CommandRun run = CommandRun.sub("-p", port(), "-t", "quiet/#", "-W", "1");
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(run.exitCode()).isEqualTo(27);
        assertThat(run.errLines()).containsExactly("Timed out");
        assertThat(run.stdout()).isEmpty();
        assertThat(took).isBetween(Duration.ofMillis(950), Duration.ofSeconds(5));
    }

    @Test
    @DisplayName("a retained message is printed first; -R skips it and it does not count towards -C")
    void retainedAndSkipRetained() {
        try (Observer publisher = Observer.connect(broker, "pub-retained")) {
            publisher.publish("stale/old", "old", 1, true);
            CompletableFuture<CommandRun> all = subscribed("sub-all", "stale/new",
                    "-p", port(), "-t", "stale/#", "-C", "2", "-W", "15");
            CompletableFuture<CommandRun> fresh = subscribed("sub-fresh", "stale/new",
                    "-p", port(), "-t", "stale/#", "-R", "-C", "1", "-W", "15");
            publisher.publish("stale/new", "new", 1, false);

            assertThat(CommandRun.await(all).succeeded().out()).isEqualTo("old\nnew\n");
            assertThat(CommandRun.await(fresh).succeeded().out()).isEqualTo("new\n");
            publisher.publish("stale/old", "", 1, true);
        }
    }

    @Test
    @DisplayName("-T filters out matching topics, which do not count towards -C; several -t subscribe to each")
    void filterOutAndSeveralTopics() {
        CompletableFuture<CommandRun> sub = subscribed("sub-multi", "multi/b", "-p", port(), "-t", "multi/a/#", "-t", "multi/b",
                "-T", "multi/a/skip/#", "-v", "-C", "2", "-W", "15");
        try (Observer publisher = Observer.connect(broker, "pub-multi")) {
            publisher.publish("multi/a/skip/1", "no", 1, false);
            publisher.publish("multi/a/1", "yes", 1, false);
            publisher.publish("multi/b", "also", 1, false);
        }

        assertThat(CommandRun.await(sub).succeeded().out()).isEqualTo("multi/a/1 yes\nmulti/b also\n");
    }

    @Test
    @DisplayName("--remove-retained prints the retained messages and clears them from the broker")
    void removeRetained() {
        try (Observer publisher = Observer.connect(broker, "pub-remove")) {
            publisher.publish("remove/1", "r1", 1, true);
            publisher.publish("remove/2", "r2", 1, true);
        }

        CommandRun run = CommandRun.sub("-p", port(), "-t", "remove/#", "--remove-retained", "-C", "2", "-W", "15").succeeded();
        assertThat(run.out()).isEqualTo("r1\nr2\n");

        try (Observer late = Observer.subscribe(broker, "obs-remove", "remove/#")) {
            assertThat(late.messagesBefore("remove/end")).isEmpty();
        }
    }

    @ParameterizedTest(name = "-q {0}: a QoS 2 message arrives at QoS {1}")
    @CsvSource({"0, 0, ''", "1, 1, 'sending PUBACK (m1, rc0)'", "2, 2, 'sending PUBREC (m1, rc0)'"})
    @DisplayName("-q is the subscription's QoS: a QoS 2 message is delivered at the lower of the two, and -d shows the packets")
    void subscriptionQos(int requested, int delivered, String acknowledgement) {
        CompletableFuture<CommandRun> sub = subscribed("sub-q" + requested, "qos/" + requested, "-p", port(), "-t",
                "qos/" + requested, "-q", String.valueOf(requested), "-d", "-C", "1", "-W", "15");
        try (Observer publisher = Observer.connect(broker, "pub-q" + requested)) {
            publisher.publish("qos/" + requested, "m", 2, false);
        }

        String client = "Client sub-q" + requested + " ";
        List<String> expected = new ArrayList<>(List.of(
                client + "sending CONNECT",
                client + "received CONNACK (0)",
                client + "sending SUBSCRIBE (Mid: 1, Topic: qos/" + requested + ", QoS: " + requested + ", Options: 0x00)",
                client + "received SUBACK",
                "Subscribed (mid: 1): " + requested,
                // the broker numbers its first QoS 1 or 2 message to this new session 1; QoS 0 has no id
                client + "received PUBLISH (d0, q" + delivered + ", r0, m" + (delivered == 0 ? 0 : 1) + ", 'qos/" + requested
                        + "', ... (1 bytes))",
                "m"));
        if (!acknowledgement.isEmpty()) {
            expected.add(client + acknowledgement);                  // after the listener printed the message
        }
        expected.add(client + "sending DISCONNECT");
        // at QoS 2 the broker's PUBREL, and so our PUBCOMP, may or may not come before the DISCONNECT
        List<String> lines = CommandRun.await(sub).succeeded().out().lines()
                .filter(line -> !line.endsWith("received PUBREL (Mid: 1)") && !line.endsWith("sending PUBCOMP (m1)")).toList();
        assertThat(lines).containsExactlyElementsOf(expected);
    }

    @Test
    @DisplayName("-c resumes the session: messages sent while offline arrive; those past -C stay queued for the next run")
    void persistentSession() {
        String[] durable = {"-p", port(), "-t", "durable/#", "-q", "1", "-c", "-i", "sub-durable"};
        CommandRun first = CommandRun.sub(concat(durable, "-W", "1"));
        assertThat(first.exitCode()).isEqualTo(27);

        try (Observer publisher = Observer.connect(broker, "pub-durable")) {
            for (String payload : List.of("m1", "m2", "m3")) {
                publisher.publish("durable/x", payload, 1, false);
            }
        }
        assertThat(CommandRun.sub(concat(durable, "-C", "1", "-W", "15")).succeeded().out()).isEqualTo("m1\n");
        assertThat(CommandRun.sub(concat(durable, "-C", "2", "-W", "15")).succeeded().out()).isEqualTo("m2\nm3\n");

        // a clean session (no -c) with the same id ends the persistent one
        CommandRun clean = CommandRun.sub("-p", port(), "-t", "durable/#", "-i", "sub-durable", "-W", "1");
        assertThat(clean.exitCode()).isEqualTo(27);
    }

    @Test
    @DisplayName("--will-*: the will is registered with CONNECT and published when sub's connection ends without DISCONNECT")
    void will() {
        try (Observer watcher = Observer.subscribe(broker, "obs-will", "will/#")) {
            CompletableFuture<CommandRun> sub = subscribed("sub-will", "will/stop", "-p", port(), "-t", "will/stop",
                    "--will-topic", "will/gone", "--will-payload", "bye", "--will-qos", "1", "--will-retain",
                    "-C", "1", "-W", "15");
            // a second connection with sub's client id takes the session over: the broker closes
            // sub's connection without DISCONNECT, which publishes the will [MQTT-3.1.4-2]
            Observer.connect(broker, "sub-will").close();

            await().atMost(CommandRun.WAIT).until(() -> !watcher.received().isEmpty());
            assertThat(watcher.received()).extracting(MqttMessage::topic, MqttMessage::payloadAsString, MqttMessage::qos)
                    .containsExactly(tuple("will/gone", "bye", io.starling.codec.packet.QoS.AT_LEAST_ONCE));
            try (Observer late = Observer.subscribe(broker, "obs-will-late", "will/gone")) {
                await().atMost(CommandRun.WAIT).until(() -> !late.received().isEmpty());
                assertThat(late.received().get(0).retain()).as("--will-retain").isTrue();
            }

            // sub reconnects by itself, subscribes again and gets this retained message
            watcher.publish("will/stop", "stop", 1, true);
            assertThat(CommandRun.await(sub).succeeded().out()).isEqualTo("stop\n");
            watcher.publish("will/stop", "", 1, true);
            watcher.publish("will/gone", "", 1, true);
        }
    }

    @Test
    @DisplayName("a SUBACK refusing every filter: 'All subscription requests were denied.', DISCONNECT, status 1")
    void everySubscriptionRefused() throws IOException {
        try (ScriptedBroker server = new ScriptedBroker()) {
            CompletableFuture<CommandRun> sub = CommandRun.subInBackground("-p", server.port(), "-t", "denied/#",
                    "-t", "denied/too", "-q", "1", "-d", "-i", "sub-denied", "-W", "15");
            server.accept();
            assertThat(server.read()[0]).as("CONNECT").isEqualTo((byte) 0x10);
            server.send(0x20, 0x02, 0x00, 0x00);                  // CONNACK: accepted
            byte[] subscribe = server.read();
            assertThat(subscribe[0]).as("SUBSCRIBE").isEqualTo((byte) 0x82);
            server.send(0x90, 0x04,                               // SUBACK, remaining length 4
                    subscribe[1], subscribe[2],                   // the SUBSCRIBE's packet id
                    0x80, 0x80);                                  // both filters refused
            assertThat(server.read()).as("DISCONNECT").containsExactly(0xE0);

            CommandRun run = CommandRun.await(sub);
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()).containsExactly("All subscription requests were denied.");
            assertThat(run.out().lines()).containsExactly(
                    "Client sub-denied sending CONNECT",
                    "Client sub-denied received CONNACK (0)",
                    "Client sub-denied sending SUBSCRIBE (Mid: 1, Topic: denied/#, QoS: 1, Options: 0x00)",
                    "Client sub-denied sending SUBSCRIBE (Mid: 1, Topic: denied/too, QoS: 1, Options: 0x00)",
                    "Client sub-denied received SUBACK",
                    "Subscribed (mid: 1): 128, 128",
                    "Client sub-denied sending DISCONNECT");
        }
    }

    @Test
    @DisplayName("when standard output is gone (a pipe's reader exited), sub stops with status 1 instead of running on")
    void standardOutputGone() {
        PrintStream closed = new PrintStream(OutputStream.nullOutputStream()) {
            @Override
            public boolean checkError() {
                return true;                                      // what System.out reports after EPIPE
            }
        };
        CompletableFuture<CommandRun> sub = CompletableFuture.supplyAsync(() -> CommandRun.subWithStdout(closed,
                "-p", port(), "-t", "gone/#", "-i", "sub-gone", "-W", "15"));
        await("sub's subscription").atMost(CommandRun.WAIT).until(() -> Routes.routesTo(broker, "gone/x", "sub-gone"));
        try (Observer publisher = Observer.connect(broker, "pub-gone")) {
            publisher.publish("gone/x", "lost", 1, false);
        }

        CommandRun run = CommandRun.await(sub);
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Error: cannot write to standard output");
    }

    private static String[] concat(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }
}
