package io.starling.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.BrokerInternals;
import io.starling.broker.internal.session.Session;
import io.starling.it.CliProcesses.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
 * {@code bin/starling pub}, {@code sub} and {@code rr} in MQTT 5.0 side by side with Mosquitto
 * 2.0's {@code mosquitto_pub}, {@code mosquitto_sub} and {@code mosquitto_rr}, through the
 * embedded Starling broker and Debian's Mosquitto: -D properties sent by one tool and printed by
 * the other's -F, the same -F output from both subscribers, request/response with responders
 * made of the other side's tools, and the same messages and statuses when a broker refuses.
 * Without Mosquitto's broker or tools installed the cases are skipped and say so; in CI ({@code
 * CI=true}) they fail instead.
 */
class CliMqtt5InteropTest {
    private static final Duration WAIT = CliProcesses.WAIT;
    /** Every PUBLISH property mosquitto_pub takes, for both publishers. */
    private static final List<String> PROPERTIES = List.of(
            "-D", "publish", "user-property", "k", "v", "-D", "publish", "user-property", "k", "w 2",
            "-D", "publish", "content-type", "text/plain", "-D", "publish", "correlation-data", "cd-1",
            "-D", "publish", "response-topic", "reply/here", "-D", "publish", "message-expiry-interval", "3600",
            "-D", "publish", "payload-format-indicator", "1");
    /** The -F conversions that do not depend on the time or on the broker's choices. */
    private static final String FORMAT = "%t|%p|%P|%C|%D|%F|%R|%q|%r|%l|%x|%X|%10.3t|%-6C|%05l|%S|\\t%%";

    @RegisterExtension
    static final EmbeddedBroker starling = new EmbeddedBroker();

    /** Null when Mosquitto is not installed (outside CI): its cases are skipped. */
    private static MosquittoBroker mosquitto;

    @TempDir
    Path tmp;

    private CliProcesses processes;

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
    void requireTools() {
        boolean installed = Files.isExecutable(CliProcesses.MOSQUITTO_PUB) && Files.isExecutable(CliProcesses.MOSQUITTO_SUB)
                && Files.isExecutable(CliProcesses.MOSQUITTO_RR);
        assumeTrue(installed || "true".equals(System.getenv("CI")), "skipped: apt-get install mosquitto-clients");
        processes = new CliProcesses(tmp);
    }

    @AfterEach
    void stopEverything() throws InterruptedException {
        if (processes != null) {
            processes.close();
        }
    }

