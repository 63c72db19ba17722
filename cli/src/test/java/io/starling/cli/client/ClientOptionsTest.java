package io.starling.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.cli.Starling;
import io.starling.client.MqttClientConfig;
import io.starling.client.MqttClientException;
import io.starling.client.MqttMessage;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
 * The command lines of pub and sub: help, how each connection flag shapes the client, and the
 * errors and exit statuses of bad arguments and refused or failed connections, worded as
 * mosquitto_pub and mosquitto_sub word them (checked against Mosquitto 2.0.11).
 */
class ClientOptionsTest {
    private static Broker open;
    private static Broker guarded;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startBrokers() throws IOException {
        BrokerConfig loopback = BrokerConfig.defaults().inMemory().onLoopback();
        open = Broker.start(loopback);
        Path passwords = Files.writeString(tmp.resolve("passwords"), "alice:secret\n", StandardCharsets.UTF_8);
        guarded = Broker.start(loopback.withPasswordFile(passwords).withAllowAnonymous(false));
    }

    @AfterAll
    static void stopBrokers() {
        open.close();
        guarded.close();
    }

    // ---- help

    @Test
    @DisplayName("starling pub --help documents every flag and the exit statuses, and exits 0")
    void pubHelp() {
        CommandRun run = CommandRun.pub("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.help()).startsWith("Usage: pub ").contains(
                "-h, --host=host", "-p, --port=port", "-t, --topic=topic", "-m, --message=message", "-f, --file=file",
                "-l, --stdin-line", "-n, --null-message", "-s, --stdin-file", "-q, --qos=QoS", "-r, --retain",
                "-i, --id=id", "-u, --username=username", "-P, --pw=password", "-k, --keepalive=keepalive",
                "-c, --disable-clean-session", "-d, --debug", "-V, --protocol-version=version",
                "--will-topic=topic", "--will-payload=payload", "--will-qos=QoS", "--will-retain",
                "--cafile=file", "--cert=file", "--key=file", "--insecure", "--help", "--version",
                "-D, --property=command identifier value", "-x=session-expiry-interval",
                "Exit status:", "1-5       the broker refused the connection", "7         the connection was lost",
                "128-162   the broker refused the connection (5.0");
    }

    @Test
    @DisplayName("starling sub --help documents every flag and the exit statuses, and exits 0")
    void subHelp() {
        CommandRun run = CommandRun.sub("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.help()).startsWith("Usage: sub ").contains(
                "-h, --host=host", "-p, --port=port", "-t, --topic=topic", "-q, --qos=QoS", "-v, --verbose", "-N ",
                "-C=count", "-W=timeout", "-R ", "-T, --filter-out=filter", "--remove-retained",
                "-i, --id=id", "-u, --username=username", "-P, --pw=password", "-k, --keepalive=keepalive",
                "-c, --disable-clean-session", "-d, --debug", "-V, --protocol-version=version",
                "--will-topic=topic", "--will-payload=payload", "--will-qos=QoS", "--will-retain",
                "--cafile=file", "--cert=file", "--key=file", "--insecure", "--help", "--version",
                "-F=format", "--pretty", "-U, --unsubscribe=topic", "--rap, --retain-as-published", "--nl", "--rh=retain-handling",
                "-D, --property=command identifier value", "-x=session-expiry-interval",
                "Exit status:", "27        -W seconds passed first ('Timed out')");
    }

