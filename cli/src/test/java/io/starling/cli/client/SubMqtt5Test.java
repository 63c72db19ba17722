package io.starling.cli.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.session.Session;
import io.starling.client.MqttClient;
import io.starling.client.MqttMessage;
import io.starling.client.ReconnectPolicy;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code starling sub -V 5} against an embedded Starling broker: -F with the message's
 * properties, the subscription options, -D subscribe and -U, and how it ends in 5.0 (with the
 * will on a signal or -W, as mosquitto_sub; with the reason when the broker disconnects).
 */
class SubMqtt5Test {
    private static Broker broker;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startBroker() throws IOException {
        Path acl = Files.writeString(tmp.resolve("acl"), "topic readwrite s5/#\ntopic read denied/readable\n", UTF_8);
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback().withAclFile(acl));
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static String port() {
        return String.valueOf(broker.port());
    }

    /** Starts sub -V 5 as {@code clientId} and waits until the broker routes {@code topic} to it. */
    private static CompletableFuture<CommandRun> subscribed(String clientId, String topic, String... args) {
        List<String> all = new ArrayList<>(List.of("-p", port(), "-V", "5", "-i", clientId, "-W", "15"));
        all.addAll(List.of(args));
        CompletableFuture<CommandRun> sub = CommandRun.subInBackground(all.toArray(String[]::new));
        await("sub's subscription").atMost(CommandRun.WAIT).pollInterval(Duration.ofMillis(5))
                .until(() -> Routes.routesTo(broker, topic, clientId) || sub.isDone());
        assertThat(sub).as("sub is running").isNotDone();
        return sub;
    }

    private static MqttClient publisher(String clientId) {
        MqttClient client = MqttClient.builder().host("127.0.0.1").port(broker.port()).clientId(clientId)
                .version(MqttVersion.V5).reconnect(ReconnectPolicy.DISABLED).build();
        client.blocking().connect();
        return client;
    }

    @Test
    @DisplayName("-F prints the 5.0 properties, and the subscription identifier -D subscribe gave")
    void formatWithProperties() {
        CompletableFuture<CommandRun> sub = subscribed("sub-f", "s5/f/a", "-t", "s5/f/#", "-q", "1", "-C", "1",
                "-D", "subscribe", "subscription-identifier", "7", "-F", "%t|%p|%P|%C|%D|%E|%F|%R|%S|%q|%r|%l");
        try (MqttClient publisher = publisher("pub-f")) {
            publisher.blocking().publish(MqttMessage.builder("s5/f/a").payload("hi").qos(QoS.AT_LEAST_ONCE)
                    .userProperty("k", "v").userProperty("k", "w").contentType("text/plain").correlationData("c1".getBytes(UTF_8))
                    .responseTopic("s5/f/reply").payloadIsUtf8(true).build());
        }

        assertThat(CommandRun.await(sub).succeeded().out()).isEqualTo("s5/f/a|hi|k:v k:w|text/plain|c1||1|s5/f/reply|7|1|0|2\n");
    }

