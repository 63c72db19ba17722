package io.starling.cli.bench.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.cli.bench.NettyLeakCheck;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code starling bench} on the command line, run in process against an embedded broker: the
 * summary (and JSON line) on standard output, progress on standard error, help for every
 * subcommand and flag, one-line errors, and the exit codes 0, 1 and 2.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchCommandTest {
    private static Broker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    @DisplayName("starling bench pubsub prints progress on stderr, the summary and a JSON line on stdout, and exits 0")
    void pubsub() {
        CommandRun run = CommandRun.starling("bench", "pubsub", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()), "--shape", "pairs",
                "--publishers", "2", "-q", "1", "--duration", "1500ms", "--threads", "2", "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo(
                "bench pubsub: pairs, 2 publishers -> 2 subscribers, MQTT 3.1.1, QoS 1, 64-byte payloads, max rate (in-flight 64,"
                        + " backlog 1000), 1.500 s");
        assertThat(lines).anyMatch(l -> l.matches("connections +4 \\(0 failed, 0 lost\\)"))
                .anyMatch(l -> l.matches("lost +0"))
                .anyMatch(l -> l.matches("duplicated +0"))
                .anyMatch(l -> l.matches("out of order +0"))
                .anyMatch(l -> l.matches("latency \\(us\\) +p50 \\d+  p99 \\d+  p99\\.9 \\d+  max \\d+  mean [\\d.]+  \\(\\d+ samples\\)"));
        String json = lines.get(lines.size() - 1);
        assertThat(json).startsWith("{\"command\":\"pubsub\",").endsWith("}").contains("\"lost\":0,", "\"interrupted\":false",
                "\"protocol\":\"3.1.1\",");
        long sent = jsonLong(json, "sent");
        assertThat(sent).isPositive();
        assertThat(jsonLong(json, "acknowledged")).isEqualTo(sent);
        assertThat(jsonLong(json, "received")).isEqualTo(sent);
        assertThat(jsonLong(json, "expected")).isEqualTo(sent);
        assertThat(run.err()).containsPattern("1\\.0 s  conns 4  sent \\d+/s  recv \\d+/s");
    }

    @Test
    @DisplayName("starling bench pubsub -V 5: the run speaks MQTT 5.0 and says so in its header and JSON line")
    void pubsubV5() {
        CommandRun run = CommandRun.starling("bench", "pubsub", "-V", "5", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()),
                "--shape", "pairs", "--publishers", "2", "-q", "1", "--duration", "1500ms", "--threads", "2", "--json", "--quiet");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).matches("bench pubsub: pairs, 2 publishers -> 2 subscribers, MQTT 5\\.0, QoS 1, 64-byte payloads,"
                + " max rate \\(in-flight .*, backlog 1000\\), 1\\.500 s");
        String json = lines.get(lines.size() - 1);
        assertThat(json).contains("\"protocol\":\"5.0\",", "\"lost\":0,", "\"duplicated\":0,");
        long sent = jsonLong(json, "sent");
        assertThat(sent).isPositive();
        assertThat(jsonLong(json, "received")).isEqualTo(sent);
    }

    private static long jsonLong(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as(field + " in " + json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    @DisplayName("starling bench conn: a bad --source-address is a one-line error naming it and exit code 2")
    void connRefusesAHostName() {
        CommandRun run = CommandRun.starling("bench", "conn", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()),
                "--source-address", "127.0.0.2,broker.example", "--quiet");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).containsExactly("starling bench conn: --source-address takes IP addresses"
                + " such as 127.0.0.2, not 'broker.example' (see 'starling bench conn --help')");
    }

    @Test
    @DisplayName("starling bench conn: comma-separated and repeated --source-address values add up, and help documents them")
    void connSourceAddresses() {
        CommandRun run = CommandRun.starling("bench", "conn", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()), "-c", "6",
                "--source-address", "127.0.0.2", "--source-address", "127.0.0.3,127.0.0.4", "--duration", "300ms",
                "--threads", "1", "--quiet");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().findFirst()).hasValue("bench conn: 6 connections, as fast as possible, from 3 source addresses,"
                + " MQTT 3.1.1, keep alive 60 s, 0.300 s");
        assertThat(run.out()).containsPattern("connections +6 \\(0 failed, 0 lost\\)");
        assertThat(CommandRun.starling("bench", "conn", "--help").out()).contains("--source-address=ADDR", "round robin", "ulimit -n");
    }

    @Test
    @DisplayName("help documents every subcommand and flag")
    void help() {
        CommandRun bench = CommandRun.starling("bench", "--help");
        assertThat(bench.exitCode()).isZero();
        assertThat(bench.out()).contains("Usage: starling bench", "conn", "pub", "sub", "pubsub");
        CommandRun pubsub = CommandRun.starling("bench", "pubsub", "--help");
        assertThat(pubsub.exitCode()).isZero();
        assertThat(pubsub.out()).contains("-h, --host", "-p, --port", "-V, --protocol-version", "-u, --username", "-P, --pw",
                "-q, --qos", "--client-prefix", "--threads", "--duration", "--keepalive", "--json", "--warmup", "--shape",
                "--publishers", "--subscribers", "-s, --size", "--rate", "--count", "--inflight", "--max-backlog", "--drain");
        assertThat(CommandRun.starling("bench", "conn", "--help").out()).contains("-c=N", "--rate");
        assertThat(CommandRun.starling("bench", "pub", "--help").out()).contains("-t, --topic", "%i", "--inflight");
        assertThat(CommandRun.starling("bench", "sub", "--help").out()).contains("-t, --topic", "--count");
    }

    @Test
    @DisplayName("a bad flag or value is a one-line error and exit code 2")
    void badFlag() {
        CommandRun unknown = CommandRun.starling("bench", "pubsub", "--no-such-flag");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err().lines().toList()).containsExactly(
                "starling bench pubsub: Unknown option: '--no-such-flag' (see 'starling bench pubsub --help')");

        CommandRun qos = CommandRun.starling("bench", "pub", "-q", "3");
        assertThat(qos.exitCode()).isEqualTo(2);
        assertThat(qos.err().lines().toList()).containsExactly("starling bench pub: Invalid value for option '--qos': "
                + "the QoS is 0, 1 or 2, not '3' (see 'starling bench pub --help')");

        CommandRun shape = CommandRun.starling("bench", "pubsub", "--shape", "fan-in", "--subscribers", "2");
        assertThat(shape.exitCode()).isEqualTo(2);
        assertThat(shape.err().lines().toList()).containsExactly(
                "starling bench pubsub: fan-in has one subscriber, not 2 (see 'starling bench pubsub --help')");
    }

    @Test
    @Timeout(value = 15, unit = TimeUnit.SECONDS)
    @DisplayName("an unreachable broker is a clear one-line error and exit code 1, at once")
    void unreachable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String expected = "cannot connect to 127.0.0.1:" + closedPort + ": connection refused";
        for (String command : new String[] {"pubsub", "pub", "sub", "conn"}) {
            long start = System.nanoTime();
            CommandRun run = CommandRun.starling("bench", command, "-h", "127.0.0.1", "-p", Integer.toString(closedPort), "--duration", "30s",
                    "--quiet");
            assertThat(run.exitCode()).as(command).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err().lines().toList()).as(command).containsExactly("starling bench " + command + ": " + expected);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(command).isLessThan(Duration.ofSeconds(3));
        }
    }
}