    @Test
    @DisplayName("the starling command lists pub and sub and runs them: starling pub --help, starling sub --version")
    void registeredInStarling() {
        StringWriter out = new StringWriter();
        CommandLine starling = new CommandLine(new Starling()).setOut(new PrintWriter(out, true));

        assertThat(starling.execute("--help")).isZero();
        assertThat(out.toString()).containsPattern("(?m)^  pub +Publish a message").containsPattern("(?m)^  sub +Subscribe to topics");
        assertThat(starling.execute("pub", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: starling pub ");
        assertThat(starling.execute("sub", "--version")).isZero();
        assertThat(out.toString()).contains("starling ");
    }

    // ---- flags to client configuration

    private static MqttClientConfig config(String... args) {
        PubCommand pub = new PubCommand();
        new CommandLine(pub).parseArgs(args);
        return pub.connection.builder("pub", pub.properties()).config();
    }

    @Test
    @DisplayName("defaults: localhost:1883, MQTT 3.1.1, client id starling-pub-<pid>, clean session, keep alive 60 s, no TLS")
    void defaults() {
        MqttClientConfig config = config("-t", "a", "-m", "x");

        assertThat(config.host()).isEqualTo("localhost");
        assertThat(config.port()).isEqualTo(1883);
        assertThat(config.version()).isEqualTo(MqttVersion.V3_1_1);
        assertThat(config.clientId()).isEqualTo("starling-pub-" + ProcessHandle.current().pid());
        assertThat(config.cleanSession()).isTrue();
        assertThat(config.keepAlive()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.username()).isNull();
        assertThat(config.password()).isNull();
        assertThat(config.will()).isNull();
        assertThat(config.tls()).isNull();
    }

    @Test
    @DisplayName("-h -p -i -c -k -u -P -V mqttv31 and the --will-* flags reach the client's configuration")
    void connectionFlags() {
        MqttClientConfig config = config("-h", "127.0.0.2", "-p", "1999", "-i", "me", "-c", "-k", "5", "-u", "alice",
                "-P", "secret", "-V", "31", "--will-topic", "w/t", "--will-payload", "gone", "--will-qos", "2", "--will-retain");

        assertThat(config.host()).isEqualTo("127.0.0.2");
        assertThat(config.port()).isEqualTo(1999);
        assertThat(config.clientId()).isEqualTo("me");
        assertThat(config.cleanSession()).isFalse();
        assertThat(config.keepAlive()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.username()).isEqualTo("alice");
        assertThat(config.password()).isEqualTo("secret".getBytes(StandardCharsets.UTF_8));
        assertThat(config.version()).isEqualTo(MqttVersion.V3_1);
        assertThat(config.will()).isEqualTo(new MqttMessage("w/t", "gone".getBytes(StandardCharsets.UTF_8), QoS.EXACTLY_ONCE, true));
    }

    @Test
    @DisplayName("--cafile turns TLS on and the default port to 8883; --cert/--key and --insecure go with it; -p still wins")
    void tlsFlags() throws IOException {
        Path ca = Files.writeString(tmp.resolve("ca.crt"), "not checked here");
        Path cert = Files.writeString(tmp.resolve("client.crt"), "not checked here");
        Path key = Files.writeString(tmp.resolve("client.key"), "not checked here");

        MqttClientConfig tls = config("--cafile", ca.toString(), "--cert", cert.toString(), "--key", key.toString(), "--insecure");
        assertThat(tls.port()).isEqualTo(8883);
        assertThat(tls.tls()).isNotNull();
        assertThat(tls.tls().caFile()).isEqualTo(ca);
        assertThat(tls.tls().certFile()).isEqualTo(cert);
        assertThat(tls.tls().keyFile()).isEqualTo(key);
        assertThat(tls.tls().verifyHostname()).isFalse();

        MqttClientConfig explicit = config("--cafile", ca.toString(), "-p", "18883");
        assertThat(explicit.port()).isEqualTo(18883);
        assertThat(explicit.tls().verifyHostname()).isTrue();
    }

    @Test
    @DisplayName("an option's value is the next argument whatever it looks like, and a repeated option keeps its last value")
    void valuesAsMosquittoReadsThem() {
        try (Observer observer = Observer.subscribe(open, "obs-values", "values/#")) {
            CommandRun.pub("-p", "1", "-p", String.valueOf(open.port()), "-t", "values/first", "-t", "values/last", "-m", "-x")
                    .succeeded();

            assertThat(observer.messagesBefore("values/end")).extracting(MqttMessage::topic, MqttMessage::payloadAsString)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("values/last", "-x"));
        }
    }

    // ---- bad arguments: mosquitto's reason, then the usage hint, status 1, and no connection

    static Stream<Arguments> badArguments() {
        List<Arguments> cases = new ArrayList<>();
        String pub = "pub";
        String sub = "sub";
        cases.add(Arguments.of(pub, List.of(), "Both topic and message must be supplied."));
        cases.add(Arguments.of(pub, List.of("-t", "a"), "Both topic and message must be supplied."));
        cases.add(Arguments.of(pub, List.of("-m", "x"), "Both topic and message must be supplied."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-l"), "Only one type of message can be sent at once."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-n", "-s"), "Only one type of message can be sent at once."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-q", "3"), "Invalid QoS given: 3"));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-q", "x"), "Invalid QoS given: x"));
        cases.add(Arguments.of(pub, List.of("-t", "a/#", "-m", "x"), "Invalid publish topic 'a/#', does it contain '+' or '#'?"));
        cases.add(Arguments.of(pub, List.of("-t", "a/+/b", "-m", "x"), "Invalid publish topic 'a/+/b', does it contain '+' or '#'?"));
        cases.add(Arguments.of(pub, List.of("-t", "", "-m", "x"), "Invalid publish topic '', does it contain '+' or '#'?"));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m"), "-m argument given but no message specified."));
        cases.add(Arguments.of(pub, List.of("-m", "x", "-t"), "-t argument given but no topic specified."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "--bogus"), "Unknown option '--bogus'."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "stray"), "Unknown option 'stray'."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-V", "mqttv4"), "Invalid protocol version argument given."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-V", "3.1.1"), "Invalid protocol version argument given."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-p", "70000"), "Invalid port given: 70000"));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-p", "abc"), "Invalid port given: abc"));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-k", "4"),
                "Invalid keepalive given, it must be between 5 and 65535 inclusive."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-k", "65536"),
                "Invalid keepalive given, it must be between 5 and 65535 inclusive."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-c"), "You must provide a client id if you are using the -c option."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "-i", ""), "Invalid id."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "--will-payload", "p"), "Will payload given, but no will topic given."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "--will-qos", "1"), "Will QoS given, but no will topic given."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "--will-retain"), "Will retain given, but no will topic given."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "--will-topic", "w/#"),
                "Invalid will topic 'w/#', does it contain '+' or '#'?"));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "--will-topic", "w", "--will-qos", "3"), "Invalid will QoS 3."));
        cases.add(Arguments.of(pub, List.of("-t", "a", "-m", "x", "--cert", "c.pem"),
                "Both certfile and keyfile must be provided if one of them is set."));
        cases.add(Arguments.of(sub, List.of(), "You must specify a topic to subscribe to."));
        cases.add(Arguments.of(sub, List.of("-t", "a/#x"), "Invalid subscription topic 'a/#x', are all '+' and '#' wildcards correct?"));
        cases.add(Arguments.of(sub, List.of("-t", "a+"), "Invalid subscription topic 'a+', are all '+' and '#' wildcards correct?"));
        cases.add(Arguments.of(sub, List.of("-t", ""), "Invalid subscription topic '', are all '+' and '#' wildcards correct?"));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-T", "b#"), "Invalid filter topic 'b#', are all '+' and '#' wildcards correct?"));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-C", "0"), "Invalid message count \"0\"."));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-C", "x"), "Invalid message count \"x\"."));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-W", "0"), "Invalid timeout \"0\"."));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-W", "-1"), "Invalid timeout \"-1\"."));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-W"), "-W argument given but no timeout specified."));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-q", "3"), "Invalid QoS given: 3"));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-c"), "You must provide a client id if you are using the -c option."));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-x"), "-x argument given but no session-expiry-interval specified."));
        cases.add(Arguments.of(sub, List.of("-t", "a", "-E"), "Unknown option '-E'."));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badArguments")
    @DisplayName("a bad command line prints mosquitto's reason and the usage hint, exits 1 and does not connect")
    void badArgumentsAreRefused(String command, List<String> args, String reason) {
        long connections = open.metrics().connectionsOpened.sum();
        List<String> withPort = new ArrayList<>(List.of("-p", String.valueOf(open.port())));
        withPort.addAll(args);
        String[] argv = withPort.toArray(String[]::new);

        CommandRun run = command.equals("pub") ? CommandRun.pub(argv) : CommandRun.sub(argv);

        assertThat(run.errLines()).containsExactly("Error: " + reason, "Use 'starling " + command + " --help' to see usage.");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stdout()).isEmpty();
        assertThat(open.metrics().connectionsOpened.sum()).as("connections opened").isEqualTo(connections);
    }

    @Test
    @DisplayName("-P without -u is refused before connecting, as libmosquitto refuses it")
    void passwordWithoutUser() {
        CommandRun run = CommandRun.pub("-p", String.valueOf(open.port()), "-t", "a", "-m", "x", "-P", "secret");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Error: Problem setting username and/or password:"
                + " a password (-P) needs a user name (-u) in MQTT 3.1 and 3.1.1.");
    }

    @Test
    @DisplayName("an unreadable --cafile fails before connecting with status 1")
    void missingCaFile() {
        Path missing = tmp.resolve("no-such-ca.crt");
        CommandRun run = CommandRun.sub("-t", "a", "--cafile", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Error: Problem setting TLS options: File not found: " + missing);
    }

    // ---- refused and failed connections

    private static String guardedPort() {
        return String.valueOf(guarded.port());
    }

    @Test
    @DisplayName("pub: a refusing CONNACK prints both of mosquitto_pub's lines and exits with the return code: 4 bad password, 5 not authorised")
    void pubRefused() {
        CommandRun badPassword = CommandRun.pub("-p", guardedPort(), "-t", "a", "-m", "x", "-u", "alice", "-P", "wrong", "-d", "-i", "refused");
        // mosquitto_pub 2.0.11 exits with the CONNACK's code (checked against a server answering 4)
        assertThat(badPassword.exitCode()).isEqualTo(4);
        assertThat(badPassword.errLines()).containsExactly(
                "Connection error: Connection Refused: bad user name or password.", "Error: The connection was refused.");
        assertThat(badPassword.out().lines()).containsExactly("Client refused sending CONNECT", "Client refused received CONNACK (4)");

        CommandRun anonymous = CommandRun.pub("-p", guardedPort(), "-t", "a", "-m", "x");
        assertThat(anonymous.exitCode()).isEqualTo(5);
        assertThat(anonymous.errLines()).containsExactly(
                "Connection error: Connection Refused: not authorised.", "Error: The connection was refused.");
    }

    @Test
    @DisplayName("sub: a refusing CONNACK prints mosquitto_sub's line and exits with the return code: 4 bad password, 5 not authorised")
    void subRefused() {
        CommandRun badPassword = CommandRun.sub("-p", guardedPort(), "-t", "a", "-u", "alice", "-P", "wrong", "-W", "10");
        assertThat(badPassword.exitCode()).isEqualTo(4);
        assertThat(badPassword.errLines()).containsExactly("Connection error: Connection Refused: bad user name or password.");

        CommandRun anonymous = CommandRun.sub("-p", guardedPort(), "-t", "a", "-W", "10");
        assertThat(anonymous.exitCode()).isEqualTo(5);
        assertThat(anonymous.errLines()).containsExactly("Connection error: Connection Refused: not authorised.");
    }

    @Test
    @DisplayName("-u/-P with the right password are accepted by the broker that refuses the wrong one")
    void rightPassword() {
        CommandRun.pub("-p", guardedPort(), "-t", "a", "-m", "x", "-u", "alice", "-P", "secret", "-q", "1").succeeded();
        CommandRun sub = CommandRun.sub("-p", guardedPort(), "-t", "a", "-u", "alice", "-P", "secret", "-W", "1");
        assertThat(sub.exitCode()).as("connected and subscribed until -W: not refused").isEqualTo(27);
        assertThat(sub.errLines()).containsExactly("Timed out");
    }

    @Test
    @DisplayName("nothing listening: 'Error: Connection refused', status 1, for pub and sub")
    void nothingListening() throws IOException {
        String port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = String.valueOf(socket.getLocalPort());
        }

        CommandRun pub = CommandRun.pub("-h", "127.0.0.1", "-p", port, "-t", "a", "-m", "x");
        CommandRun sub = CommandRun.sub("-h", "127.0.0.1", "-p", port, "-t", "a", "-W", "10");

        assertThat(pub.exitCode()).isEqualTo(1);
        assertThat(pub.errLines()).containsExactly("Error: Connection refused");
        assertThat(sub.exitCode()).isEqualTo(1);
        assertThat(sub.errLines()).containsExactly("Error: Connection refused");
    }

    @Test
    @DisplayName("an unknown host is mosquitto's 'Unable to connect (Lookup error.).', status 1")
    void unknownHost() {
        // mapped directly: resolving a name would leave the loopback interface
        MqttClientException failure = new MqttClientException("cannot connect to nosuch.invalid:1883: nosuch.invalid",
                new UnknownHostException("nosuch.invalid"));

        CommandFailure mapped = ClientCommand.networkFailure(failure);

        assertThat(mapped.exitCode()).isEqualTo(1);
        assertThat(mapped.lines()).containsExactly("Unable to connect (Lookup error.).");
    }

    @Test
    @DisplayName("a failed TLS handshake starts with mosquitto's 'Unable to connect (A TLS error occurred.)' and says why, status 1")
    void tlsFailure() {
        MqttClientException failure = new MqttClientException("TLS handshake with 127.0.0.1:8883 failed: certificate expired",
                new javax.net.ssl.SSLHandshakeException("certificate expired"));

        CommandFailure mapped = ClientCommand.networkFailure(failure);

        assertThat(mapped.exitCode()).isEqualTo(1);
        assertThat(mapped.lines()).containsExactly(
                "Unable to connect (A TLS error occurred.): TLS handshake with 127.0.0.1:8883 failed: certificate expired");
    }
}
