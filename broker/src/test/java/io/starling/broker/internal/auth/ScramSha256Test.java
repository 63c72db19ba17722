package io.starling.broker.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.auth.PasswordHash;
import io.starling.broker.auth.Pbkdf2;
import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SCRAM-SHA-256 as MQTT 5.0 enhanced authentication, driven by a test-side SCRAM client (RFC 5802 section 3). */
class ScramSha256Test {
    private static final String METHOD = "SCRAM-SHA-256";

    @TempDir
    Path dir;
    private Broker broker;

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("passwd");
        Files.write(file, List.of(
                "user:" + PasswordHash.create(PasswordHash.Form.SCRAM_SHA256, utf8("pencil"), 4096).encoded(),
                "plain:" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, utf8("pencil"), 100).encoded()));
        broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback().withPasswordFile(file).withAllowAnonymous(false));
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Properties auth(String data) {
        return Properties.of(Property.of(PropertyId.AUTHENTICATION_METHOD, METHOD), Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of(utf8(data))));
    }

    private static String data(Properties properties) {
        return new String(properties.binary(PropertyId.AUTHENTICATION_DATA).orElseThrow().toArray(), StandardCharsets.UTF_8);
    }

    /** The client side of one exchange. */
    private static final class ScramClient {
        final String user;
        final String password;
        final String clientNonce = Base64.getEncoder().encodeToString(Pbkdf2.random(18));
        String authMessage = "";
        byte[] saltedPassword = new byte[0];

        ScramClient(String user, String password) {
            this.user = user;
            this.password = password;
        }

        String clientFirstBare() {
            return "n=" + user + ",r=" + clientNonce;
        }

        String clientFirst() {
            return "n,," + clientFirstBare();
        }

        String clientFinal(String serverFirst) {
            String[] parts = serverFirst.split(",");
            String nonce = parts[0].substring(2);
            assertThat(nonce).startsWith(clientNonce).hasSizeGreaterThan(clientNonce.length());
            byte[] salt = Base64.getDecoder().decode(parts[1].substring(2));
            int iterations = Integer.parseInt(parts[2].substring(2));
            saltedPassword = Pbkdf2.derive(Pbkdf2.HMAC_SHA256, utf8(password), salt, iterations, 32);
            String withoutProof = "c=" + Base64.getEncoder().encodeToString(utf8("n,,")) + ",r=" + nonce;
            authMessage = clientFirstBare() + "," + serverFirst + "," + withoutProof;
            byte[] clientKey = PasswordHash.ScramSha256.clientKey(saltedPassword);
            byte[] signature = Pbkdf2.hmac(Pbkdf2.HMAC_SHA256, PasswordHash.ScramSha256.storedKey(clientKey), utf8(authMessage));
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            return withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof);
        }

        /** The v= the server must send: HMAC(ServerKey, AuthMessage). */
        String expectedServerFinal() {
            byte[] serverKey = PasswordHash.ScramSha256.serverKey(saltedPassword);
            return "v=" + Base64.getEncoder().encodeToString(Pbkdf2.hmac(Pbkdf2.HMAC_SHA256, serverKey, utf8(authMessage)));
        }
    }

    /** CONNECT with client-first, AUTH 0x18 with server-first, AUTH 0x18 with client-final; returns the CONNACK. */
    private static ConnAck exchange(WireClient client, ScramClient scram, String clientId) {
        client.send(new Connect(MqttVersion.V5, clientId, true, 60, null, null, null, auth(scram.clientFirst())));
        Auth challenge = client.expect(Auth.class);
        assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
        assertThat(challenge.properties().string(PropertyId.AUTHENTICATION_METHOD)).hasValue(METHOD);
        client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(scram.clientFinal(data(challenge.properties())))));
        return client.expect(ConnAck.class);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-5] the full exchange lets the user in; the CONNACK carries the method and a server signature the client verifies")
    void fullExchange() {
        try (WireClient client = new WireClient(broker.port(), MqttVersion.V5)) {
            ScramClient scram = new ScramClient("user", "pencil");
            ConnAck ack = exchange(client, scram, "scram-1");
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(ack.properties().string(PropertyId.AUTHENTICATION_METHOD)).hasValue(METHOD);
            assertThat(data(ack.properties())).isEqualTo(scram.expectedServerFinal());
            client.send(PingReq.INSTANCE);
            client.expect(PingResp.class);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-4] a wrong password and an unknown user both get CONNACK 0x87 after the same steps")
    void wrongPasswordAndUnknownUser() {
        for (ScramClient scram : List.of(new ScramClient("user", "pen"), new ScramClient("nobody", "pencil"),
                new ScramClient("plain", "pencil"))) {
            try (WireClient client = new WireClient(broker.port(), MqttVersion.V5)) {
                ConnAck ack = exchange(client, scram, "scram-bad");
                assertThat(ack.reasonCode()).as("user %s", scram.user).isEqualTo(ReasonCode.NOT_AUTHORIZED);
                client.expectClosed();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.1-1] re-authentication with AUTH 0x19 runs the exchange again and ends with AUTH 0x00")
    void reauthentication() {
        try (WireClient client = new WireClient(broker.port(), MqttVersion.V5)) {
            assertThat(exchange(client, new ScramClient("user", "pencil"), "scram-re").reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            ScramClient again = new ScramClient("user", "pencil");
            client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth(again.clientFirst())));
            Auth challenge = client.expect(Auth.class);
            assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(again.clientFinal(data(challenge.properties())))));
            Auth done = client.expect(Auth.class);
            assertThat(done.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(data(done.properties())).isEqualTo(again.expectedServerFinal());
            // another user cannot take the connection over by re-authenticating
            ScramClient other = new ScramClient("nobody", "pencil");
            client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth(other.clientFirst())));
            Auth otherChallenge = client.expect(Auth.class);
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth(other.clientFinal(data(otherChallenge.properties())))));
            assertThat(client.expect(Disconnect.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    @DisplayName("a SCRAM line also checks a plain CONNECT password")
    void scramLineChecksPlainPassword() {
        try (WireClient client = new WireClient(broker.port(), MqttVersion.V5)) {
            client.send(new Connect(MqttVersion.V5, "scram-plain", true, 60, "user", Bytes.of(utf8("pencil")), null, Properties.EMPTY));
            assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        }
    }
}
