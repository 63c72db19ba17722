package io.starling.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.PacketType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client's side of MQTT 5.0, checked byte by byte against a {@link ScriptedServer}: what a
 * real broker would not do on demand (a bad topic alias, an AUTH out of turn, a redirect), and
 * the exact bytes of what the client sends.
 */
class ClientProtocol5Test {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final ScriptedClients scripted = new ScriptedClients();

    private ScriptedServer server() throws IOException {
        return scripted.server();
    }

    /** A 5.0 client of {@code server}. */
    private MqttClient client(ScriptedServer server, MqttClientBuilder builder) {
        return scripted.client(server, builder.version(MqttVersion.V5));
    }

    /** Connects {@code client}, the server answering CONNACK 0x00 with {@code properties}. */
    private static ConnectResult connect(MqttClient client, ScriptedServer server, byte[] properties) throws Exception {
        CompletableFuture<ConnectResult> connected = client.connect();
        handshake(server, properties);
        return connected.get(10, TimeUnit.SECONDS);
    }

    /** Accepts the connection, reads its CONNECT and answers CONNACK 0x00 with {@code properties}. */
    private static byte[] handshake(ScriptedServer server, byte[] properties) throws IOException {
        server.accept();
        byte[] connect = server.readPacket();
        assertThat(connect[0] & 0xFF).isEqualTo(0x10);
        server.write(packet(0x20, concat(new byte[] {0x00, 0x00}, withLength(properties))));
        return connect;
    }

