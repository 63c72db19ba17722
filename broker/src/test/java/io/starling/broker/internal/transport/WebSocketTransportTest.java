package io.starling.broker.internal.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.testing.TestCertificates;
import io.starling.broker.config.BrokerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MQTT over WebSocket (MQTT 5.0 and 3.1.1 section 6) on a live broker with three listeners: plain
 * TCP, ws on /mqtt and wss on /mqtt, spoken to byte by byte by {@link WebSocketTestClient}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WebSocketTransportTest {
    private static Broker broker;
    private static TestCertificates certificates;
    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        certificates = TestCertificates.create(dir);
        TestCertificates.Issued server = certificates.server();
        BrokerConfig.Listener tcp = new BrokerConfig.Listener("127.0.0.1", 0);
        BrokerConfig config = BrokerConfig.defaults().inMemory().withListeners(List.of(
                tcp,
                tcp.withWebSocket("/mqtt"),
                tcp.withWebSocket("/mqtt").withTls(BrokerConfig.Tls.pem(server.certFile(), server.keyFile()))));
        broker = Broker.start(config);
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static int tcpPort() {
        return broker.addresses().get(0).getPort();
    }

    private static WebSocketTestClient ws() throws IOException {
        return new WebSocketTestClient(new Socket("127.0.0.1", broker.addresses().get(1).getPort()));
    }

    private static WebSocketTestClient wss() throws Exception {
        SSLSocket socket = (SSLSocket) certificates.clientContext(null).getSocketFactory()
                .createSocket("127.0.0.1", broker.addresses().get(2).getPort());
        socket.startHandshake();
        return new WebSocketTestClient(socket);
    }

    // ---- MQTT packets, a comment per field ----

    /** A 3.1.1 CONNECT with a clean session, keep alive 60 s and {@code clientId} (ASCII, under 100 bytes). */
    static byte[] connect(String clientId) {
        byte[] id = clientId.getBytes(UTF_8);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0x10);                                  // CONNECT
        packet.write(10 + 2 + id.length);                    // remaining length
        packet.writeBytes(new byte[] {0x00, 0x04, 'M', 'Q', 'T', 'T'}); // protocol name
        packet.write(0x04);                                  // protocol level 4 (3.1.1)
        packet.write(0x02);                                  // flags: clean session
        packet.writeBytes(new byte[] {0x00, 0x3C});          // keep alive 60 s
        packet.write(0x00);                                  // client identifier length (high byte)
        packet.write(id.length);                             //   (low byte)
        packet.writeBytes(id);
        return packet.toByteArray();
    }

    static final byte[] CONNACK = {0x20, 0x02, 0x00, 0x00}; // CONNACK, session present 0, accepted

    /** SUBSCRIBE with packet id 1 to the 5-byte topic filter "ws/ab" at QoS 0. */
    static final byte[] SUBSCRIBE = {
        (byte) 0x82, 0x0A,            // SUBSCRIBE, reserved flags 0010, remaining length 10
        0x00, 0x01,                   // packet identifier 1
        0x00, 0x05, 'w', 's', '/', 'a', 'b', // topic filter "ws/ab"
        0x00};                        // requested QoS 0
    static final byte[] SUBACK = {(byte) 0x90, 0x03, 0x00, 0x01, 0x00}; // SUBACK packet id 1, granted QoS 0
    static final byte[] PINGREQ = {(byte) 0xC0, 0x00};
    static final byte[] PINGRESP = {(byte) 0xD0, 0x00};

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    // ---- the upgrade ----

    @ParameterizedTest(name = "offered \"{0}\": answered \"{1}\"")
    @CsvSource(delimiter = '|', value = {
        "mqtt|mqtt",
        "mqttv3.1, mqtt|mqtt",
        "chat, mqtt, mqttv3.1|mqtt",
        "mqttv3.1|mqttv3.1"})
    @DisplayName("[MQTT-6.0.0-4] the server answers with the subprotocol \"mqtt\" whenever the client offers it")
    void subprotocol(String offered, String selected) throws Exception {
        try (WebSocketTestClient client = ws()) {
            WebSocketTestClient.HttpResponse response = client.upgrade("/mqtt", offered);
            assertThat(response.status()).isEqualTo(101);
            assertThat(response.headers()).containsEntry("sec-websocket-protocol", selected);
            client.binary(connect("ws-sub-" + selected.length() + offered.length()));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
        }
    }

    @Test
    @DisplayName("an upgrade that offers no subprotocol is served without one")
    void noSubprotocol() throws Exception {
        try (WebSocketTestClient client = ws()) {
            WebSocketTestClient.HttpResponse response = client.upgrade("/mqtt", null);
            assertThat(response.status()).isEqualTo(101);
            assertThat(response.headers()).doesNotContainKey("sec-websocket-protocol");
            client.binary(connect("ws-no-subprotocol"));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
        }
    }

    @Test
    @DisplayName("an upgrade that offers only other subprotocols is refused with 400 and closed")
    void otherSubprotocol() throws Exception {
        try (WebSocketTestClient client = ws()) {
            WebSocketTestClient.HttpResponse response = client.upgrade("/mqtt", "chat, superchat");
            assertThat(response.status()).isEqualTo(400);
            assertThat(client.expectClosed()).isEqualTo(-1);
        }
    }

    @Test
    @DisplayName("an upgrade on another path gets 404 and is closed")
    void otherPath() throws Exception {
        try (WebSocketTestClient client = ws()) {
            WebSocketTestClient.HttpResponse response = client.upgrade("/other", "mqtt");
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.headers()).containsEntry("connection", "close");
            assertThat(client.expectClosed()).isEqualTo(-1);
        }
    }

    @Test
    @DisplayName("a query string after the path is allowed (browser clients put tokens there)")
    void queryString() throws Exception {
        try (WebSocketTestClient client = ws()) {
            client.upgraded("/mqtt?token=abc");
            client.binary(connect("ws-query"));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
        }
    }

    @Test
    @DisplayName("a GET without upgrade gets 426 naming WebSocket version 13")
    void notAnUpgrade() throws Exception {
        try (WebSocketTestClient client = ws()) {
            WebSocketTestClient.HttpResponse response = client.request("GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(response.status()).isEqualTo(426);
            assertThat(response.headers()).containsEntry("upgrade", "websocket").containsEntry("sec-websocket-version", "13");
            assertThat(client.expectClosed()).isEqualTo(-1);
        }
    }

    @Test
    @DisplayName("a POST to the path gets 405 allowing GET")
    void notGet() throws Exception {
        try (WebSocketTestClient client = ws()) {
            WebSocketTestClient.HttpResponse response = client.request(
                    "POST /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            assertThat(response.status()).isEqualTo(405);
            assertThat(response.headers()).containsEntry("allow", "GET");
            assertThat(client.expectClosed()).isEqualTo(-1);
        }
    }

    // ---- frames ----

    @Test
    @DisplayName("[MQTT-6.0.0-2] a CONNECT split over three binary frames is read as one packet")
    void connectOverFrames() throws Exception {
        byte[] connect = connect("ws-split");
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.binary(Arrays.copyOfRange(connect, 0, 1), Arrays.copyOfRange(connect, 1, 7),
                    Arrays.copyOfRange(connect, 7, connect.length));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-2] a CONNECT in a fragmented message (binary frame, then continuation frames) is read as one packet")
    void connectOverFragments() throws Exception {
        byte[] connect = connect("ws-fragments");
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.frame(false, WebSocketTestClient.BINARY, Arrays.copyOfRange(connect, 0, 3));
            client.frame(false, WebSocketTestClient.CONTINUATION, Arrays.copyOfRange(connect, 3, 10));
            client.frame(true, WebSocketTestClient.CONTINUATION, Arrays.copyOfRange(connect, 10, connect.length));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-2] one frame holding CONNECT, SUBSCRIBE and half a PINGREQ, the next the other half")
    void packetsInOneFrame() throws Exception {
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.binary(concat(connect("ws-joined"), SUBSCRIBE, new byte[] {PINGREQ[0]}), new byte[] {PINGREQ[1]});
            assertThat(client.readMqtt(CONNACK.length + SUBACK.length + PINGRESP.length))
                    .containsExactly(concat(CONNACK, SUBACK, PINGRESP));
        }
    }

    @Test
    @DisplayName("a message published over TCP reaches a WebSocket subscriber in binary frames")
    void delivery() throws Exception {
        try (WebSocketTestClient subscriber = ws().upgraded("/mqtt");
                Socket publisher = new Socket("127.0.0.1", tcpPort())) {
            subscriber.binary(concat(connect("ws-delivery-sub"), SUBSCRIBE));
            assertThat(subscriber.readMqtt(CONNACK.length + SUBACK.length)).containsExactly(concat(CONNACK, SUBACK));
            byte[] publish = {
                0x30, 0x09,                    // PUBLISH QoS 0, remaining length 9
                0x00, 0x05, 'w', 's', '/', 'a', 'b', // topic "ws/ab"
                'h', 'i'};                     // payload "hi"
            OutputStream out = publisher.getOutputStream();
            out.write(concat(connect("ws-delivery-pub"), publish));
            out.flush();
            publisher.setSoTimeout(5000);
            InputStream in = publisher.getInputStream();
            assertThat(in.readNBytes(4)).containsExactly(CONNACK);
            assertThat(subscriber.readMqtt(publish.length)).containsExactly(publish);
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] a text frame closes the connection (close status 1003, unsupported data)")
    void textFrame() throws Exception {
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.binary(connect("ws-text"));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
            client.frame(true, WebSocketTestClient.TEXT, PINGREQ);
            assertThat(client.expectClosed()).isEqualTo(1003);
        }
    }

    @Test
    @DisplayName("[MQTT-6.0.0-1] a text frame before any MQTT closes the connection too")
    void textFrameFirst() throws Exception {
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.frame(true, WebSocketTestClient.TEXT, "{\"hello\":1}".getBytes(UTF_8));
            assertThat(client.expectClosed()).isEqualTo(1003);
        }
    }

    @Test
    @DisplayName("a frame longer than max_packet_size (1 MiB here) closes the connection with status 1009, before its payload is read")
    void frameTooLarge() throws Exception {
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.raw(new byte[] {
                (byte) 0x82,                        // FIN, binary
                (byte) (0x80 | 127),                // masked, 64-bit length follows
                0, 0, 0, 0, 0, 0x20, 0, 0,          // 2 MiB
                1, 2, 3, 4});                       // mask; no payload is sent
            assertThat(client.expectClosed()).isEqualTo(1009);
        }
    }

    @Test
    @DisplayName("a ping is answered with a pong carrying its data (RFC 6455 section 5.5.2)")
    void ping() throws Exception {
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.frame(true, WebSocketTestClient.PING, new byte[] {1, 2, 3});
            WebSocketTestClient.Frame pong = client.readFrame();
            assertThat(pong.opcode()).isEqualTo(WebSocketTestClient.PONG);
            assertThat(pong.payload()).containsExactly(1, 2, 3);
        }
    }

    @Test
    @DisplayName("a close frame from the client is answered with its status, then the connection closes")
    void clientClose() throws Exception {
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.binary(connect("ws-client-close"));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
            client.frame(true, WebSocketTestClient.CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000, normal closure
            assertThat(client.expectClosed()).isEqualTo(1000);
        }
    }

    @Test
    @DisplayName("[MQTT-4.8.0-1] a malformed packet closes the connection, a close frame 1000 first")
    void brokerCloses() throws Exception {
        try (WebSocketTestClient client = ws().upgraded("/mqtt")) {
            client.binary(connect("ws-broker-close"));
            assertThat(client.readMqtt(4)).containsExactly(CONNACK);
            client.binary(new byte[] {0x00, 0x00}); // packet type 0 is reserved
            assertThat(client.expectClosed()).isEqualTo(1000);
        }
    }

    @Test
    @DisplayName("MQTT over wss: the upgrade and CONNECT through TLS")
    void secureWebSocket() throws Exception {
        try (WebSocketTestClient client = wss().upgraded("/mqtt")) {
            client.binary(concat(connect("wss-client"), SUBSCRIBE));
            assertThat(client.readMqtt(CONNACK.length + SUBACK.length)).containsExactly(concat(CONNACK, SUBACK));
        }
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    @DisplayName("a connection that never sends its upgrade request is closed at the CONNECT timeout (10 s)")
    void noUpgrade() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", broker.addresses().get(1).getPort())) {
            socket.setSoTimeout(30_000);
            long start = System.nanoTime();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(9_000L, 25_000L);
        }
    }
}
