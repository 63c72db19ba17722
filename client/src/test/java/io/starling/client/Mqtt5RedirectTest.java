package io.starling.client;

import static io.starling.client.BrokerTestBed.FAST;
import static io.starling.client.BrokerTestBed.WAIT;
import static io.starling.client.BrokerTestBed.config;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.failure;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Server redirection (MQTT 5.0, 4.11): a broker configured to send its clients elsewhere
 * ({@code redirect}) answers CONNACK 0x9C or 0x9D with a Server Reference, which the client
 * follows to a second broker when {@code followServerRedirects} is on.
 */
class Mqtt5RedirectTest {
    private final BrokerTestBed bed = new BrokerTestBed();
    /** Where clients are sent: a broker serving them. */
    private Broker target;

    @BeforeEach
    void start() throws Exception {
        target = bed.broker();
    }

    @AfterEach
    void close() {
        bed.close();
    }

    private Broker redirecting(int toPort, boolean moved) throws Exception {
        return bed.broker(config().withRedirect(new BrokerConfig.Redirect("127.0.0.1:" + toPort, moved)));
    }

    /** Whether a message {@code client} publishes reaches a subscriber on the target broker. */
    private void assertPublishesToTarget(MqttClient client, String topic) {
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        done(bed.connected(target, "target-sub-" + topic).subscribe(topic, QoS.AT_LEAST_ONCE, received::add));
        assertThat(done(client.publish(topic, "here".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        await().atMost(WAIT).until(() -> received.size() == 1);
    }

    @ParameterizedTest(name = "server moved: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("with followServerRedirects, CONNACK 0x9C or 0x9D sends the client on to the Server Reference, and"
            + " connect() completes with the second broker's CONNACK")
    void followsRedirect(boolean moved) throws Exception {
        Broker first = redirecting(target.port(), moved);
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.client(v5(first.port(), "redirected").packetTracer(tracer).followServerRedirects(true));

        ConnectResult result = done(client.connect());

        assertThat(result.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(tracer.sent(Connect.class)).hasSize(2);
        assertThat(tracer.received(ConnAck.class)).containsExactly(
                new ConnAck(false, moved ? ReasonCode.SERVER_MOVED : ReasonCode.USE_ANOTHER_SERVER,
                        Properties.of(Property.of(PropertyId.SERVER_REFERENCE, "127.0.0.1:" + target.port()))),
                new ConnAck(false, ReasonCode.SUCCESS, result.properties()));
        assertPublishesToTarget(client, "redirect/" + moved);
    }

    @Test
    @DisplayName("at most 5 redirects in a row are followed: a chain of 5 ends at the serving broker, one of 6 fails"
            + " with the sixth broker's 0x9C")
    void redirectHops() throws Exception {
        // chain[0] redirects to chain[1] ... chain[5] to the target
        Broker[] chain = new Broker[6];
        int next = target.port();
        for (int i = chain.length - 1; i >= 0; i--) {
            chain[i] = redirecting(next, false);
            next = chain[i].port();
        }
        RecordingTracer fiveHops = new RecordingTracer();
        MqttClient near = bed.client(v5(chain[1].port(), "five-hops").packetTracer(fiveHops).followServerRedirects(true));
        RecordingTracer sixHops = new RecordingTracer();
        MqttClient far = bed.client(v5(chain[0].port(), "six-hops").packetTracer(sixHops).followServerRedirects(true));

        assertThat(done(near.connect()).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        ConnectionRefusedException refused = failure(far.connect(), ConnectionRefusedException.class);

        assertThat(fiveHops.sent(Connect.class)).hasSize(6);
        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.USE_ANOTHER_SERVER);
        assertThat(sixHops.sent(Connect.class)).hasSize(6);
        assertThat(sixHops.received(ConnAck.class)).extracting(ConnAck::reasonCode).containsOnly(ReasonCode.USE_ANOTHER_SERVER);
    }

    @Test
    @DisplayName("of a Server Reference listing several servers, the client goes to the first")
    void firstOfSeveralReferences() throws Exception {
        Broker first = bed.broker(config().withRedirect(
                new BrokerConfig.Redirect("127.0.0.1:" + target.port() + " 127.0.0.1:1", false)));
        MqttClient client = bed.client(v5(first.port(), "listed").followServerRedirects(true));

        assertThat(done(client.connect()).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertPublishesToTarget(client, "listed");
    }

    @Test
    @DisplayName("without followServerRedirects, CONNACK 0x9C fails connect() with ConnectionRefusedException 0x9C")
    void refusesWithoutFollowing() throws Exception {
        Broker first = redirecting(target.port(), false);
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.client(v5(first.port(), "stays").packetTracer(tracer));

        ConnectionRefusedException refused = failure(client.connect(), ConnectionRefusedException.class);

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.USE_ANOTHER_SERVER);
        assertThat(refused).hasMessage("Connection Refused: 0x9C Use another server");
        assertThat(tracer.sent(Connect.class)).hasSize(1);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("a 3.1.1 client of a redirecting broker is refused with return code 3, server unavailable, and goes nowhere")
    void v311Refused() throws Exception {
        Broker first = redirecting(target.port(), true);
        MqttClient client = bed.client(MqttClient.builder().host("127.0.0.1").port(first.port()).clientId("old")
                .version(MqttVersion.V3_1_1).followServerRedirects(true).reconnect(ReconnectPolicy.DISABLED));

        ConnectionRefusedException refused = failure(client.connect(), ConnectionRefusedException.class);

        assertThat(refused.reasonCode().v3ConnectReturnCode()).isEqualTo(3);
    }

    @ParameterizedTest(name = "server moved: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("after a lost connection, 0x9D Server moved sends the client straight to the new server, 0x9C Use"
            + " another server back to the configured one first")
    void redirectAfterLoss(boolean moved) throws Exception {
        TcpProxy toTarget = bed.proxy(target.port());
        TcpProxy toFirst = bed.proxy(redirecting(toTarget.port(), moved).port());
        List<ConnectResult> connects = new CopyOnWriteArrayList<>();
        MqttClient client = bed.client(v5(toFirst.port(), "wanderer").followServerRedirects(true).reconnect(FAST)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(ConnectResult result) {
                        connects.add(result);
                    }
                }));
        done(client.connect());
        assertThat(toFirst.acceptedConnections()).isEqualTo(1);
        assertThat(toTarget.acceptedConnections()).isEqualTo(1);

        toTarget.cut();
        await().atMost(WAIT).until(() -> connects.size() == 2);

        assertThat(toFirst.acceptedConnections()).isEqualTo(moved ? 1 : 2);
        assertThat(toTarget.acceptedConnections()).isEqualTo(2);
        assertPublishesToTarget(client, "wander/" + moved);
    }

    @Test
    @DisplayName("a server's DISCONNECT 0x9C with a Server Reference reaches the listener as"
            + " DisconnectedByServerException, and the client follows it to the broker it names")
    void disconnectRedirect() throws Exception {
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        List<ConnectResult> connects = new CopyOnWriteArrayList<>();
        try (ScriptedServer server = new ScriptedServer()) {
            MqttClient client = bed.client(v5(server.port(), "moved-on").followServerRedirects(true)
                    .connectionListener(new ConnectionListener() {
                        @Override
                        public void connected(ConnectResult result) {
                            connects.add(result);
                        }

                        @Override
                        public void disconnected(Throwable cause, boolean willReconnect) {
                            causes.add(cause);
                        }
                    }));
            CompletableFuture<ConnectResult> connected = client.connect();
            server.accept();
            server.readPacket();
            server.write(0x20, 0x03, 0x00, 0x00, 0x00); // CONNACK 0x00, no properties
            done(connected);

            byte[] reference = ("127.0.0.1:" + target.port()).getBytes(UTF_8);
            int[] disconnect = new int[7 + reference.length];
            disconnect[0] = 0xE0;                         // DISCONNECT
            disconnect[1] = 5 + reference.length;         // remaining length
            disconnect[2] = 0x9C;                         // Use another server
            disconnect[3] = 3 + reference.length;         // property length
            disconnect[4] = 0x1C;                         // Server Reference
            disconnect[5] = 0;
            disconnect[6] = reference.length;
            for (int i = 0; i < reference.length; i++) {
                disconnect[7 + i] = reference[i];
            }
            server.write(disconnect);

            await().atMost(WAIT).until(() -> connects.size() == 2);
            assertThat(causes).hasSize(1);
            assertThat(causes.get(0)).isInstanceOfSatisfying(DisconnectedByServerException.class, e -> {
                assertThat(e.reasonCode()).isEqualTo(ReasonCode.USE_ANOTHER_SERVER);
                assertThat(e.serverReference()).contains("127.0.0.1:" + target.port());
            });
            assertPublishesToTarget(client, "moved-on");
        }
    }
}