    @Test
    @DisplayName("-F '%j' -N: one JSON object a message, no newline; %m is the PUBLISH's packet id")
    void json() {
        CompletableFuture<CommandRun> sub = subscribed("sub-j", "s5/j/a", "-t", "s5/j/#", "-q", "1", "-C", "2", "-N",
                "-F", "%m %j");
        try (MqttClient publisher = publisher("pub-j")) {
            publisher.blocking().publish("s5/j/a", "one".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            publisher.blocking().publish("s5/j/a", "two".getBytes(UTF_8), QoS.AT_MOST_ONCE, false);
        }

        String out = CommandRun.await(sub).succeeded().out().replaceAll("\"tst\":\"[^\"]+\"", "\"tst\":T");
        assertThat(out).isEqualTo("1 {\"tst\":T,\"topic\":\"s5/j/a\",\"qos\":1,\"retain\":0,\"payloadlen\":3,\"mid\":1,\"payload\":\"one\"}"
                + "0 {\"tst\":T,\"topic\":\"s5/j/a\",\"qos\":0,\"retain\":0,\"payloadlen\":3,\"payload\":\"two\"}");
    }

    @Test
    @DisplayName("%A: the topic alias the broker chose once -D connect topic-alias-maximum allows it; the topic is resolved")
    void topicAlias() {
        CompletableFuture<CommandRun> sub = subscribed("sub-alias", "s5/alias/a", "-t", "s5/alias/#", "-q", "1", "-C", "3",
                "-D", "connect", "topic-alias-maximum", "1", "-F", "%A|%t|%p");
        try (MqttClient publisher = publisher("pub-alias")) {
            for (String payload : List.of("1", "2")) {
                publisher.blocking().publish("s5/alias/a", payload.getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
            }
            publisher.blocking().publish("s5/alias/b", "3".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
        }

        assertThat(CommandRun.await(sub).succeeded().out()).isEqualTo("1|s5/alias/a|1\n1|s5/alias/a|2\n1|s5/alias/b|3\n");
    }

    @Test
    @DisplayName("--nl: the broker does not send back what this client publishes (--remove-retained's empty message)")
    void noLocal() {
        try (MqttClient publisher = publisher("pub-nl")) {
            publisher.blocking().publish("s5/nl/a", "kept".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true);
            publisher.blocking().publish("s5/nl/b", "kept".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true);
        }
        // without --nl the removal comes back as a live empty message: "s5/nl/a (null)"
        CommandRun echoing = CommandRun.sub("-p", port(), "-V", "5", "-i", "sub-echo", "-W", "15", "-t", "s5/nl/a", "-v",
                "-C", "2", "--remove-retained", "-q", "1");
        assertThat(echoing.succeeded().out()).isEqualTo("s5/nl/a kept\ns5/nl/a (null)\n");

        CompletableFuture<CommandRun> local = subscribed("sub-nl", "s5/nl/b", "-t", "s5/nl/b", "-v", "-C", "2",
                "--remove-retained", "-q", "1", "--nl");
        try (MqttClient publisher = publisher("pub-nl2")) {
            publisher.blocking().publish("s5/nl/b", "after".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);
        }
        assertThat(CommandRun.await(local).succeeded().out()).isEqualTo("s5/nl/b kept\ns5/nl/b after\n");
    }

    @Test
    @DisplayName("--rap keeps a live message's retain flag as published; without it the flag says 'not stale'")
    void retainAsPublished() {
        CompletableFuture<CommandRun> plain = subscribed("sub-norap", "s5/rap/a", "-t", "s5/rap/#", "-C", "1", "-F", "%t %r");
        CompletableFuture<CommandRun> rap = subscribed("sub-rap", "s5/rap/a", "-t", "s5/rap/#", "-C", "1", "-F", "%t %r", "--rap");
        try (MqttClient publisher = publisher("pub-rap")) {
            publisher.blocking().publish("s5/rap/a", "x".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true);
            publisher.blocking().publish("s5/rap/a", new byte[0], QoS.AT_LEAST_ONCE, true);
        }

        assertThat(CommandRun.await(plain).succeeded().out()).isEqualTo("s5/rap/a 0\n");
        assertThat(CommandRun.await(rap).succeeded().out()).isEqualTo("s5/rap/a 1\n");
    }

    @Test
    @DisplayName("--rh 2 (and -R in 5.0): the broker sends no retained message on subscribing; --rh 0 it does")
    void retainHandling() {
        try (MqttClient publisher = publisher("pub-rh")) {
            publisher.blocking().publish("s5/rh/a", "old".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true);
            CompletableFuture<CommandRun> never = subscribed("sub-rh2", "s5/rh/a", "-t", "s5/rh/#", "-C", "1", "--rh", "2");
            CompletableFuture<CommandRun> sends = subscribed("sub-rh0", "s5/rh/a", "-t", "s5/rh/#", "-C", "2", "--rh", "0");
            publisher.blocking().publish("s5/rh/a", "new".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false);

            assertThat(CommandRun.await(never).succeeded().out()).isEqualTo("new\n");
            assertThat(CommandRun.await(sends).succeeded().out()).isEqualTo("old\nnew\n");
            publisher.blocking().publish("s5/rh/a", new byte[0], QoS.AT_LEAST_ONCE, true);
        }
    }

    @Test
    @DisplayName("-d shows the options byte of each SUBSCRIBE line: no local 0x04, retain as published 0x08, retain handling x 0x10")
    void optionsInDebug() {
        CommandRun run = CommandRun.sub("-p", port(), "-V", "5", "-i", "sub-opts", "-t", "s5/o/a", "-t", "s5/o/b", "--nl",
                "--rap", "-R", "-d", "-W", "1");
        assertThat(run.exitCode()).isEqualTo(27);
        assertThat(run.out().lines().filter(line -> line.contains("SUBSCRIBE")))
                .containsExactly("Client sub-opts sending SUBSCRIBE (Mid: 1, Topic: s5/o/a, QoS: 0, Options: 0x2c)",
                        "Client sub-opts sending SUBSCRIBE (Mid: 1, Topic: s5/o/b, QoS: 0, Options: 0x2c)");
    }

    @Test
    @DisplayName("-U unsubscribes after subscribing: a persistent session keeps no subscription to it")
    void unsubscribe() {
        CommandRun kept = CommandRun.sub("-p", port(), "-V", "5", "-c", "-i", "sub-keep", "-x", "60", "-t", "s5/u/#", "-W", "1");
        CommandRun dropped = CommandRun.sub("-p", port(), "-V", "5", "-c", "-i", "sub-drop", "-x", "60", "-t", "s5/u/#",
                "-U", "s5/u/#", "-W", "1", "-D", "unsubscribe", "user-property", "why", "done", "-d");

        assertThat(kept.exitCode()).isEqualTo(27);
        assertThat(dropped.exitCode()).isEqualTo(27);
        assertThat(dropped.out().lines()).contains("Client sub-drop sending UNSUBSCRIBE (Mid: 2, Topic: s5/u/#)",
                "Client sub-drop received UNSUBACK");
        assertThat(Routes.routesTo(broker, "s5/u/x", "sub-keep")).isTrue();
        assertThat(Routes.routesTo(broker, "s5/u/x", "sub-drop")).isFalse();
    }

    @Test
    @DisplayName("-W in 5.0 disconnects with 0x04, as mosquitto_sub's alarm does: the broker publishes the will, with its -D will properties")
    void timeoutPublishesWill() {
        try (Observer watcher = Observer.subscribe(broker, "will-watch", "s5/will/#", MqttVersion.V5)) {
            CommandRun v5 = CommandRun.sub("-p", port(), "-V", "5", "-t", "s5/none", "-W", "1",
                    "--will-topic", "s5/will/v5", "--will-payload", "gone",
                    "-D", "will", "content-type", "text/plain", "-D", "will", "user-property", "why", "timeout");
            CommandRun v311 = CommandRun.sub("-p", port(), "-t", "s5/none", "-W", "1",
                    "--will-topic", "s5/will/v311", "--will-payload", "gone");

            assertThat(v5.exitCode()).isEqualTo(27);
            assertThat(v5.errLines()).containsExactly("Timed out");
            assertThat(v311.exitCode()).isEqualTo(27);
            List<MqttMessage> wills = watcher.messagesBefore("s5/will/end");
            assertThat(wills).extracting(MqttMessage::topic).containsExactly("s5/will/v5");
            assertThat(wills.get(0).contentType()).contains("text/plain");
            assertThat(wills.get(0).userProperties()).extracting(p -> p.name() + "=" + p.value()).containsExactly("why=timeout");
        }
    }

    @Test
    @DisplayName("the broker's DISCONNECT (another client took the session over): its reason on standard error, status 7")
    @SuppressWarnings("try") // connecting takes the session over: nothing else to do with it
    void disconnectedByBroker() {
        CompletableFuture<CommandRun> sub = subscribed("sub-taken", "s5/t/a", "-t", "s5/t/#");
        try (Observer takeOver = Observer.connect(broker, "sub-taken", MqttVersion.V5)) {
            CommandRun run = CommandRun.await(sub);

            assertThat(run.exitCode()).isEqualTo(7);
            assertThat(run.errLines()).first().isEqualTo("Error: Disconnected by the broker: Session taken over.");
        }
    }

    @Test
    @DisplayName("every subscription refused (5.0: 0x87): mosquitto_sub's message, and -d's Subscribed line shows 135")
    void refused() {
        CommandRun run = CommandRun.sub("-p", port(), "-V", "5", "-i", "sub-denied", "-t", "denied/x", "-d", "-W", "10");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("All subscription requests were denied.");
        assertThat(run.out().lines()).contains("Subscribed (mid: 1): 135");
    }
}
