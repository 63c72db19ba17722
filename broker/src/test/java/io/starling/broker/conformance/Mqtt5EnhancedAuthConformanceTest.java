package io.starling.broker.conformance;

import static io.starling.broker.conformance.ChallengeMechanism.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.packet.Auth;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 5.0 enhanced authentication through a mechanism plugged in with ServiceLoader ({@link ChallengeMechanism}). */
class Mqtt5EnhancedAuthConformanceTest {
    @RegisterExtension
    final LiveBroker live = new LiveBroker();

    private static Properties auth(String data) {
        return Properties.of(Property.of(PropertyId.AUTHENTICATION_METHOD, ChallengeMechanism.METHOD),
                Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of(utf8(data))));
    }

    private static Connect connect(String clientId, String data) {
        return new Connect(MqttVersion.V5, clientId, true, 60, null, null, null, auth(data));
    }

    private static String data(Properties properties) {
        return new String(properties.binary(PropertyId.AUTHENTICATION_DATA).orElseThrow().toArray(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("[MQTT-4.12.0-2] [MQTT-4.12.0-5] the mechanism's challenge goes out in AUTH 0x18; a right answer gets CONNACK 0x00 with the method and final data")
    void challengeAndResponse() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "auth-ok")) {
            client.send(connect("auth-ok", "hello"));
            Auth challenge = client.expect(Auth.class);
            assertThat(challenge.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            assertThat(challenge.properties().string(PropertyId.AUTHENTICATION_METHOD)).hasValue(ChallengeMechanism.METHOD);
            assertThat(data(challenge.properties())).isEqualTo("challenge");
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("response")));
            ConnAck ack = client.expect(ConnAck.class);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(ack.properties().string(PropertyId.AUTHENTICATION_METHOD)).hasValue(ChallengeMechanism.METHOD);
            assertThat(data(ack.properties())).isEqualTo("welcome");
            client.send(PingReq.INSTANCE);
            client.expect(PingResp.class);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-4] a wrong answer gets CONNACK 0x87, then the close")
    void wrongResponse() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "auth-bad")) {
            client.send(connect("auth-bad", "hello"));
            client.expect(Auth.class);
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("guess")));
            ConnAck ack = client.expect(ConnAck.class);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-30] a packet other than AUTH or DISCONNECT before the CONNACK is a protocol error: CONNACK 0x82")
    void packetOutOfTurn() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "auth-early")) {
            client.send(connect("auth-early", "hello"));
            client.expect(Auth.class);
            client.send(PingReq.INSTANCE);
            assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.1-1] re-authentication: AUTH 0x19 with the same method, challenged again, ends with AUTH 0x00")
    void reauthentication() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "reauth")) {
            client.send(connect("reauth", "hello"));
            client.expect(Auth.class);
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("response")));
            client.expect(ConnAck.class);
            client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth("hello")));
            assertThat(client.expect(Auth.class).reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("response")));
            Auth done = client.expect(Auth.class);
            assertThat(done.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(data(done.properties())).isEqualTo("welcome");
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.1-2] a failed re-authentication gets DISCONNECT 0x87")
    void failedReauthentication() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "reauth-bad")) {
            client.send(connect("reauth-bad", "hello"));
            client.expect(Auth.class);
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("response")));
            client.expect(ConnAck.class);
            client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth("goodbye")));
            client.expectDisconnect(ReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.1-1] re-authentication with another method is a protocol error: DISCONNECT 0x82")
    void reauthenticationWithAnotherMethod() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "reauth-other")) {
            client.send(connect("reauth-other", "hello"));
            client.expect(Auth.class);
            client.send(new Auth(ReasonCode.CONTINUE_AUTHENTICATION, auth("response")));
            client.expect(ConnAck.class);
            client.send(new Auth(ReasonCode.RE_AUTHENTICATE, Properties.of(Property.of(PropertyId.AUTHENTICATION_METHOD, "OTHER"))));
            client.expectDisconnect(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-3] answering a challenge with an AUTH code other than 0x18 is a protocol error: CONNACK 0x82")
    void wrongAnswerCode() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "auth-code")) {
            client.send(connect("auth-code", "hello"));
            client.expect(Auth.class);
            client.send(new Auth(ReasonCode.RE_AUTHENTICATE, auth("response")));
            assertThat(client.expect(ConnAck.class).reasonCode()).isEqualTo(ReasonCode.PROTOCOL_ERROR);
            client.expectClosed();
        }
    }
}