    @Test
    @DisplayName("a 5.0 CONNECT carries level 5 and only the properties that differ from the defaults, in identifier order")
    void connectBytes() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().clientId("c1").keepAlive(Duration.ofSeconds(30))
                .sessionExpiryInterval(60).receiveMaximum(10).topicAliasMaximum(5).userProperty("k", "v"));
        CompletableFuture<ConnectResult> connected = client.connect();
        byte[] connect = handshake(server, new byte[0]);
        assertThat(connect).containsExactly(
                0x10, 33,                          // CONNECT, remaining length 33
                0x00, 0x04, 'M', 'Q', 'T', 'T',    // protocol name
                0x05,                              // protocol level 5
                0x02,                              // clean start
                0x00, 0x1E,                        // keep alive 30 s
                18,                                // property length
                0x11, 0x00, 0x00, 0x00, 60,        // session expiry interval 60 s
                0x21, 0x00, 10,                    // receive maximum 10
                0x22, 0x00, 5,                     // topic alias maximum 5
                0x26, 0x00, 0x01, 'k', 0x00, 0x01, 'v', // user property k=v
                0x00, 0x02, 'c', '1');             // client id
        assertThat(connected.get(10, TimeUnit.SECONDS).receiveMaximum()).isEqualTo(65_535);
    }

    @Test
    @DisplayName("[MQTT-3.3.2-10] [MQTT-3.3.2-12] an alias the server set stands for its topic; the listener sees the topic, not the alias")
    void inboundAlias() throws Exception {
        ScriptedServer server = server();
        List<MqttMessage> got = new CopyOnWriteArrayList<>();
        MqttClient client = client(server, MqttClient.builder().topicAliasMaximum(2).messageListener(got::add));
        connect(client, server, new byte[0]);
        server.write(publish0("a/b", new byte[] {0x23, 0x00, 0x01}, 'x'));   // topic a/b, alias 1
        server.write(publish0("", new byte[] {0x23, 0x00, 0x01}, 'y'));      // alias 1 alone
        await().atMost(WAIT).until(() -> got.size() == 2);
        assertThat(got).extracting(MqttMessage::topic).containsExactly("a/b", "a/b");
        assertThat(got).extracting(MqttMessage::payloadAsString).containsExactly("x", "y");
        assertThat(got.get(1).properties().isEmpty()).as("the alias is the client's business, not the listener's").isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.3.2-10] an alias above the client's Topic Alias Maximum: DISCONNECT 0x94 Topic alias invalid, and the connection closes")
    void aliasAboveMaximum() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().topicAliasMaximum(2));
        connect(client, server, new byte[0]);
        server.write(publish0("a/b", new byte[] {0x23, 0x00, 0x03}, 'x'));
        byte[] disconnect = server.readPacket();
        assertThat(disconnect[0] & 0xFF).isEqualTo(0xE0);
        assertThat(disconnect[2] & 0xFF).isEqualTo(0x94);
        server.awaitClosedByClient();
    }

    @Test
    @DisplayName("an alias the server never set: DISCONNECT 0x82 Protocol error")
    void aliasNeverSet() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().topicAliasMaximum(2));
        connect(client, server, new byte[0]);
        server.write(publish0("", new byte[] {0x23, 0x00, 0x01}, 'x'));
        byte[] disconnect = server.readPacket();
        assertThat(disconnect[0] & 0xFF).isEqualTo(0xE0);
        assertThat(disconnect[2] & 0xFF).isEqualTo(0x82);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-17] [MQTT-3.3.2-7] outbound aliases: the topic with alias 1, then the alias alone; past the maximum the least recently used alias is given to the new topic")
    void outboundAliases() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder());
        connect(client, server, new byte[] {0x22, 0x00, 0x01});
        client.publish("t1", new byte[] {1}, QoS.AT_MOST_ONCE, false);
        client.publish("t1", new byte[] {2}, QoS.AT_MOST_ONCE, false);
        client.publish("t2", new byte[] {3}, QoS.AT_MOST_ONCE, false);
        assertThat(server.readPacket()).containsExactly(
                0x30, 9,                  // PUBLISH QoS 0, remaining length 9
                0x00, 0x02, 't', '1',     // topic t1
                0x03, 0x23, 0x00, 0x01,   // properties: topic alias 1
                1);                       // payload
        assertThat(server.readPacket()).containsExactly(
                0x30, 7,
                0x00, 0x00,               // empty topic: the alias stands for t1
                0x03, 0x23, 0x00, 0x01,
                2);
        assertThat(server.readPacket()).containsExactly(
                0x30, 9,
                0x00, 0x02, 't', '2',     // t2 takes alias 1 over
                0x03, 0x23, 0x00, 0x01,
                3);
    }

    @Test
    @DisplayName("[MQTT-3.3.4-7] the server's Receive Maximum 1: the second QoS 1 PUBLISH waits for the first one's PUBACK")
    void receiveMaximum() throws Exception {
        ScriptedServer server = server();
        List<Integer> published = new CopyOnWriteArrayList<>();
        MqttClient client = client(server, MqttClient.builder().packetTracer(new PacketTracer() {
            @Override
            public void sent(io.starling.codec.packet.Packet packet) {
                if (packet instanceof io.starling.codec.packet.Publish p) {
                    published.add(p.packetId());
                }
            }
        }));
        assertThat(connect(client, server, new byte[] {0x21, 0x00, 0x01}).receiveMaximum()).isEqualTo(1);   // receive maximum 1
        CompletableFuture<PublishResult> first = client.publish("t", new byte[] {1}, QoS.AT_LEAST_ONCE, false);
        CompletableFuture<PublishResult> second = client.publish("t", new byte[] {2}, QoS.AT_LEAST_ONCE, false);
        byte[] one = server.readPacket();
        assertThat(one[one.length - 1]).isEqualTo((byte) 1);
        // both publish calls ran on the I/O thread before the first PUBLISH was flushed: the second was held back
        assertThat(published).containsExactly(1);
        server.write(0x40, 0x02, 0x00, 0x01);              // PUBACK 1
        byte[] two = server.readPacket();
        assertThat(two[two.length - 1]).isEqualTo((byte) 2);
        assertThat(first.get(10, TimeUnit.SECONDS).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        server.write(0x40, 0x04, 0x00, 0x02, 0x10, 0x00);  // PUBACK 2, 0x10 no matching subscribers
        assertThat(second.get(10, TimeUnit.SECONDS).reasonCode()).isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-3.2.2-15] [MQTT-3.2.2-11] [MQTT-3.2.2-14] over the server's Maximum Packet Size, above its Maximum QoS, or retained without Retain Available: refused before sending")
    void serverLimitsRefusedLocally() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder());
        ConnectResult result = connect(client, server, new byte[] {
                0x24, 0x01,                     // maximum QoS 1
                0x25, 0x00,                     // retain available 0
                0x27, 0x00, 0x00, 0x00, 40});   // maximum packet size 40
        assertThat(result.maximumQos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(result.retainAvailable()).isFalse();
        assertRefused(client.publish("t", new byte[64], QoS.AT_MOST_ONCE, false), ReasonCode.PACKET_TOO_LARGE);
        assertRefused(client.publish("t", new byte[1], QoS.EXACTLY_ONCE, false), ReasonCode.QOS_NOT_SUPPORTED);
        assertRefused(client.publish("t", new byte[1], QoS.AT_MOST_ONCE, true), ReasonCode.RETAIN_NOT_SUPPORTED);
        client.publish("ok", new byte[] {9}, QoS.AT_MOST_ONCE, false).get(10, TimeUnit.SECONDS);
        byte[] sent = server.readPacket();
        assertThat(sent).as("the refused messages were never sent; the next one was").containsExactly(
                0x30, 0x06, 0x00, 0x02, 'o', 'k', 0x00, 9);
    }

    private static void assertRefused(CompletableFuture<PublishResult> future, ReasonCode code) {
        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ServerLimitException.class, e -> assertThat(e.reasonCode()).isEqualTo(code));
    }

    @Test
    @DisplayName("[MQTT-4.3.3-4] a PUBREC of 0x80 or more ends the QoS 2 exchange: the future fails with its code, no PUBREL, the window (Receive Maximum 1) is free again")
    void pubrecRefusal() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder());
        connect(client, server, new byte[] {0x21, 0x00, 0x01});
        CompletableFuture<PublishResult> refused = client.publish("t", new byte[] {1}, QoS.EXACTLY_ONCE, false);
        byte[] first = server.readPacket();
        assertThat(first[0] & 0xFF).isEqualTo(0x34);
        // PUBREC 1, 0x87 not authorized, reason string "no"
        server.write(0x50, 0x09, 0x00, 0x01, 0x87, 0x05, 0x1F, 0x00, 0x02, 'n', 'o');
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(PublishRefusedException.class, e -> {
                    assertThat(e.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
                    assertThat(e.reasonString()).isEqualTo("no");
                    assertThat(e.answer()).isEqualTo(PacketType.PUBREC);
                    assertThat(e).hasMessage("the server refused the publish: PUBREC 0x87 Not authorized (no)");
                });
        client.publish("t", new byte[] {2}, QoS.EXACTLY_ONCE, false);
        byte[] next = server.readPacket();
        assertThat(next[0] & 0xFF).as("a PUBLISH, not a PUBREL").isEqualTo(0x34);
        assertThat(new byte[] {next[5], next[6]}).as("packet identifier 2, sent as the window of 1 is free").containsExactly(0x00, 0x02);
    }

    @Test
    @DisplayName("a server DISCONNECT reaches the connection listener with its reason code and Reason String")
    void serverDisconnect() throws Exception {
        ScriptedServer server = server();
        CompletableFuture<Throwable> cause = new CompletableFuture<>();
        MqttClient client = client(server, MqttClient.builder().connectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable why, boolean willReconnect) {
                cause.complete(why);
            }
        }));
        connect(client, server, new byte[0]);
        // DISCONNECT 0x8B server shutting down, reason string "bye"
        server.write(0xE0, 0x08, 0x8B, 0x06, 0x1F, 0x00, 0x03, 'b', 'y', 'e');
        assertThat(cause.get(10, TimeUnit.SECONDS)).isInstanceOfSatisfying(DisconnectedByServerException.class, e -> {
            assertThat(e.reasonCode()).isEqualTo(ReasonCode.SERVER_SHUTTING_DOWN);
            assertThat(e.reasonString()).contains("bye");
            assertThat(e.serverReference()).isEmpty();
            assertThat(e).hasMessage("the server disconnected: 0x8B Server shutting down (bye)");
        });
    }

    @Test
    @DisplayName("CONNACK 0x9C with a Server Reference: followed when asked, to the port it names; otherwise the connect fails with 0x9C")
    void redirectOnConnAck() throws Exception {
        ScriptedServer first = server();
        ScriptedServer second = server();
        byte[] reference = ("127.0.0.1:" + second.port()).getBytes(StandardCharsets.US_ASCII);
        byte[] connAck = packet(0x20, concat(new byte[] {0x00, (byte) 0x9C},
                withLength(concat(new byte[] {0x1C}, utf8(reference)))));

        MqttClient follows = client(first, MqttClient.builder().followServerRedirects(true));
        CompletableFuture<ConnectResult> connected = follows.connect();
        first.accept();
        first.readPacket();
        first.write(connAck);
        handshake(second, new byte[0]);
        assertThat(connected.get(10, TimeUnit.SECONDS).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(follows.isConnected()).isTrue();

        MqttClient stays = client(first, MqttClient.builder());
        CompletableFuture<ConnectResult> refused = stays.connect();
        first.accept();
        first.readPacket();
        first.write(connAck);
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(ConnectionRefusedException.class,
                        e -> assertThat(e.reasonCode()).isEqualTo(ReasonCode.USE_ANOTHER_SERVER));
    }

    @Test
    @DisplayName("a 3.1.1 server refusing the 5.0 CONNECT with return code 1: ConnectionRefusedException 0x84 Unsupported protocol version")
    void refusedByA311Server() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder());
        CompletableFuture<ConnectResult> connected = client.connect();
        server.accept();
        server.readPacket();
        server.write(0x20, 0x02, 0x00, 0x01);   // 3.1.1 CONNACK: unacceptable protocol version
        assertThatThrownBy(() -> connected.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(ConnectionRefusedException.class, e -> {
                    assertThat(e.reasonCode()).isEqualTo(ReasonCode.UNSUPPORTED_PROTOCOL_VERSION);
                    assertThat(e).hasMessage("Connection Refused: 0x84 Unsupported protocol version");
                });
    }

    @Test
    @DisplayName("[MQTT-4.12.0-7] an AUTH when the CONNECT named no Authentication Method: DISCONNECT 0x82 Protocol error")
    void authOutOfTurn() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder());
        connect(client, server, new byte[0]);
        server.write(0xF0, 0x02, 0x18, 0x00);   // AUTH 0x18, no properties
        byte[] disconnect = server.readPacket();
        assertThat(disconnect[0] & 0xFF).isEqualTo(0xE0);
        assertThat(disconnect[2] & 0xFF).isEqualTo(0x82);
    }

    /** A mechanism "TEST": sends "hi", answers a challenge c with "re:c", accepts the final data "ok" only. */
    private static final class TestMechanism implements EnhancedAuthentication {
        final List<String> starts = new CopyOnWriteArrayList<>();

        @Override
        public String method() {
            return "TEST";
        }

        @Override
        public Exchange start(boolean reauthentication) {
            starts.add(reauthentication ? "re" : "connect");
            return new Exchange() {
                @Override
                public byte[] initialData() {
                    return "hi".getBytes(StandardCharsets.US_ASCII);
                }

                @Override
                public byte[] challenge(byte @Nullable [] data) {
                    return ("re:" + new String(data == null ? new byte[0] : data, StandardCharsets.US_ASCII))
                            .getBytes(StandardCharsets.US_ASCII);
                }

                @Override
                public void succeeded(byte @Nullable [] data) {
                    if (data == null || !"ok".equals(new String(data, StandardCharsets.US_ASCII))) {
                        throw new MqttClientException("the server did not prove itself");
                    }
                }
            };
        }
    }

    /** The properties Authentication Method "TEST" and Authentication Data {@code data}. */
    private static byte[] testAuth(String data) {
        return concat(new byte[] {0x15}, utf8("TEST".getBytes(StandardCharsets.US_ASCII)),
                new byte[] {0x16}, utf8(data.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    @DisplayName("[MQTT-4.12.0-3] [MQTT-4.12.0-5] [MQTT-4.12.1-1] enhanced authentication: method and data in CONNECT, AUTH 0x18 answered with 0x18, final data checked; re-authentication with AUTH 0x19 ends on AUTH 0x00")
    void enhancedAuthentication() throws Exception {
        ScriptedServer server = server();
        TestMechanism mechanism = new TestMechanism();
        MqttClient client = client(server, MqttClient.builder().clientId("a").authentication(mechanism));
        CompletableFuture<ConnectResult> connected = client.connect();
        server.accept();
        byte[] connect = server.readPacket();
        assertThat(contains(connect, testAuth("hi"))).as("CONNECT carries method TEST and data hi").isTrue();
        server.write(packet(0xF0, concat(new byte[] {0x18}, withLength(testAuth("c1")))));
        byte[] answer = server.readPacket();
        assertThat(answer).containsExactly(concat(new byte[] {(byte) 0xF0, 17, 0x18, 15}, testAuth("re:c1")));
        server.write(packet(0x20, concat(new byte[] {0x00, 0x00}, withLength(testAuth("ok")))));
        connected.get(10, TimeUnit.SECONDS);

        CompletableFuture<Void> again = client.reauthenticate();
        byte[] reauth = server.readPacket();
        assertThat(reauth).containsExactly(concat(new byte[] {(byte) 0xF0, 14, 0x19, 12}, testAuth("hi")));
        server.write(packet(0xF0, concat(new byte[] {0x00}, withLength(testAuth("ok")))));
        again.get(10, TimeUnit.SECONDS);
        assertThat(mechanism.starts).containsExactly("connect", "re");
    }

    @Test
    @DisplayName("a CONNACK whose final authentication data the mechanism refuses: the connect fails and the connection closes")
    void serverNotProven() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().authentication(new TestMechanism()));
        CompletableFuture<ConnectResult> connected = client.connect();
        server.accept();
        server.readPacket();
        server.write(packet(0x20, concat(new byte[] {0x00, 0x00}, withLength(testAuth("forged")))));
        assertThatThrownBy(() -> connected.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(MqttClientException.class)
                .hasMessage("enhanced authentication (TEST) failed: the server did not prove itself");
        server.awaitClosedByClient();
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-21] Server Keep Alive 1 replaces the 60 s asked for: PINGREQ comes within seconds")
    void serverKeepAlive() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().keepAlive(Duration.ofSeconds(60)));
        assertThat(connect(client, server, new byte[] {0x13, 0x00, 0x01}).serverKeepAlive()).hasValue(1);   // server keep alive 1 s
        byte[] ping = server.readPacket();   // the server's read times out after 10 s: a 60 s timer would fail here
        assertThat(ping).containsExactly(0xC0, 0x00);
    }

    @Test
    @DisplayName("an empty client id: the Assigned Client Identifier is the client's id from then on")
    void assignedClientId() throws Exception {
        ScriptedServer server = server();
        MqttClient client = client(server, MqttClient.builder().clientId(""));
        ConnectResult result = connect(client, server, concat(new byte[] {0x12}, utf8("given-1".getBytes(StandardCharsets.US_ASCII))));
        assertThat(result.assignedClientIdentifier()).contains("given-1");
        assertThat(client.clientId()).isEqualTo("given-1");
    }

    // ---- packet building

    private static byte[] publish0(String topic, byte[] properties, char payload) {
        byte[] t = topic.getBytes(StandardCharsets.UTF_8);
        return packet(0x30, concat(utf8(t), withLength(properties), new byte[] {(byte) payload}));
    }

    private static byte[] packet(int header, byte[] body) {
        if (body.length > 127) {
            throw new IllegalArgumentException("test packets stay below 128 bytes");
        }
        return concat(new byte[] {(byte) header, (byte) body.length}, body);
    }

    private static byte[] withLength(byte[] properties) {
        return concat(new byte[] {(byte) properties.length}, properties);
    }

    private static byte[] utf8(byte[] s) {
        return concat(new byte[] {(byte) (s.length >> 8), (byte) s.length}, s);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
