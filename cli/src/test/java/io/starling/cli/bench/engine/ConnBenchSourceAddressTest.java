package io.starling.cli.bench.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.cli.Starling;
import io.starling.cli.bench.NettyLeakCheck;
import io.starling.cli.bench.stats.BenchSummary;
import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench conn --source-address}: connections leave from the given loopback addresses in
 * turn, as the broker's own sockets show ({@code ss} lists the peers of the broker's port), bad
 * values are refused by name, and running out of file descriptors is reported as such.
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnBenchSourceAddressTest {
    private static Broker broker;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback());
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    private static BenchSettings settings() {
        return BenchSettings.defaults().withBroker("127.0.0.1", broker.port()).withQos(QoS.AT_MOST_ONCE).withThreads(1)
                .withDuration(Duration.ofSeconds(30)).withProgress(false);
    }

    private static List<InetAddress> addresses(String... literals) {
        return ConnOptions.parseSourceAddresses(List.of(literals));
    }

    /**
     * The remote addresses of the broker's established connections, with how many come from each,
     * as the kernel lists them: {@code ss} shows the sockets whose local port is the broker's.
     */
    private static Map<String, Integer> peersOfBroker() throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-H", "-t", "-n", "state", "established", "sport", "=", ":" + broker.port())
                .redirectErrorStream(true).start();
        String out;
        try {
            out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ss.waitFor(5, TimeUnit.SECONDS)).as("ss ended").isTrue();
        } finally {
            ss.destroyForcibly();
        }
        assertThat(ss.exitValue()).as(out).isZero();
        Map<String, Integer> peers = new TreeMap<>();
        for (String line : out.lines().filter(l -> !l.isBlank()).toList()) {
            // Recv-Q Send-Q Local:Port Peer:Port (no state column when a state is asked for)
            String[] columns = line.trim().split("\\s+");
            assertThat(ipv4(columns[2])).as(line).isEqualTo("127.0.0.1");
            peers.merge(ipv4(columns[3]), 1, Integer::sum);
        }
        return peers;
    }

    /** The IPv4 address of "127.0.0.2:40000" or, from the broker's dual-stack socket, "[::ffff:127.0.0.2]:40000". */
    private static String ipv4(String addressAndPort) {
        String address = addressAndPort.substring(0, addressAndPort.lastIndexOf(':'));
        return address.startsWith("[::ffff:") ? address.substring("[::ffff:".length(), address.length() - 1) : address;
    }

    /** Runs {@code bench} until it holds its connections, hands the broker's peers to the caller, then stops it. */
    private static Map<String, Integer> peersWhileHeld(ConnBench bench, int connections) throws Exception {
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<BenchSummary> running = CompletableFuture.supplyAsync(bench::run, runner);
            bench.started().get(10, TimeUnit.SECONDS);
            // CONNACK came, so the broker has accepted every one; await only bounds the check
            await().atMost(Duration.ofSeconds(5)).until(() -> peersOfBroker().values().stream().mapToInt(Integer::intValue).sum()
                    == connections);
            Map<String, Integer> peers = peersOfBroker();
            bench.stop();
            BenchSummary s = running.get(10, TimeUnit.SECONDS);
            assertThat(s.connections()).isEqualTo(connections);
            assertThat(s.connectFailed()).isZero();
            assertThat(s.disconnected()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> peersOfBroker().isEmpty());
            return peers;
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    @DisplayName("6 connections from 127.0.0.2 and 127.0.0.3 reach the broker 3 from each")
    void roundRobinOverSourceAddresses() throws Exception {
        ConnBench bench = new ConnBench(new ConnOptions(settings(), 6, 0, addresses("127.0.0.2", "127.0.0.3")));
        assertThat(peersWhileHeld(bench, 6)).containsExactly(Map.entry("127.0.0.2", 3), Map.entry("127.0.0.3", 3));
    }

    @Test
    @DisplayName("without --source-address the system chooses: all 4 connections come from 127.0.0.1")
    void withoutSourceAddresses() throws Exception {
        ConnBench bench = new ConnBench(new ConnOptions(settings(), 4, 0));
        assertThat(peersWhileHeld(bench, 4)).containsExactly(Map.entry("127.0.0.1", 4));
    }

    @Test
    @DisplayName("an address this machine does not have is a clear error naming it")
    void addressNotOfThisMachine() {
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): bind fails locally with EADDRNOTAVAIL, nothing is sent
        ConnBench bench = new ConnBench(new ConnOptions(settings(), 3, 0, addresses("192.0.2.1")));
        assertThatThrownBy(bench::run).isInstanceOf(BenchException.class)
                .hasMessageStartingWith("cannot connect to 127.0.0.1:" + broker.port() + " from 192.0.2.1: address not available");
    }

    @Test
    @DisplayName("an IPv6 source address for an IPv4 broker is refused before connecting")
    void otherIpVersion() {
        ConnBench bench = new ConnBench(new ConnOptions(settings(), 3, 0, addresses("::1")));
        assertThatThrownBy(bench::run).isInstanceOf(BenchException.class)
                .hasMessage("source address ::1 and the broker's address 127.0.0.1 are of different IP versions");
    }

    @Test
    @DisplayName("--source-address takes only literal IP addresses, comma-separated or repeated")
    void parsing() {
        assertThat(addresses("127.0.0.2", " 127.0.0.3 ", "::1")).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.2", "127.0.0.3", "0:0:0:0:0:0:0:1");
        // a host name is refused, not looked up
        for (String bad : new String[] {"localhost", "broker.example", "127.0.0.256", "127.1", ""}) {
            assertThatThrownBy(() -> addresses("127.0.0.2", bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--source-address takes IP addresses such as 127.0.0.2, not '" + bad + "'");
        }
    }

    // ---- running out of file descriptors and ports ----

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    @DisplayName("running out of file descriptors (EMFILE) is reported as such, with the 'ulimit -n' to raise")
    void tooManyOpenFiles(@TempDir Path dir) throws Exception {
        // a child JVM with a hard limit of 150 descriptors: it starts, then runs out after some dozens of connections
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = "ulimit -n 150 && exec '" + java + "' -Xshare:auto -cp '" + System.getProperty("java.class.path")
                + "' " + Starling.class.getName() + " bench conn -h 127.0.0.1 -p " + broker.port()
                + " -c 300 --threads 1 --duration 300ms --quiet";
        Path err = dir.resolve("err.txt");
        Process child = new ProcessBuilder("bash", "-c", command).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(err.toFile()).start();
        try {
            assertThat(child.waitFor(25, TimeUnit.SECONDS)).as("the child ended").isTrue();
        } finally {
            child.destroyForcibly();
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(err));
        String out = Files.readString(dir.resolve("out.txt"));
        assertThat(child.exitValue()).as(lines + out).isZero();
        assertThat(lines).as(out).anyMatch(l -> l.matches("warning: \\d+ connection\\(s\\) failed; the first: "
                + "cannot connect to 127\\.0\\.0\\.1:" + broker.port() + ": too many open files \\(EMFILE\\), this process may"
                + " have 150: raise the limit with 'ulimit -n' .*"));
        assertThat(out).containsPattern("connections +\\d+ \\([1-9]\\d* failed, 0 lost\\)");
    }

    @Test
    @DisplayName("EMFILE and ENFILE wrapped by Netty are named plainly")
    void describesDescriptorExhaustion() {
        // how epoll's channel factory reports socket(2) failing: wrapped twice
        Throwable emfile = new io.netty.channel.ChannelException("Unable to create Channel from class EpollSocketChannel",
                new io.netty.channel.ChannelException(new IOException("newSocketStream(..) failed: Too many open files")));
        assertThat(LoadClients.describe("127.0.0.1:1883", null, emfile, 1024)).isEqualTo("cannot connect to 127.0.0.1:1883:"
                + " too many open files (EMFILE), this process may have 1024: raise the limit with 'ulimit -n'"
                + " (for example 'ulimit -n 200000', up to 'ulimit -Hn') in the shell that starts the bench");
        Throwable enfile = new IOException("newSocketStream(..) failed: Too many open files in system");
        assertThat(LoadClients.describe("127.0.0.1:1883", null, enfile, 1024))
                .isEqualTo("cannot connect to 127.0.0.1:1883: too many open files in the system (ENFILE):"
                        + " raise the system's limit (sysctl fs.file-max)");
    }

    @Test
    @DisplayName("running out of ephemeral ports names the source address and the fix")
    void describesPortExhaustion() {
        InetSocketAddress source = new InetSocketAddress(addresses("127.0.0.2").get(0), 0);
        // bind(2) to port 0 with every ephemeral port of the address taken
        assertThat(LoadClients.describe("127.0.0.1:1883", source, new IOException("bind(..) failed: Address already in use"), 1024))
                .isEqualTo("cannot connect to 127.0.0.1:1883 from 127.0.0.2: no local port left on this source address"
                        + " (about 28k each): add more --source-address values");
        // connect(2) without a bound address and no ephemeral port left
        Throwable noPort = new IOException("connect(..) failed: Cannot assign requested address");
        assertThat(LoadClients.describe("127.0.0.1:1883", null, noPort, 1024))
                .isEqualTo("cannot connect to 127.0.0.1:1883: no local port left (each source address has about 28k ephemeral"
                        + " ports; bench conn --source-address spreads connections over several addresses)");
    }
}
