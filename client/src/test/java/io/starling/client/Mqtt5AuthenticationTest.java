package io.starling.client;

import static io.starling.client.BrokerTestBed.WAIT;
import static io.starling.client.BrokerTestBed.config;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.failure;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.auth.PasswordHash;
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Enhanced authentication (MQTT 5.0, 4.12) with {@link ScramSha256Authentication} against a broker
 * whose password file holds a {@code $scram-sha-256$} entry: the exchange on the wire, a wrong
 * password, re-authentication, and a method the broker does not know.
 */
class Mqtt5AuthenticationTest {
    @TempDir
    Path dir;
    private final BrokerTestBed bed = new BrokerTestBed();
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        Path passwords = Files.write(dir.resolve("passwd"), List.of(
                "alice:" + PasswordHash.create(PasswordHash.Form.SCRAM_SHA256, "pencil".getBytes(UTF_8), 4096).encoded()));
        broker = bed.broker(config().withPasswordFile(passwords).withAllowAnonymous(false));
    }

    @AfterEach
    void close() {
        bed.close();
    }

    private static String data(Properties properties) {
        return new String(properties.binary(PropertyId.AUTHENTICATION_DATA).orElseThrow().toArray(), UTF_8);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-2] [MQTT-4.12.0-3] [MQTT-4.12.0-5] SCRAM-SHA-256 connects: CONNECT with the method and"
            + " client-first, AUTH 0x18 both ways, CONNACK 0x00 with the server's signature")
    void scramConnects() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.client(v5(broker.port(), "scram").packetTracer(tracer)
                .authentication(new ScramSha256Authentication("alice", "pencil")));

        ConnectResult result = done(client.connect());

        assertThat(result.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(tracer.all()).extracting(t -> (t.sent() ? "sent " : "received ") + describe(t.packet())).containsExactly(
                "sent CONNECT", "received AUTH CONTINUE_AUTHENTICATION", "sent AUTH CONTINUE_AUTHENTICATION", "received CONNACK SUCCESS");
        Connect connect = tracer.sent(Connect.class).get(0);
        assertThat(connect.username()).isNull();
        assertThat(connect.password()).isNull();
        assertThat(connect.properties().string(PropertyId.AUTHENTICATION_METHOD)).contains("SCRAM-SHA-256");
        assertThat(data(connect.properties())).matches("n,,n=alice,r=[A-Za-z0-9+/]{24}");
        assertThat(data(tracer.received(Auth.class).get(0).properties())).matches("r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096");
        assertThat(data(tracer.sent(Auth.class).get(0).properties())).matches("c=biws,r=[^,]+,p=[A-Za-z0-9+/=]+");
        ConnAck connAck = tracer.received(ConnAck.class).get(0);
        assertThat(connAck.properties().string(PropertyId.AUTHENTICATION_METHOD)).contains("SCRAM-SHA-256");
        assertThat(data(connAck.properties())).matches("v=[A-Za-z0-9+/=]+");
        assertThat(done(client.publish("scram/t", new byte[0], QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-4] a wrong SCRAM password fails connect() with ConnectionRefusedException 0x87 and the"
            + " broker's reason")
    void wrongPassword() throws Exception {
        MqttClient client = bed.client(v5(broker.port(), "scram-bad").authentication(new ScramSha256Authentication("alice", "crayon")));

        ConnectionRefusedException refused = failure(client.connect(), ConnectionRefusedException.class);

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(refused).hasMessage("Connection Refused: 0x87 Not authorized"
                + " (authentication failed: SCRAM authentication of 'alice' failed)");
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-4.12.1-1] reauthenticate() sends AUTH 0x19 with the CONNECT's method, answers the challenge"
            + " and completes on AUTH 0x00; the connection carries on")
    void reauthenticates() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "scram-again").packetTracer(tracer)
                .authentication(new ScramSha256Authentication("alice", "pencil")));
        int before = tracer.all().size();

        done(client.reauthenticate());

        assertThat(tracer.all().subList(before, tracer.all().size()))
                .extracting(t -> (t.sent() ? "sent " : "received ") + describe(t.packet())).containsExactly(
                        "sent AUTH RE_AUTHENTICATE", "received AUTH CONTINUE_AUTHENTICATION",
                        "sent AUTH CONTINUE_AUTHENTICATION", "received AUTH SUCCESS");
        Auth start = tracer.sent(Auth.class).get(1);
        assertThat(start.properties().string(PropertyId.AUTHENTICATION_METHOD)).contains("SCRAM-SHA-256");
        assertThat(data(start.properties())).matches("n,,n=alice,r=[A-Za-z0-9+/]{24}");
        assertThat(data(tracer.received(Auth.class).get(1).properties())).matches("r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096");
        assertThat(data(tracer.received(Auth.class).get(2).properties())).matches("v=[A-Za-z0-9+/=]+");
        assertThat(client.isConnected()).isTrue();
        assertThat(done(client.publish("scram/t", new byte[0], QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-4.12.1-2] a re-authentication the broker refuses ends the connection: reauthenticate() and"
            + " the listener get DisconnectedByServerException 0x87")
    void reauthenticationRefused() throws Exception {
        ScramSha256Authentication good = new ScramSha256Authentication("alice", "pencil");
        ScramSha256Authentication wrong = new ScramSha256Authentication("alice", "crayon");
        EnhancedAuthentication passwordChanged = new EnhancedAuthentication() {
            @Override
            public String method() {
                return good.method();
            }

            @Override
            public Exchange start(boolean reauthentication) {
                return (reauthentication ? wrong : good).start(reauthentication);
            }
        };
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        MqttClient client = bed.connected(v5(broker.port(), "scram-changed").authentication(passwordChanged)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void disconnected(Throwable cause, boolean willReconnect) {
                        causes.add(cause);
                    }
                }));

        DisconnectedByServerException refused = failure(client.reauthenticate(), DisconnectedByServerException.class);

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(refused.reasonString()).contains("re-authentication failed: SCRAM authentication of 'alice' failed");
        await().atMost(WAIT).until(() -> causes.size() == 1);
        assertThat(causes.get(0)).isSameAs(refused);
        assertThat(client.isConnected()).isFalse();
    }

    @Test
    @DisplayName("a 5.0 user name and password login against the same entry: accepted, or refused with CONNACK 0x86")
    void passwordLogin() throws Exception {
        assertThat(done(bed.client(v5(broker.port(), "plain-login").username("alice").password("pencil")).connect())
                .reasonCode()).isEqualTo(ReasonCode.SUCCESS);

        MqttClient wrong = bed.client(v5(broker.port(), "plain-wrong").username("alice").password("crayon"));
        ConnectionRefusedException refused = failure(wrong.connect(), ConnectionRefusedException.class);

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    @DisplayName("reauthenticate() without an authentication method fails at once and sends nothing")
    void reauthenticateWithoutMethod() throws Exception {
        Broker open = bed.broker();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(open.port(), "no-method").packetTracer(tracer));

        assertThat(failure(client.reauthenticate(), MqttClientException.class))
                .hasMessage("no enhanced authentication is configured: nothing to re-authenticate with");
        assertThat(tracer.sent(Auth.class)).isEmpty();
        assertThat(client.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-4.12.0-1] an authentication method the broker does not know gets CONNACK 0x8C")
    void unknownMethod() throws Exception {
        EnhancedAuthentication unknown = new EnhancedAuthentication() {
            @Override
            public String method() {
                return "X-UNKNOWN";
            }

            @Override
            public Exchange start(boolean reauthentication) {
                return new Exchange() {
                    @Override
                    public byte @Nullable [] initialData() {
                        return null;
                    }

                    @Override
                    public byte[] challenge(byte @Nullable [] data) {
                        throw new MqttClientException("no challenge expected");
                    }

                    @Override
                    public void succeeded(byte @Nullable [] data) {
                        // nothing to check
                    }
                };
            }
        };
        MqttClient client = bed.client(v5(broker.port(), "unknown-method").authentication(unknown));

        ConnectionRefusedException refused = failure(client.connect(), ConnectionRefusedException.class);

        assertThat(refused.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
    }

    @Test
    @DisplayName("enhanced authentication needs MQTT 5.0: a 3.1.1 builder with one refuses to build")
    void needsV5() {
        MqttClientBuilder builder = MqttClient.builder().version(MqttVersion.V3_1_1)
                .authentication(new ScramSha256Authentication("alice", "pencil"));

        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("enhanced authentication is MQTT 5.0; set version(MqttVersion.V5)");
    }

    private static String describe(Packet packet) {
        if (packet instanceof Auth auth) {
            return "AUTH " + auth.reasonCode();
        }
        if (packet instanceof ConnAck ack) {
            return "CONNACK " + ack.reasonCode();
        }
        return packet.type().toString();
    }
}