    // ---- properties across, and -F alike

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    @DisplayName("starling pub -V 5 -D publish ... is printed by mosquitto_sub -V 5 -F with every property as sent")
    void starlingPubToMosquittoSub(Target target) throws Exception {
        String port = port(target);
        String topic = "cli5/ms/" + name(target);
        Run sub = processes.mosquitto(CliProcesses.MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", port, "-V", "5", "-t", topic, "-q", "1",
                "-C", "1", "-W", "30", "-i", "cli5-msub-" + name(target), "-F", "%t|%p|%P|%C|%D|%E|%F|%R|%q");
        awaitSubscribed(target, topic, "cli5-msub-" + name(target));

        Run pub = processes.starling(args("pub", "-p", port, "-V", "5", "-t", topic, "-m", "héllo", "-q", "1"));
        assertThat(pub.exitCode()).as("stderr %s", pub.stderr()).isZero();

        assertThat(sub.exitCode()).as("stderr %s", sub.stderr()).isZero();
        assertThat(sub.stdout()).matches(topic.replace("/", "\\/")
                + "\\|héllo\\|k:v k:w 2\\|text/plain\\|cd-1\\|(3600|3599)\\|1\\|reply/here\\|1\\n");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    @DisplayName("mosquitto_pub -V 5 -D publish ... is printed by starling sub -V 5 -F exactly as mosquitto_sub -F prints it")
    void mosquittoPubToBothSubs(Target target) throws Exception {
        String port = port(target);
        String topic = "cli5/sm/" + name(target);
        String starlingId = "cli5-ssub-" + name(target);
        String mosquittoId = "cli5-msub2-" + name(target);
        Run ours = processes.starling("sub", "-p", port, "-V", "5", "-t", topic, "-q", "1", "-C", "1", "-W", "30", "-i", starlingId,
                "-D", "subscribe", "subscription-identifier", "7", "-F", FORMAT);
        Run theirs = processes.mosquitto(CliProcesses.MOSQUITTO_SUB, "-h", "127.0.0.1", "-p", port, "-V", "5", "-t", topic,
                "-q", "1", "-C", "1", "-W", "30", "-i", mosquittoId, "-D", "subscribe", "subscription-identifier", "7", "-F", FORMAT);
        awaitSubscribed(target, topic, starlingId);
        awaitSubscribed(target, topic, mosquittoId);

        Run pub = processes.mosquitto(CliProcesses.MOSQUITTO_PUB, args("-h", "127.0.0.1", "-p", port, "-V", "5", "-t", topic,
                "-m", "héllo wörld", "-q", "1"));
        assertThat(pub.exitCode()).isZero();

        assertThat(ours.exitCode()).as("stderr %s", ours.stderr()).isZero();
        assertThat(theirs.exitCode()).isZero();
        String expected = topic + "|héllo wörld|k:v k:w 2|text/plain|cd-1|1|reply/here|1|0|13|68c3a96c6c6f2077c3b6726c64"
                + "|68C3A96C6C6F2077C3B6726C64|       cli|text/plain|00013|7|\t%\n";
        assertThat(theirs.stdout()).isEqualTo(expected);
        assertThat(ours.stdoutBytes()).isEqualTo(theirs.stdoutBytes());
    }

    @Test
    @DisplayName("%J --pretty: starling sub writes mosquitto_sub's JSON byte for byte (the time aside)")
    void prettyJsonAlike() throws Exception {
        requireMosquitto();
        String port = String.valueOf(mosquitto.port());
        String topic = "cli5/json";
        String[] common = {"-p", port, "-V", "5", "-t", topic, "-q", "1", "-C", "1", "-W", "30", "-F", "%J", "--pretty"};
        Run ours = processes.starling(concat(new String[] {"sub", "-i", "cli5-json-s"}, common));
        Run theirs = processes.mosquitto(CliProcesses.MOSQUITTO_SUB, concat(new String[] {"-h", "127.0.0.1", "-i", "cli5-json-m"}, common));
        awaitSubscribed(Target.MOSQUITTO, topic, "cli5-json-s");
        awaitSubscribed(Target.MOSQUITTO, topic, "cli5-json-m");

        String json = "{\"a\":[1,2.50,{\"b\":null,\"c\":true}],\"d\":{},\"e\":[],\"f\":\"x\\u00e9\\/\",\"g\":1e3,\"h\":0.1,"
                + "\"j\":12345678901234567890}";
        Run pub = processes.mosquitto(CliProcesses.MOSQUITTO_PUB, args("-h", "127.0.0.1", "-p", port, "-V", "5", "-t", topic,
                "-m", json, "-q", "1"));
        assertThat(pub.exitCode()).isZero();

        assertThat(ours.exitCode()).as("stderr %s", ours.stderr()).isZero();
        assertThat(theirs.exitCode()).isZero();
        // mosquitto 2.0.11 writes the time as ...Z+0000, fixed in 2.0.13 to ...+0000, as here
        assertThat(withoutTime(ours.stdout())).isEqualTo(withoutTime(theirs.stdout()));
        assertThat(ours.stdout()).contains("\t\"payload\":\t{\n\t\t\"a\":\t[1, 2.5, {\n");
    }

    // ---- request/response

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    @DisplayName("starling rr, answered by a responder made of mosquitto_sub and mosquitto_pub echoing the Correlation Data")
    void starlingRrMosquittoResponder(Target target) throws Exception {
        String port = port(target);
        String requests = "cli5/rr/req/" + name(target);
        String id = "cli5-responder-" + name(target);
        Run responder = processes.shell("mosquitto_sub -h 127.0.0.1 -p " + port + " -V 5 -i " + id + " -t " + requests
                + " -C 1 -W 30 -F '%R %D %p' | while read -r topic cd payload; do"
                + " mosquitto_pub -h 127.0.0.1 -p " + port + " -V 5 -t \"$topic\" -D publish correlation-data \"$cd\""
                + " -m \"answer to $payload\"; done");
        awaitSubscribed(target, requests, id);

        Run rr = processes.starling("rr", "-p", port, "-t", requests, "-e", "cli5/rr/resp/" + name(target), "-m", "ping",
                "-W", "30", "-F", "%t %p");

        assertThat(rr.exitCode()).as("stderr %s", rr.stderr()).isZero();
        assertThat(rr.stdout()).isEqualTo("cli5/rr/resp/" + name(target) + " answer to ping\n");
        assertThat(responder.exitCode()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    @DisplayName("mosquitto_rr, answered by a responder made of starling sub and starling pub")
    void mosquittoRrStarlingResponder(Target target) throws Exception {
        String port = port(target);
        String requests = "cli5/rr2/req/" + name(target);
        String id = "cli5-sresponder-" + name(target);
        Run responder = processes.shell(CliProcesses.LAUNCHER + " sub -p " + port + " -V 5 -i " + id + " -t " + requests
                + " -C 1 -W 30 -F '%R %D %p' | while read -r topic cd payload; do " + CliProcesses.LAUNCHER
                + " pub -p " + port + " -V 5 -t \"$topic\" -D publish correlation-data \"$cd\" -m \"answer to $payload\"; done");
        awaitSubscribed(target, requests, id);

        Run rr = processes.mosquitto(CliProcesses.MOSQUITTO_RR, "-h", "127.0.0.1", "-p", port, "-t", requests,
                "-e", "cli5/rr2/resp/" + name(target), "-m", "pong", "-W", "30", "-D", "publish", "correlation-data", "c-42", "-v");

        assertThat(rr.exitCode()).as("stderr %s", rr.stderr()).isZero();
        assertThat(rr.stdout()).isEqualTo("cli5/rr2/resp/" + name(target) + " answer to pong\n");
        assertThat(responder.exitCode()).as("stderr %s", responder.stderr()).isZero();
    }

    @Test
    @DisplayName("no response within -W: starling rr and mosquitto_rr both print 'Timed out' and exit 27")
    void rrTimeoutAlike() throws Exception {
        String port = String.valueOf(starling.port());
        Run ours = processes.starling("rr", "-p", port, "-t", "cli5/nobody", "-e", "cli5/none", "-m", "x", "-W", "1");
        Run theirs = processes.mosquitto(CliProcesses.MOSQUITTO_RR, "-h", "127.0.0.1", "-p", port, "-t", "cli5/nobody",
                "-e", "cli5/none", "-m", "x", "-W", "1");

        assertThat(ours.exitCode()).isEqualTo(27).isEqualTo(theirs.exitCode());
        assertThat(ours.stderr()).containsExactly("Timed out").isEqualTo(theirs.stderr());
    }

    // ---- refusals and bad arguments, as mosquitto's tools report them

    @Test
    @DisplayName("Mosquitto refusing the connection (5.0 CONNACK 0x87): the same lines and status 135 from starling's and mosquitto's tools")
    void refusedConnectionAlike() throws Exception {
        requireMosquitto();
        try (MosquittoBroker guarded = new MosquittoBroker().withUser("alice", "secret").start()) {
            String port = String.valueOf(guarded.port());
            String[] pub = {"-p", port, "-V", "5", "-t", "a", "-m", "x", "-u", "alice", "-P", "wrong"};
            String[] sub = {"-p", port, "-V", "5", "-t", "a", "-u", "alice", "-P", "wrong", "-W", "20"};
            String[] rr = {"-p", port, "-t", "a", "-e", "b", "-m", "x", "-u", "alice", "-P", "wrong", "-W", "20"};
            List<Run> ours = List.of(processes.starling(concat(new String[] {"pub"}, pub)),
                    processes.starling(concat(new String[] {"sub"}, sub)), processes.starling(concat(new String[] {"rr"}, rr)));
            List<Run> theirs = List.of(processes.mosquitto(CliProcesses.MOSQUITTO_PUB, concat(new String[] {"-h", "127.0.0.1"}, pub)),
                    processes.mosquitto(CliProcesses.MOSQUITTO_SUB, concat(new String[] {"-h", "127.0.0.1"}, sub)),
                    processes.mosquitto(CliProcesses.MOSQUITTO_RR, concat(new String[] {"-h", "127.0.0.1"}, rr)));

            for (int i = 0; i < ours.size(); i++) {
                assertThat(ours.get(i).exitCode()).isEqualTo(135).isEqualTo(theirs.get(i).exitCode());
                assertThat(ours.get(i).stderr()).isEqualTo(theirs.get(i).stderr());
            }
            assertThat(ours.get(0).stderr()).containsExactly("Connection error: Not authorized",
                    "Error: A network protocol error occurred when communicating with the broker.");
        }
    }

    @Test
    @DisplayName("Mosquitto refusing a QoS 1 publish by its ACL (PUBACK 0x87): the same warning and status 0 from both pubs")
    void refusedPublishAlike() throws Exception {
        requireMosquitto();
        Path acl = Files.writeString(tmp.resolve("acl"), "topic read readonly/#\n", UTF_8);
        try (MosquittoBroker withAcl = new MosquittoBroker().withConfig("acl_file " + acl).start()) {
            String port = String.valueOf(withAcl.port());
            String[] args = {"-p", port, "-V", "5", "-t", "readonly/x", "-m", "x", "-q", "1"};
            Run ours = processes.starling(concat(new String[] {"pub"}, args));
            Run theirs = processes.mosquitto(CliProcesses.MOSQUITTO_PUB, concat(new String[] {"-h", "127.0.0.1"}, args));

            assertThat(ours.exitCode()).isZero().isEqualTo(theirs.exitCode());
            assertThat(ours.stderr()).containsExactly("Warning: Publish 1 failed: Not authorized.").isEqualTo(theirs.stderr());
        }
    }

    @Test
    @DisplayName("bad -D and -F arguments: mosquitto's message and status 1 from starling's tools too")
    void badArgumentsAlike() throws Exception {
        List<List<String>> cases = List.of(
                List.of("pub", "-t", "a", "-m", "x", "-D", "publish", "bogus", "1"),
                List.of("pub", "-t", "a", "-m", "x", "-D", "bogus", "user-property", "k", "v"),
                List.of("pub", "-t", "a", "-m", "x", "-D", "connect", "content-type", "x"),
                List.of("pub", "-t", "a", "-m", "x", "-D", "publish", "subscription-identifier", "1"),
                List.of("pub", "-t", "a", "-m", "x", "-D", "publish", "payload-format-indicator", "256"),
                List.of("pub", "-t", "a", "-m", "x", "-D", "publish", "user-property", "k"),
                List.of("pub", "-t", "a", "-m", "x", "-D", "publish", "content-type", "x", "-D", "publish", "content-type", "y"),
                List.of("pub", "-t", "a", "-m", "x", "-D", "publish", "topic-alias", "0"),
                List.of("pub", "-t", "a", "-m", "x", "-x", "abc"),
                List.of("sub", "-t", "a", "-F", "%k"),
                List.of("sub", "-t", "a", "-F", "%10"),
                List.of("sub", "-t", "a", "-F", "\\q"),
                List.of("rr", "-t", "a", "-m", "x"));
        List<Run[]> runs = new ArrayList<>();
        for (List<String> c : cases) {
            String tool = c.get(0);
            String[] args = c.subList(1, c.size()).toArray(String[]::new);
            runs.add(new Run[] {processes.starling(concat(new String[] {tool, "-p", "1"}, args)),
                    processes.mosquitto(Path.of("/usr/bin/mosquitto_" + tool), concat(new String[] {"-p", "1"}, args))});
        }
        for (int i = 0; i < cases.size(); i++) {
            Run ours = runs.get(i)[0];
            Run theirs = runs.get(i)[1];
            List<String> c = cases.get(i);
            assertThat(ours.exitCode()).as("%s", c).isEqualTo(1).isEqualTo(theirs.exitCode());
            // mosquitto puts blank lines before its usage hint, which names its own tool
            assertThat(ours.stderr()).as("%s", c).hasSize(2);
            assertThat(ours.stderr().get(0)).as("%s", c).isEqualTo(theirs.stderr().get(0));
            assertThat(ours.stderr().get(1)).isEqualTo("Use 'starling " + c.get(0) + " --help' to see usage.");
        }
    }

    // ---- helpers

    private static String port(Target target) {
        if (target == Target.MOSQUITTO) {
            requireMosquitto();
            return String.valueOf(mosquitto.port());
        }
        return String.valueOf(starling.port());
    }

    private static String name(Target target) {
        return target.name().toLowerCase(Locale.ROOT);
    }

    private static void requireMosquitto() {
        assumeTrue(mosquitto != null, "skipped: apt-get install mosquitto to run the cases against Mosquitto");
    }

    /** Waits until the broker has subscribed {@code clientId} to {@code topic}. */
    private static void awaitSubscribed(Target target, String topic, String clientId) {
        if (target == Target.MOSQUITTO) {
            await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> mosquitto.readLog().contains("Sending SUBACK to " + clientId));
            return;
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
            AtomicBoolean found = new AtomicBoolean();
            BrokerInternals.router(starling.broker()).subscriptions().match(topic, (subscriber, qos) -> {
                if (subscriber instanceof Session session && session.clientId().equals(clientId)) {
                    found.set(true);
                }
            });
            return found.get();
        });
    }

    /** A publisher's arguments: {@code args}, then every -D publish property. */
    private static String[] args(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(PROPERTIES);
        return all.toArray(String[]::new);
    }

    private static String[] concat(String[] first, String... rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(rest));
        return all.toArray(String[]::new);
    }

    private static String withoutTime(String json) {
        return json.replaceAll("\"tst\":\t\"[^\"]*\"", "\"tst\":\tT");
    }
}
