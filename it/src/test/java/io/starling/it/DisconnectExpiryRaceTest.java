package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What Python paho-mqtt does in {@code .ci/interop_paho5.py} (paho5-session-expiry), in raw bytes
 * and in a loop: a 5.0 client ends its session with DISCONNECT and Session Expiry Interval 0,
 * closes its socket at once (as paho does), and at once connects again with Clean Start 0. The
 * session ended when that network connection closed (3.1.2.11.2, 3.14.2.2.2), before the new
 * connection was opened, so the CONNACK must say session present 0 [MQTT-3.2.2-3]. The broker
 * answers 1 when the new CONNECT reaches the session before the closed connection is detached
 * from it. The HiveMQ client and Paho Java wait for the broker to close the connection after
 * DISCONNECT, which hides the race.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DisconnectExpiryRaceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CLIENT_ID = "race-expiry-zero";

    @RegisterExtension
    static final EmbeddedBroker broker = new EmbeddedBroker();

    @Test
    @DisplayName("[MQTT-3.2.2-3] DISCONNECT with Session Expiry Interval 0, socket closed, reconnect at once with Clean Start 0: session present 0 (50 rounds)")
    void reconnectRightAfterDisconnectWithExpiryZero() throws IOException {
        for (int round = 0; round < 50; round++) {
            try (Socket leaving = connect()) {
                send(leaving, connect(true));
                assertThat(connAck(leaving)).as("round %d: first CONNACK flags, reason code", round).containsExactly(0x00, 0x00);
                send(leaving, new byte[] {
                    (byte) 0xE0, 0x07,            // DISCONNECT, remaining length 7
                    0x00,                         // reason code 0x00: normal disconnection
                    0x05,                         // properties length 5
                    0x11, 0x00, 0x00, 0x00, 0x00  // Session Expiry Interval 0: the session ends with this connection
                });
            } // closed right after DISCONNECT, without waiting for the broker to close
            try (Socket next = connect()) {
                send(next, connect(false));
                assertThat(connAck(next)).as("round %d: CONNACK flags (session present), reason code", round)
                        .containsExactly(0x00, 0x00);
                send(next, new byte[] {(byte) 0xE0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00});
            }
            broker.awaitSessionGone(CLIENT_ID);
        }
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(EmbeddedBroker.HOST, broker.port()), (int) WAIT.toMillis());
        socket.setSoTimeout((int) WAIT.toMillis());
        return socket;
    }

    /** CONNECT, MQTT 5.0, keep alive 30 s, Session Expiry Interval 60. */
    private static byte[] connect(boolean cleanStart) {
        byte[] id = CLIENT_ID.getBytes(StandardCharsets.US_ASCII);
        byte[] head = {
            0x10, (byte) (18 + id.length),        // CONNECT, remaining length (below 128)
            0x00, 0x04, 'M', 'Q', 'T', 'T',       // protocol name
            0x05,                                 // protocol level 5
            (byte) (cleanStart ? 0x02 : 0x00),    // connect flags: clean start
            0x00, 0x1E,                           // keep alive 30 s
            0x05,                                 // properties length 5
            0x11, 0x00, 0x00, 0x00, 0x3C,         // Session Expiry Interval 60
            0x00, (byte) id.length};              // client identifier length
        byte[] packet = new byte[head.length + id.length];
        System.arraycopy(head, 0, packet, 0, head.length);
        System.arraycopy(id, 0, packet, head.length, id.length);
        return packet;
    }

    private static void send(Socket socket, byte[] packet) throws IOException {
        socket.getOutputStream().write(packet);
        socket.getOutputStream().flush();
    }

    /** Reads a CONNACK (remaining length below 128) and returns its acknowledge flags and reason code. */
    private static int[] connAck(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] header = in.readNBytes(2);
        assertThat(header).hasSize(2);
        assertThat(header[0]).as("CONNACK").isEqualTo((byte) 0x20);
        assertThat(header[1] & 0x80).as("remaining length in one byte").isZero();
        byte[] body = in.readNBytes(header[1]);
        assertThat(body).hasSize(header[1]);
        return new int[] {body[0] & 0xFF, body[1] & 0xFF};
    }
}
