package io.starling.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client's side of the protocol, checked byte by byte against a {@link ScriptedServer}: what
 * the client must send, and how it must answer what a server sends.
 */
class ClientProtocolTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final ScriptedClients scripted = new ScriptedClients();

    private ScriptedServer server() throws IOException {
        return scripted.server();
    }

    private MqttClient client(ScriptedServer server, MqttClientBuilder builder) {
        return scripted.client(server, builder);
    }

    /** Accepts the connection, checks its CONNECT and accepts it with session present {@code present}. */
    private void handshake(ScriptedServer server, boolean present) throws IOException {
        server.accept();
        byte[] connect = server.readPacket();
        assertThat(connect[0] & 0xFF).isEqualTo(0x10);
        server.write(0x20, 0x02, present ? 0x01 : 0x00, 0x00);
    }

    @Test
    @DisplayName("CONNECT carries protocol name MQTT level 4, the flags, the keep alive and every field in order")
    void connectBytes() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().clientId("c1").cleanSession(true).keepAlive(Duration.ofSeconds(30))
                .username("u").password("p").will(new MqttMessage("w", new byte[] {7}, QoS.AT_LEAST_ONCE, true)));
        CompletableFuture<ConnectResult> connected = client.connect();
        server.accept();
        byte[] connect = server.readPacket();
        assertThat(connect).containsExactly(
                0x10, 26,                          // CONNECT, remaining length 26
                0x00, 0x04, 'M', 'Q', 'T', 'T',    // protocol name
                0x04,                              // protocol level 4 (3.1.1)
                0xEE & 0xFF,                       // user name, password, will retain, will QoS 1, will flag, clean session
                0x00, 0x1E,                        // keep alive 30 s
                0x00, 0x02, 'c', '1',              // client id
                0x00, 0x01, 'w',                   // will topic
                0x00, 0x01, 0x07,                  // will payload
                0x00, 0x01, 'u',                   // user name
                0x00, 0x01, 'p');                  // password
        server.write(0x20, 0x02, 0x00, 0x00);
        assertThat(connected.get().sessionPresent()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-4.3.3-2] a QoS 2 PUBLISH sent twice with one packet id reaches the listener once; PUBREC both times, PUBCOMP on PUBREL")
    void qos2ReceivedOnce() throws Exception {
        ScriptedServer server = server();
        List<String> received = new CopyOnWriteArrayList<>();
        MqttClient client = client(server, MqttClient.builder().clientId("q2").messageListener(m -> received.add(m.payloadAsString())));
        CompletableFuture<ConnectResult> connected = client.connect();
        handshake(server, false);
        connected.get();
        int[] publish = {0x34, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x05, 'x'};   // QoS 2, topic a/b, id 5, payload x
        server.write(publish);
        assertThat(server.readPacket()).containsExactly(0x50, 0x02, 0x00, 0x05);    // PUBREC 5
        int[] again = publish.clone();
        again[0] = 0x3C;                                                              // the same, DUP set
        server.write(again);
        assertThat(server.readPacket()).containsExactly(0x50, 0x02, 0x00, 0x05);    // PUBREC 5 again
        server.write(0x62, 0x02, 0x00, 0x05);                                        // PUBREL 5
        assertThat(server.readPacket()).containsExactly(0x70, 0x02, 0x00, 0x05);    // PUBCOMP 5
        assertThat(received).containsExactly("x");
        // after PUBREL the id is free: a new message with it is a new message
        server.write(0x34, 0x08, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x05, 'y');
        assertThat(server.readPacket()).containsExactly(0x50, 0x02, 0x00, 0x05);
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).containsExactly("x", "y");
    }

    @Test
    @DisplayName("[MQTT-4.3.2-2] a QoS 1 PUBLISH is answered with PUBACK carrying its packet id")
    void qos1Acknowledged() throws Exception {
        ScriptedServer server = server();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient client = client(server, MqttClient.builder().clientId("q1").messageListener(received::add));
        CompletableFuture<ConnectResult> connected = client.connect();
        handshake(server, false);
        connected.get();
        server.write(0x3B, 0x07, 0x00, 0x01, 't', 0x12, 0x34, 'h', 'i');           // QoS 1, DUP, RETAIN, id 0x1234
        assertThat(server.readPacket()).containsExactly(0x40, 0x02, 0x12, 0x34);
        assertThat(received).singleElement().satisfies(m -> {
            assertThat(m.dup()).isTrue();
            assertThat(m.retain()).isTrue();
            assertThat(m.payloadAsString()).isEqualTo("hi");
        });
    }

    @Test
    @DisplayName("[MQTT-4.3.3-1] a QoS 2 publish answers PUBREC with PUBREL and completes on PUBCOMP")
    void qos2Sent() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().clientId("q2s"));
        CompletableFuture<ConnectResult> connected = client.connect();
        handshake(server, false);
        connected.get();
        CompletableFuture<PublishResult> published = client.publish("t", new byte[] {1}, QoS.EXACTLY_ONCE, false);
        assertThat(server.readPacket()).containsExactly(0x34, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 0x01);
        server.write(0x50, 0x02, 0x00, 0x01);                                          // PUBREC 1
        assertThat(server.readPacket()).containsExactly(0x62, 0x02, 0x00, 0x01);       // PUBREL 1, flags 0010
        assertThat(published).isNotDone();
        server.write(0x70, 0x02, 0x00, 0x01);                                          // PUBCOMP 1
        published.get();
    }

    @Test
    @DisplayName("[MQTT-4.4.0-1] on a resumed session the unanswered PUBREL and PUBLISH (DUP) are re-sent in order, same ids")
    void resentOnResume() throws Exception {
        ScriptedServer server = server();
        MqttClient client = MqttClient.builder().host("127.0.0.1").port(server.port()).clientId("resend").cleanSession(false)
                .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(100))).build();
        scripted.closeAfter(client);
        CompletableFuture<ConnectResult> connected = client.connect();
        handshake(server, false);
        connected.get();
        CompletableFuture<PublishResult> qos2 = client.publish("t", new byte[] {2}, QoS.EXACTLY_ONCE, false);
        CompletableFuture<PublishResult> qos1 = client.publish("t", new byte[] {1}, QoS.AT_LEAST_ONCE, false);
        assertThat(server.readPacket()).containsExactly(0x34, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 0x02);
        assertThat(server.readPacket()).containsExactly(0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x02, 0x01);
        server.write(0x50, 0x02, 0x00, 0x01);                                          // PUBREC 1
        assertThat(server.readPacket()).containsExactly(0x62, 0x02, 0x00, 0x01);       // PUBREL 1

        server.dropConnection();                                                       // the network fails
        handshake(server, true);                                                       // the client comes back; session present
        assertThat(server.readPacket()).containsExactly(0x62, 0x02, 0x00, 0x01);       // PUBREL 1 again
        assertThat(server.readPacket()).containsExactly(0x3A, 0x06, 0x00, 0x01, 't', 0x00, 0x02, 0x01);   // PUBLISH 2, DUP
        assertThat(qos2).isNotDone();
        assertThat(qos1).isNotDone();
        server.write(0x70, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02);                  // PUBCOMP 1, PUBACK 2
        CompletableFuture.allOf(qos1, qos2).get();
    }

    @Test
    @DisplayName("on a new session after a reconnect, a message answered by PUBREC counts as delivered; the rest are published afresh")
    void newSessionAfterReconnect() throws Exception {
        ScriptedServer server = server();
        MqttClient client = MqttClient.builder().host("127.0.0.1").port(server.port()).clientId("fresh")
                .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(100))).build();
        scripted.closeAfter(client);
        CompletableFuture<ConnectResult> connected = client.connect();
        handshake(server, false);
        connected.get();
        CompletableFuture<PublishResult> qos2 = client.publish("t", new byte[] {2}, QoS.EXACTLY_ONCE, false);
        CompletableFuture<PublishResult> qos1 = client.publish("t", new byte[] {1}, QoS.AT_LEAST_ONCE, false);
        server.readPacket();
        server.readPacket();
        server.write(0x50, 0x02, 0x00, 0x01);                                          // PUBREC 1
        server.readPacket();                                                           // PUBREL 1
        server.dropConnection();
        handshake(server, false);                                                      // a new session
        qos2.get();                                                                    // PUBREC had made it the server's
        assertThat(server.readPacket()).containsExactly(0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x02, 0x01);   // no DUP
        server.write(0x40, 0x02, 0x00, 0x02);
        qos1.get();
    }

    @Test
    @DisplayName("a malformed packet from the server closes the connection and fails what waits on it")
    void malformedFromServer() throws Exception {
        ScriptedServer server = server();
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        MqttClient client = client(server, MqttClient.builder().clientId("bad").connectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause, boolean willReconnect) {
                causes.add(cause);
            }
        }));
        CompletableFuture<ConnectResult> connected = client.connect();
        handshake(server, false);
        connected.get();
        server.write(0x90, 0x03, 0x00, 0x01, 0x03);                                    // SUBACK with return code 3: invalid
        server.awaitClosedByClient();
        await().atMost(WAIT).until(() -> causes.size() == 1);
        assertThat(causes.get(0)).hasMessageStartingWith("protocol error: the server sent a malformed packet");
    }

    @Test
    @DisplayName("a packet before CONNACK is a protocol error: the connect fails and the connection closes")
    void packetBeforeConnAck() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().clientId("early"));
        CompletableFuture<ConnectResult> connected = client.connect();
        server.accept();
        server.readPacket();
        server.write(0xD0, 0x00);                                                      // PINGRESP first
        assertThatThrownBy(connected::get).hasCauseInstanceOf(MqttClientException.class)
                .hasMessageContaining("[MQTT-3.2.0-1] the first packet from a server must be CONNACK, not PINGRESP");
        server.awaitClosedByClient();
    }

    @Test
    @DisplayName("no CONNACK within the connect timeout fails the connect")
    void connAckTimeout() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().clientId("slow").connectTimeout(Duration.ofMillis(300)));
        CompletableFuture<ConnectResult> connected = client.connect();
        server.accept();
        server.readPacket();
        assertThatThrownBy(connected::get).hasMessageContaining("no CONNACK from 127.0.0.1:" + server.port() + " within 300 ms");
        server.awaitClosedByClient();
    }
}
