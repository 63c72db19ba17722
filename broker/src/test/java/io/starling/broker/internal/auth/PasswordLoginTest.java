package io.starling.broker.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.Broker;
import io.starling.broker.auth.PasswordHash;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.spi.Authenticator;
import io.starling.broker.spi.Authenticator.Decision;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logins over the wire against a password file and embedded authenticators. */
class PasswordLoginTest {
    @TempDir
    Path dir;

    private BrokerConfig config(String... lines) throws Exception {
        Path file = dir.resolve("passwd");
        Files.write(file, List.of(lines));
        return BrokerConfig.defaults().inMemory().onLoopback().withPasswordFile(file).withAllowAnonymous(false);
    }

    private static String hashed(String user, String password) {
        return user + ":" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, password.getBytes(StandardCharsets.UTF_8), 100).encoded();
    }

    private static Connect connect(MqttVersion version, String clientId, @Nullable String user, @Nullable String password) {
        return new Connect(version, clientId, true, 60, user, password == null ? null : Bytes.of(password.getBytes(StandardCharsets.UTF_8)),
                null, Properties.EMPTY);
    }

    @Test
    @DisplayName("a user of the password file is let in; SUBSCRIBE and PUBLISH sent right behind CONNECT wait for the verdict, in order")
    void pipelinedPacketsWaitForTheVerdict() throws Exception {
        try (Broker broker = Broker.start(config(hashed("alice", "s3cret")));
                WireClient client = new WireClient(broker.port(), MqttVersion.V3_1_1)) {
            Publish publish = new Publish("t/1", QoS.AT_MOST_ONCE, false, false, 0, Unpooled.wrappedBuffer(new byte[] {42}));
            client.send(connect(MqttVersion.V3_1_1, "alice-1", "alice", "s3cret"),
                    new Subscribe(1, List.of(new Subscription("t/#", QoS.AT_LEAST_ONCE))), publish);
            assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            SubAck ack = client.expect(SubAck.class);
            assertThat(ack.packetId()).isEqualTo(1);
            Publish received = client.expect(Publish.class);
            assertThat(received.topic()).isEqualTo("t/1");
            assertThat(received.payload().readByte()).isEqualTo((byte) 42);
            received.release();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-5] a wrong password and an unknown user get return code 4 (5.0: 0x86), then the close")
    void wrongPasswordIsRefused() throws Exception {
        try (Broker broker = Broker.start(config(hashed("alice", "s3cret")))) {
            try (WireClient client = new WireClient(broker.port(), MqttVersion.V3_1_1)) {
                client.send(connect(MqttVersion.V3_1_1, "c1", "alice", "wrong"),
                        new Subscribe(1, List.of(new Subscription("t/#", QoS.AT_LEAST_ONCE))));
                assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
                client.expectClosed();
            }
            try (WireClient client = new WireClient(broker.port(), MqttVersion.V5)) {
                client.send(connect(MqttVersion.V5, "c2", "mallory", "s3cret"));
                assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
                client.expectClosed();
            }
            try (WireClient client = new WireClient(broker.port(), MqttVersion.V3_1_1)) {
                // allow_anonymous false: a password file does not let anonymous clients in, nor keep them out
                client.send(connect(MqttVersion.V3_1_1, "c3", null, null));
                assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            }
            assertThat(broker.metrics().loginsRefused.sum()).isEqualTo(3);
        }
    }

    @Test
    @DisplayName("embedded authenticators passed to Broker.start decide first, and name the user")
    void embeddedAuthenticator() throws Exception {
        Authenticator tokens = login -> "t0ken".equals(login.password() == null ? null : new String(login.password(), StandardCharsets.UTF_8))
                ? Decision.allow("device-" + login.clientId()) : Decision.abstain();
        try (Broker broker = Broker.start(config(hashed("alice", "s3cret")), List.of(tokens))) {
            try (WireClient client = new WireClient(broker.port(), MqttVersion.V5)) {
                client.send(connect(MqttVersion.V5, "d7", "anyone", "t0ken"));
                assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            }
            try (WireClient client = new WireClient(broker.port(), MqttVersion.V5)) {
                // abstained: the password file decides
                client.send(connect(MqttVersion.V5, "a1", "alice", "s3cret"));
                assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            }
        }
    }
}
