package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.bytes;
import static io.starling.broker.conformance.Packets.connack;
import static io.starling.broker.conformance.Packets.connect311;
import static io.starling.broker.conformance.Packets.connect31;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Server redirection (MQTT 5.0 §4.11; config {@code server_reference}, {@code server_moved}):
 * every CONNECT is refused and the client told where to go, byte for byte.
 */
class RedirectConformanceTest {
    private static final String ELSEWHERE = "mqtt2.example.com:1883"; // 22 bytes

    private static Broker redirecting(boolean moved) {
        return Brokers.start(c -> c.withRedirect(new BrokerConfig.Redirect(ELSEWHERE, moved)));
    }

    /** A 5.0 CONNECT with clean start, keep alive 60 s, no properties, client identifier "v5". */
    private static byte[] connect5() {
        return bytes(
                0x10, 0x0F,                     // CONNECT, remaining length 15
                0x00, 0x04, 'M', 'Q', 'T', 'T', // protocol name "MQTT"
                0x05,                           // protocol level 5
                0x02,                           // connect flags: clean start
                0x00, 0x3C,                     // keep alive 60 s
                0x00,                           // properties: none
                0x00, 0x02, 'v', '5');          // client identifier "v5"
    }

    /** The 5.0 CONNACK with {@code reasonCode} and the Server Reference {@link #ELSEWHERE}. */
    private static byte[] connack5(int reasonCode) {
        byte[] head = bytes(
                0x20, 0x1C,                     // CONNACK, remaining length 28
                0x00,                           // session present 0
                reasonCode,                     // reason code
                0x19,                           // properties: 25 bytes
                0x1C,                           // Server Reference
                0x00, 0x16);                    // string of 22 bytes
        byte[] reference = ELSEWHERE.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + reference.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(reference, 0, all, head.length, reference.length);
        return all;
    }

    @Test
    @DisplayName("[MQTT-3.2.2-6] [MQTT-3.2.2-7] use another server: a 5.0 client gets CONNACK 0x9C with the Server Reference, session present 0, then the close")
    void useAnotherServer() {
        try (Broker broker = redirecting(false); RawClient client = new RawClient(broker.port())) {
            client.send(connect5());
            client.expect(connack5(0x9C));
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-6] [MQTT-3.2.2-7] server moved: a 5.0 client gets CONNACK 0x9D with the Server Reference, then the close")
    void serverMoved() {
        try (Broker broker = redirecting(true); RawClient client = new RawClient(broker.port())) {
            client.send(connect5());
            client.expect(connack5(0x9D));
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-4] [MQTT-3.2.2-5] a 3.1.1 client, which cannot be told where, gets CONNACK 0x03 (server unavailable), session present 0, then the close")
    void mqtt311ClientGetsServerUnavailable() {
        try (Broker broker = redirecting(true); RawClient client = new RawClient(broker.port())) {
            client.send(connect311("c-redirected").clean(false).build());
            client.expect(connack(false, 0x03));
            client.expectClosed();
            assertThat(BrokerInternals.sessions(broker).store().all()).as("no session was opened").isEmpty();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-4] [MQTT-3.2.2-5] a 3.1 client gets CONNACK 0x03 too, then the close")
    void mqtt31ClientGetsServerUnavailable() {
        try (Broker broker = redirecting(false); RawClient client = new RawClient(broker.port())) {
            client.send(connect31("c-redirected-31").build());
            client.expect(connack(false, 0x03));
            client.expectClosed();
        }
    }
}
