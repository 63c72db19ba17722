package io.starling.cli.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.client.MqttClientConfig;
import io.starling.client.MqttMessage;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code starling pub -V 5} against embedded Starling brokers: the -D properties on the wire, and
 * the broker's refusals in mosquitto_pub's words (checked against mosquitto_pub 2.0.11 and a
 * Mosquitto broker refusing the same way).
 */
class PubMqtt5Test {
    private static Broker open;
    private static Broker guarded;
    private static Broker qos1;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startBrokers() throws IOException {
        BrokerConfig loopback = BrokerConfig.defaults().inMemory().onLoopback();
        // anonymous clients may publish to v5/# and only read ro/#
        Path acl = Files.writeString(tmp.resolve("acl"), "topic readwrite v5/#\ntopic read ro/#\n", UTF_8);
        open = Broker.start(loopback.withAclFile(acl));
        Path passwords = Files.writeString(tmp.resolve("passwords"), "alice:secret\n", UTF_8);
        guarded = Broker.start(loopback.withPasswordFile(passwords).withAllowAnonymous(false));
        // Maximum QoS 1, Retain Available 0
        qos1 = Broker.start(loopback.withMqtt5(new BrokerConfig.Mqtt5(65_535, 65_535, QoS.AT_LEAST_ONCE, false, 10, null)));
    }

    @AfterAll
    static void stopBrokers() {
        open.close();
        guarded.close();
        qos1.close();
    }

    private static String port(Broker broker) {
        return String.valueOf(broker.port());
    }

    private static MqttClientConfig config(String... args) {
        PubCommand pub = new PubCommand();
        new CommandLine(pub).parseArgs(args);
        return pub.connection.builder("pub", pub.properties()).config();
    }

    @Test
    @DisplayName("-D publish: every PUBLISH property mosquitto_pub takes arrives with the message, user properties in order")
    void publishProperties() {
        try (Observer observer = Observer.subscribe(open, "obs-props", "v5/props/#", MqttVersion.V5)) {
            CommandRun.pub("-p", port(open), "-V", "5", "-t", "v5/props/a", "-m", "hello", "-q", "1",
                    "-D", "publish", "user-property", "k", "v", "-D", "publish", "user-property", "k", "w",
                    "-D", "publish", "content-type", "text/plain", "-D", "publish", "correlation-data", "cd-1",
                    "-D", "publish", "response-topic", "v5/props/reply", "-D", "publish", "message-expiry-interval", "60",
                    "-D", "publish", "payload-format-indicator", "1", "-D", "publish", "topic-alias", "1").succeeded();

            List<MqttMessage> messages = observer.messagesBefore("v5/props/end");
            assertThat(messages).hasSize(1);
            MqttMessage m = messages.get(0);
            assertThat(m.payloadAsString()).isEqualTo("hello");
            assertThat(m.userProperties()).containsExactly(new UserProperty("k", "v"), new UserProperty("k", "w"));
            assertThat(m.contentType()).contains("text/plain");
            assertThat(m.correlationData()).hasValueSatisfying(cd -> assertThat(cd).isEqualTo("cd-1".getBytes(UTF_8)));
            assertThat(m.responseTopic()).contains("v5/props/reply");
            assertThat(m.messageExpiryInterval().getAsLong()).isBetween(55L, 60L);
            assertThat(m.payloadIsUtf8()).isTrue();
        }
    }

    @Test
    @DisplayName("-D connect properties and -x reach the client's CONNECT; -D will properties its will; -D alone means 5.0")
    void connectAndWillProperties() {
        MqttClientConfig config = config("-t", "a", "-m", "x", "-i", "me",
                "-D", "connect", "receive-maximum", "7", "-D", "connect", "maximum-packet-size", "10000",
                "-D", "connect", "topic-alias-maximum", "3", "-D", "connect", "request-response-information", "1",
                "-D", "connect", "request-problem-information", "0", "-D", "connect", "user-property", "who", "me",
                "-x", "0x10", "--will-topic", "w/t", "--will-payload", "gone",
                "-D", "will", "will-delay-interval", "30", "-D", "will", "content-type", "text/plain");

        assertThat(config.version()).isEqualTo(MqttVersion.V5);
        MqttClientConfig.Mqtt5 mqtt5 = config.mqtt5();
        assertThat(mqtt5.sessionExpiryInterval()).as("-x 0x10, read as strtol reads it").isEqualTo(16);
        assertThat(mqtt5.receiveMaximum()).isEqualTo(7);
        assertThat(config.maxPacketSize()).isEqualTo(10_000);
        assertThat(mqtt5.topicAliasMaximum()).isEqualTo(3);
        assertThat(mqtt5.requestResponseInformation()).isTrue();
        assertThat(mqtt5.requestProblemInformation()).isFalse();
        assertThat(mqtt5.userProperties()).containsExactly(new UserProperty("who", "me"));
        assertThat(config.will().properties().all()).containsExactly(
                Property.of(PropertyId.WILL_DELAY_INTERVAL, 30), Property.of(PropertyId.CONTENT_TYPE, "text/plain"));
        assertThat(config.cleanSession()).isTrue();
    }

