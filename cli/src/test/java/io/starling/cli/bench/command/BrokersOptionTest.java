package io.starling.cli.bench.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.cli.bench.NettyLeakCheck;
import java.io.IOException;
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
 * {@code starling bench pubsub --brokers} on the command line: the value is read, the summary and
 * JSON line carry each broker's part, and a bad value is a one-line error. (The spreading itself,
 * over a real two-node cluster, is {@code SpreadBenchTest}.)
 */
@ExtendWith(NettyLeakCheck.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BrokersOptionTest {
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
    @DisplayName("--brokers A,A: one broker named twice takes both halves, and the summary and JSON give each entry's part")
    void sameBrokerTwice() {
        String address = "127.0.0.1:" + broker.port();
        long before = broker.metrics().messagesReceived.sum();
        CommandRun run = CommandRun.starling("bench", "pubsub", "--brokers", address + "," + address, "--shape", "pairs",
                "--publishers", "4", "-q", "1", "--duration", "1s", "--threads", "2", "--json", "--quiet");
        assertThat(run.exitCode()).as(run.err()).isZero();
        long routed = broker.metrics().messagesReceived.sum() - before;
        List<String> lines = run.out().lines().toList();
        assertThat(lines.get(0)).endsWith(", 1 s, spread over 2 brokers");
        assertThat(lines).anyMatch(l -> l.matches("across brokers +(\\d+) of \\1 expected deliveries \\(100\\.0 %\\)"))
                .anyMatch(l -> l.matches(" +" + Pattern.quote(address) + " +2 pub, 2 sub: sent \\d+ .*"));
        String json = lines.get(lines.size() - 1);
        assertThat(json).contains("\"lost\":0,");
        Matcher entry = Pattern.compile("\\{\"broker\":\"" + Pattern.quote(address)
                + "\",\"publishers\":2,\"subscribers\":2,\"sent\":(\\d+),\"received\":(\\d+),").matcher(json);
        long sent = 0;
        long received = 0;
        int entries = 0;
        while (entry.find()) {
            sent += Long.parseLong(entry.group(1));
            received += Long.parseLong(entry.group(2));
            entries++;
        }
        assertThat(entries).isEqualTo(2);
        assertThat(sent).isPositive().isEqualTo(routed).isEqualTo(received);
        assertThat(json).contains("\"crossing\":" + sent + ",");
    }

    @Test
    @DisplayName("a --brokers value that is not HOST:PORT is a one-line error and exit code 2")
    void badValue() {
        CommandRun run = CommandRun.starling("bench", "pubsub", "--brokers", "127.0.0.1:1883,127.0.0.1");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines().toList()).singleElement().asString()
                .startsWith("starling bench pubsub: Invalid value for option '--brokers'")
                .contains("a broker is HOST:PORT, not '127.0.0.1'");
    }
}
