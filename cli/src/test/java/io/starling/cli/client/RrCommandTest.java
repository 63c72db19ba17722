package io.starling.cli.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.client.MqttClient;
import io.starling.client.MqttMessage;
import io.starling.client.ReconnectPolicy;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code starling rr} against an embedded Starling broker, answered by responders made with the
 * client library: the request's Response Topic and Correlation Data, which message is the
 * response, -W, and mosquitto_rr's errors.
 */
class RrCommandTest {
    private static Broker broker;
    private static Broker guarded;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startBroker() throws IOException {
        BrokerConfig loopback = BrokerConfig.defaults().inMemory().onLoopback();
        Path acl = Files.writeString(tmp.resolve("acl"), "topic readwrite rr/#\n", UTF_8);
        broker = Broker.start(loopback.withAclFile(acl));
        Path passwords = Files.writeString(tmp.resolve("passwords"), "alice:secret\n", UTF_8);
        guarded = Broker.start(loopback.withPasswordFile(passwords).withAllowAnonymous(false));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
        guarded.close();
    }

    private static String port() {
        return String.valueOf(broker.port());
    }

    /** Runs rr in this JVM, as {@link CommandRun} runs pub and sub. */
    private static CommandRun rr(String... args) {
        RrCommand rr = new RrCommand();
        java.io.ByteArrayOutputStream stdout = new java.io.ByteArrayOutputStream();
        rr.setStdout(stdout);
        rr.setStdin(new ByteArrayInputStream("from stdin".getBytes(UTF_8)));
        StringWriter err = new StringWriter();
        StringWriter help = new StringWriter();
        int exitCode = new CommandLine(rr).setErr(new PrintWriter(err, true)).setOut(new PrintWriter(help, true)).execute(args);
        return new CommandRun(exitCode, stdout.toByteArray(), err.toString(), help.toString());
    }

    /** A client answering each request on {@code filter} with "re: " and its payload, recording the requests. */
    private static MqttClient responder(String clientId, String filter, List<MqttMessage> requests) {
        MqttClient client = MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId(clientId)
                .version(MqttVersion.V5).reconnect(ReconnectPolicy.DISABLED).build();
        client.blocking().connect();
        client.respond(filter, request -> {
            requests.add(request);
            return ("re: " + request.payloadAsString()).getBytes(UTF_8);
        }).join();
        return client;
    }