    @Test
    @DisplayName("-c in 5.0: clean start 0 and a session that never expires, unless -x says otherwise")
    void persistentSession() {
        assertThat(config("-t", "a", "-m", "x", "-V", "5", "-c", "-i", "me").mqtt5().sessionExpiryInterval())
                .isEqualTo(MqttClientConfig.SESSION_NEVER_EXPIRES);
        assertThat(config("-t", "a", "-m", "x", "-V", "5", "-c", "-i", "me", "-x", "60").mqtt5().sessionExpiryInterval()).isEqualTo(60);
        assertThat(config("-t", "a", "-m", "x", "-V", "5", "-x", "∞", "-i", "me").mqtt5().sessionExpiryInterval())
                .isEqualTo(MqttClientConfig.SESSION_NEVER_EXPIRES);
        assertThat(config("-t", "a", "-m", "x", "-V", "311", "-x", "60").mqtt5().sessionExpiryInterval())
                .as("ignored in 3.1.1").isZero();
    }

    @Test
    @DisplayName("a PUBACK refusing the message: mosquitto_pub's warning with the reason, status 0; -l goes on to the next line")
    void refusedPublish() {
        CommandRun one = CommandRun.pub("-p", port(open), "-V", "5", "-t", "ro/x", "-m", "x", "-q", "1");
        assertThat(one.exitCode()).isZero();
        assertThat(one.errLines()).containsExactly("Warning: Publish 1 failed: Not authorized.");

        try (Observer observer = Observer.subscribe(open, "obs-refused", "v5/refused/#", MqttVersion.V5)) {
            CommandRun lines = CommandRun.pubWithStdin("a\nb\n".getBytes(UTF_8), "-p", port(open), "-V", "5", "-t", "ro/y",
                    "-l", "-q", "2");
            assertThat(lines.exitCode()).isZero();
            assertThat(lines.errLines()).containsExactly("Warning: Publish 1 failed: Not authorized.",
                    "Warning: Publish 2 failed: Not authorized.");
            assertThat(observer.messagesBefore("v5/refused/end")).isEmpty();
        }
    }

    @Test
    @DisplayName("QoS above the broker's Maximum QoS: mosquitto_pub's error, nothing published, status 0")
    void qosNotSupported() {
        try (Observer observer = Observer.subscribe(qos1, "obs-qos1", "q/#", MqttVersion.V5)) {
            CommandRun run = CommandRun.pub("-p", port(qos1), "-V", "5", "-t", "q/a", "-m", "x", "-q", "2");

            assertThat(run.exitCode()).isZero();
            assertThat(run.errLines()).containsExactly("Error: Message QoS not supported on broker, try a lower QoS.");
            assertThat(observer.messagesBefore("q/end")).isEmpty();
        }
    }

    @Test
    @DisplayName("a retained message to a broker without Retain Available: refused by the client for it, as a refusal warning")
    void retainNotAvailable() {
        try (Observer observer = Observer.subscribe(qos1, "obs-retain", "r/#", MqttVersion.V5)) {
            CommandRun run = CommandRun.pub("-p", port(qos1), "-V", "5", "-t", "r/a", "-m", "x", "-q", "1", "-r");

            assertThat(run.exitCode()).isZero();
            assertThat(run.errLines()).containsExactly("Warning: Publish 1 failed: Retain not supported.");
            assertThat(observer.messagesBefore("r/end")).isEmpty();
        }
    }

