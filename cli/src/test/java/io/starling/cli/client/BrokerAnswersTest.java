package io.starling.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 answers a real broker does not give on demand, from a {@link ScriptedBroker}: a
 * CONNACK refusing the protocol version, and a DISCONNECT with a Reason String and a Server
 * Reference in the middle of a publish. The words are libmosquitto's, checked against
 * mosquitto_pub and mosquitto_sub 2.0.11 facing the same bytes.
 */
class BrokerAnswersTest {
    /** CONNACK, session not present, reason code {@code code}, no properties. */
    private static int[] connack(int code) {
        return new int[] {0x20, 0x03, 0x00, code, 0x00};
    }

    @Test
    @DisplayName("CONNACK 0x84 Unsupported Protocol Version: mosquitto's advice to use 3.x; rr's own line; status 132")
    void unsupportedProtocolVersion() throws Exception {
        try (ScriptedBroker broker = new ScriptedBroker()) {
            CompletableFuture<CommandRun> pub = CompletableFuture.supplyAsync(() -> CommandRun.pub("-p", broker.port(), "-V", "5",
                    "-t", "a", "-m", "x"));
            refuseNextConnection(broker);
            CommandRun run = CommandRun.await(pub);

            assertThat(run.exitCode()).isEqualTo(132);
            assertThat(run.errLines()).containsExactly(
                    "Connection error: Unsupported Protocol Version. Try connecting to an MQTT v5 broker, or use MQTT v3.x mode.",
                    "Error: A network protocol error occurred when communicating with the broker.");
        }
        try (ScriptedBroker broker = new ScriptedBroker()) {
            RrCommand rr = new RrCommand();
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                java.io.StringWriter err = new java.io.StringWriter();
                int code = new picocli.CommandLine(rr).setErr(new java.io.PrintWriter(err, true))
                        .execute("-p", broker.port(), "-t", "a", "-e", "b", "-m", "x");
                assertThat(err.toString().lines()).containsExactly(
                        "Connection error: Unsupported Protocol Version. starling rr only supports connecting to an MQTT v5 broker");
                return code;
            });
            refuseNextConnection(broker);
            assertThat(status.get(CommandRun.WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(132);
        }
    }

    private static void refuseNextConnection(ScriptedBroker broker) throws IOException {
        broker.accept();
        assertThat(broker.read()[0] & 0xFF).as("CONNECT").isEqualTo(0x10);
        broker.send(connack(0x84));
    }

    @Test
    @DisplayName("DISCONNECT 0x9C with a Reason String and a Server Reference before the PUBACK: all three said, status 7")
    void disconnectedWhilePublishing() throws Exception {
        try (ScriptedBroker broker = new ScriptedBroker()) {
            CompletableFuture<CommandRun> pub = CompletableFuture.supplyAsync(() -> CommandRun.pub("-p", broker.port(), "-V", "5",
                    "-t", "a", "-m", "x", "-q", "1"));
            broker.accept();
            broker.read();                                 // CONNECT
            broker.send(connack(0x00));
            assertThat(broker.read()[0] & 0xF0).as("PUBLISH").isEqualTo(0x30);
            broker.send(0xE0, 0x12,                        // DISCONNECT, remaining length 18
                    0x9C,                                  // Use another server
                    0x10,                                  // properties: 16 bytes
                    0x1F, 0x00, 0x04, 'm', 'o', 'v', 'e',  // Reason String "move"
                    0x1C, 0x00, 0x06, 'o', 't', 'h', 'e', 'r', '1'); // Server Reference "other1"
            CommandRun run = CommandRun.await(pub);

            assertThat(run.exitCode()).isEqualTo(7);
            assertThat(run.errLines()).containsExactly("Error: Disconnected by the broker: Use another server.", "move",
                    "Server reference: other1");
        }
    }
}