    @Test
    @DisplayName("the request goes with -e as Response Topic and a printable UUID as Correlation Data; the response is printed, status 0")
    @SuppressWarnings("try") // the responder answers while it is open
    void requestAndResponse() {
        List<MqttMessage> requests = new CopyOnWriteArrayList<>();
        try (MqttClient responder = responder("responder-1", "rr/svc/+", requests)) {
            CommandRun run = rr("-p", port(), "-t", "rr/svc/echo", "-e", "rr/replies/1", "-m", "hello", "-q", "1");

            run.succeeded();
            assertThat(run.out()).isEqualTo("re: hello\n");
            assertThat(requests).hasSize(1);
            MqttMessage request = requests.get(0);
            assertThat(request.responseTopic()).contains("rr/replies/1");
            assertThat(new String(request.correlationData().orElseThrow(), UTF_8))
                    .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
            assertThat(request.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        }
    }

    @Test
    @DisplayName("-v, -F and -D publish: the response printed as asked; the given correlation data and properties go with the request")
    @SuppressWarnings("try") // the responder answers while it is open
    void formatAndProperties() {
        List<MqttMessage> requests = new CopyOnWriteArrayList<>();
        try (MqttClient responder = responder("responder-2", "rr/fmt", requests)) {
            CommandRun verbose = rr("-p", port(), "-t", "rr/fmt", "-e", "rr/replies/2", "-s", "-v");
            CommandRun formatted = rr("-p", port(), "-t", "rr/fmt", "-e", "rr/replies/3", "-n", "-F", "%t [%D] %p", "-N",
                    "-D", "publish", "correlation-data", "mine", "-D", "publish", "user-property", "k", "v");

            assertThat(verbose.succeeded().out()).isEqualTo("rr/replies/2 re: from stdin\n");
            assertThat(formatted.succeeded().out()).isEqualTo("rr/replies/3 [mine] re: ");
            assertThat(requests.get(1).correlationData()).hasValueSatisfying(cd -> assertThat(cd).isEqualTo("mine".getBytes(UTF_8)));
            assertThat(requests.get(1).userProperties()).extracting(p -> p.name() + "=" + p.value()).containsExactly("k=v");
        }
    }

    @Test
    @DisplayName("a message on -e with another request's Correlation Data is not the response; one with none is, as for mosquitto_rr")
    void correlation() throws Exception {
        MqttClient other = MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId("other-answers")
                .version(MqttVersion.V5).reconnect(ReconnectPolicy.DISABLED).build();
        other.blocking().connect();
        try (other) {
            // answers every request twice: first as if to someone else, then without correlation data
            other.subscribe("rr/corr", QoS.AT_LEAST_ONCE, request -> {
                String to = request.responseTopic().orElseThrow();
                other.publish(MqttMessage.builder(to).payload("not yours").qos(QoS.AT_LEAST_ONCE)
                        .correlationData("someone-else".getBytes(UTF_8)).build());
                other.publish(MqttMessage.builder(to).payload("plain answer").qos(QoS.AT_LEAST_ONCE).build());
            }).get();

            CommandRun run = rr("-p", port(), "-t", "rr/corr", "-e", "rr/replies/corr", "-m", "q", "-q", "1", "-W", "10");
            assertThat(run.succeeded().out()).isEqualTo("plain answer\n");
        }
    }

    @Test
    @DisplayName("-W without a response: 'Timed out', status 27, and (5.0) DISCONNECT 0x04, so the will is published")
    void timeout() {
        try (Observer watcher = Observer.subscribe(broker, "rr-will-watch", "rr/will/#", MqttVersion.V5)) {
            CommandRun run = rr("-p", port(), "-t", "rr/nobody", "-e", "rr/replies/none", "-m", "x", "-W", "1",
                    "--will-topic", "rr/will/rr", "--will-payload", "bye");

            assertThat(run.exitCode()).isEqualTo(27);
            assertThat(run.errLines()).containsExactly("Timed out");
            assertThat(watcher.messagesBefore("rr/will/end")).extracting(MqttMessage::payloadAsString).containsExactly("bye");
        }
    }

    @Test
    @DisplayName("-V 311: a plain request, no properties; the first message on -e is the response")
    void plainRequest() {
        List<MqttMessage> requests = new CopyOnWriteArrayList<>();
        MqttClient plain = MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId("plain-responder")
                .reconnect(ReconnectPolicy.DISABLED).build();
        plain.blocking().connect();
        try (plain) {
            plain.blocking().subscribe("rr/plain", QoS.AT_LEAST_ONCE, request -> {
                requests.add(request);
                plain.publish("rr/replies/plain", "plain".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            });

            CommandRun run = rr("-p", port(), "-V", "311", "-t", "rr/plain", "-e", "rr/replies/plain", "-m", "x", "-W", "10");
            assertThat(run.succeeded().out()).isEqualTo("plain\n");
            assertThat(requests).hasSize(1);
        }
    }

    @Test
    @DisplayName("the subscription to -e refused: the SUBACK's reason in mosquitto_rr's words, status 1")
    void subscriptionRefused() {
        CommandRun run = rr("-p", port(), "-t", "rr/a", "-e", "denied/replies", "-m", "x", "-W", "10");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Not authorized");
    }

    @Test
    @DisplayName("the request refused by the broker (PUBACK 0x87): said so, status 1, rather than waiting for a response that cannot come")
    void requestRefused() {
        CommandRun run = rr("-p", port(), "-t", "denied/readonly", "-e", "rr/replies/r", "-m", "x", "-q", "1", "-W", "10");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Error: Publish failed: Not authorized.");
    }

    @Test
    @DisplayName("a refusing CONNACK: mosquitto_rr's line, the reason code as the status")
    void connectionRefused() {
        CommandRun run = rr("-p", String.valueOf(guarded.port()), "-t", "rr/a", "-e", "rr/b", "-m", "x");

        assertThat(run.exitCode()).isEqualTo(135);
        assertThat(run.errLines()).containsExactly("Connection error: Not authorized");
    }

    static List<Arguments> badArguments() {
        return List.of(
                Arguments.of(List.of("-t", "rr/a", "-m", "x"), "Error: All of topic, message, and response topic must be supplied."),
                Arguments.of(List.of("-e", "rr/b", "-m", "x"), "Error: All of topic, message, and response topic must be supplied."),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/b"), "Error: All of topic, message, and response topic must be supplied."),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/+", "-m", "x"), "Error: Invalid response topic 'rr/+', does it contain '+' or '#'?"),
                Arguments.of(List.of("-t", "rr/#", "-e", "rr/b", "-m", "x"), "Error: Invalid publish topic 'rr/#', does it contain '+' or '#'?"),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/b", "-m", "x", "-n"), "Error: Only one type of message can be sent at once."),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/b", "-l"), "Error: Unknown option '-l'."),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/b", "-m", "x", "-r"), "Error: Unknown option '-r'."),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/b", "-m", "x", "-C", "1"), "Error: Unknown option '-C'."),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/b", "-m", "x", "-W", "0"), "Error: Invalid timeout \"0\"."),
                Arguments.of(List.of("-t", "rr/a", "-e", "rr/b", "-m", "x", "-F", "%k"), "Error: Invalid format specifier 'k'."));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badArguments")
    @DisplayName("bad arguments: mosquitto_rr's reason and the usage hint, status 1, no connection")
    void badArguments(List<String> args, String reason) {
        long connections = broker.metrics().connectionsOpened.sum();
        List<String> all = new java.util.ArrayList<>(List.of("-p", port()));
        all.addAll(args);

        CommandRun run = rr(all.toArray(String[]::new));

        assertThat(run.errLines()).containsExactly(reason, "Use 'starling rr --help' to see usage.");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(broker.metrics().connectionsOpened.sum()).isEqualTo(connections);
    }

    @Test
    @DisplayName("-D publish response-topic: mosquitto_rr's duplicate, status 1")
    void duplicateResponseTopic() {
        CommandRun run = rr("-p", port(), "-t", "rr/a", "-e", "rr/b", "-m", "x", "-D", "publish", "response-topic", "rr/c");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Error in PUBLISH properties: Duplicate response topic.");
    }

    @Test
    @DisplayName("starling --help lists rr; rr --help documents its flags and statuses")
    void help() {
        CommandRun run = rr("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.help()).startsWith("Usage: rr ").contains("-t, --topic=topic", "-e=response-topic", "-m, --message=message",
                "-f, --file=file", "-n, --null-message", "-s, --stdin-file", "-q, --qos=QoS", "-W=timeout", "-F=format", "--pretty",
                "-V, --protocol-version=version", "-D, --property=command identifier value", "27", "Timed out");
        StringWriter out = new StringWriter();
        new CommandLine(new io.starling.cli.Starling()).setOut(new PrintWriter(out, true)).execute("--help");
        assertThat(out.toString()).containsPattern("(?m)^  rr +Publish a request and print its response");
    }
}