    @Test
    @DisplayName("a refusing 5.0 CONNACK: mosquitto_pub's two lines, the reason code as the status (134, 135)")
    void refusedConnection() {
        CommandRun badPassword = CommandRun.pub("-p", port(guarded), "-V", "5", "-t", "a", "-m", "x", "-u", "alice", "-P", "wrong",
                "-d", "-i", "refused5");
        assertThat(badPassword.exitCode()).isEqualTo(134);
        assertThat(badPassword.errLines()).containsExactly("Connection error: Bad User Name or Password",
                "Error: A network protocol error occurred when communicating with the broker.");
        assertThat(badPassword.out().lines()).containsExactly("Client refused5 sending CONNECT", "Client refused5 received CONNACK (134)");

        CommandRun anonymous = CommandRun.pub("-p", port(guarded), "-V", "mqttv5", "-t", "a", "-m", "x");
        assertThat(anonymous.exitCode()).isEqualTo(135);
        assertThat(anonymous.errLines()).containsExactly("Connection error: Not authorized",
                "Error: A network protocol error occurred when communicating with the broker.");

        CommandRun method = CommandRun.pub("-p", port(open), "-t", "v5/a", "-m", "x", "-D", "connect", "authentication-method", "NOPE");
        assertThat(method.exitCode()).isEqualTo(140);
        assertThat(method.errLines()).containsExactly("Connection error: Bad authentication method",
                "Error: A network protocol error occurred when communicating with the broker.");
    }

    @Test
    @DisplayName("-P without -u is fine in 5.0 (the broker decides); -c without -i needs an id for its never-ending session")
    void mqtt5Arguments() {
        assertThat(config("-t", "a", "-m", "x", "-V", "5", "-P", "secret").password()).isEqualTo("secret".getBytes(UTF_8));

        CommandRun run = CommandRun.pub("-p", port(open), "-V", "5", "-t", "v5/a", "-m", "x", "-c");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly(
                "Error: You must provide a client id if you are using an infinite session expiry interval.",
                "Use 'starling pub --help' to see usage.");
    }

    @Test
    @DisplayName("-D then -V 311: libmosquitto's 'not supported', status 1, nothing sent; -V 311 then -D: 5.0")
    void propertiesIn311() {
        long connections = open.metrics().connectionsOpened.sum();
        CommandRun run = CommandRun.pub("-p", port(open), "-t", "v5/a", "-m", "x", "-D", "publish", "user-property", "k", "v",
                "-V", "311");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("Unable to connect (This feature is not supported.).");
        assertThat(open.metrics().connectionsOpened.sum()).isEqualTo(connections);

        assertThat(config("-t", "a", "-m", "x", "-V", "311", "-D", "publish", "user-property", "k", "v").version())
                .isEqualTo(MqttVersion.V5);
    }

    @Test
    @DisplayName("-D disconnect session-expiry-interval 0 ends a session the CONNECT made to outlive the connection")
    void disconnectProperties() {
        CommandRun.pub("-p", port(open), "-V", "5", "-t", "v5/a", "-m", "x", "-i", "keeps", "-x", "3600").succeeded();
        assertThat(io.starling.broker.BrokerInternals.sessions(open).store().get("keeps")).as("kept for an hour").isNotNull();

        CommandRun.pub("-p", port(open), "-V", "5", "-t", "v5/a", "-m", "x", "-i", "ends", "-x", "3600",
                "-D", "disconnect", "session-expiry-interval", "0").succeeded();
        org.awaitility.Awaitility.await().atMost(CommandRun.WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> io.starling.broker.BrokerInternals.sessions(open).store().get("ends") == null);
        assertThat(io.starling.broker.BrokerInternals.sessions(open).store().get("keeps")).isNotNull();
    }

    @Test
    @DisplayName("the broker's answers in -d: PUBACK with its 5.0 reason code (16: no matching subscribers)")
    void debugReasonCodes() {
        CommandRun run = CommandRun.pub("-p", port(open), "-V", "5", "-t", "v5/nobody", "-m", "x", "-q", "1", "-d", "-i", "dbg5");
        run.succeeded();
        assertThat(run.out().lines()).containsExactly("Client dbg5 sending CONNECT", "Client dbg5 received CONNACK (0)",
                "Client dbg5 sending PUBLISH (d0, q1, r0, m1, 'v5/nobody', ... (1 bytes))",
                "Client dbg5 received PUBACK (Mid: 1, RC:16)", "Client dbg5 sending DISCONNECT");
    }
}
