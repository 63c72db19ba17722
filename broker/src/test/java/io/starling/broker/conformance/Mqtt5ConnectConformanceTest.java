package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.PingReq;
import io.starling.codec.packet.PingResp;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 5.0 CONNECT and CONNACK: what the broker accepts, refuses and tells the client. */
class Mqtt5ConnectConformanceTest {
    @RegisterExtension
    final LiveBroker live = new LiveBroker(c -> c.withSessions(false, Duration.ofHours(1)));

    private static Connect connect(String clientId, boolean cleanStart, int keepAlive, Property... properties) {
        return new Connect(MqttVersion.V5, clientId, cleanStart, keepAlive, null, null, null, Properties.of(properties));
    }

    @Test
    @DisplayName("[MQTT-3.1.4-5] [MQTT-3.2.2-2] [MQTT-4.12.0-6] [MQTT-3.2.0-1] an accepted 5.0 CONNECT gets CONNACK 0x00 first, session present 0, with what the broker offers and no authentication")
    void acceptedWithOffers() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "offers")) {
            ConnAck ack = client.connect(connect("offers", true, 60));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(ack.sessionPresent()).isFalse();
            Properties p = ack.properties();
            assertThat(p.integer(PropertyId.MAXIMUM_PACKET_SIZE)).hasValue(BrokerConfig.DEFAULT_MAX_PACKET_SIZE);
            assertThat(p.integer(PropertyId.TOPIC_ALIAS_MAXIMUM)).hasValue(BrokerConfig.Mqtt5.DEFAULT_TOPIC_ALIAS_MAXIMUM);
            assertThat(p.integer(PropertyId.WILDCARD_SUBSCRIPTION_AVAILABLE)).hasValue(1);
            assertThat(p.integer(PropertyId.SUBSCRIPTION_IDENTIFIER_AVAILABLE)).hasValue(1);
            assertThat(p.integer(PropertyId.SHARED_SUBSCRIPTION_AVAILABLE)).hasValue(1);
            // QoS 2 and retain are available: said by leaving the properties out
            assertThat(p.contains(PropertyId.MAXIMUM_QOS)).isFalse();
            assertThat(p.contains(PropertyId.RETAIN_AVAILABLE)).isFalse();
            assertThat(p.contains(PropertyId.ASSIGNED_CLIENT_IDENTIFIER)).isFalse();
            assertThat(p.contains(PropertyId.AUTHENTICATION_METHOD)).isFalse();
            client.send(PingReq.INSTANCE);
            client.expect(PingResp.class);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-6] [MQTT-3.1.3-7] [MQTT-3.2.2-16] an empty client identifier gets an Assigned Client Identifier, with Clean Start 0 too")
    void assignedClientIdentifier() {
        String first;
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "empty")) {
            ConnAck ack = client.connect(connect("", false, 60));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            first = ack.properties().string(PropertyId.ASSIGNED_CLIENT_IDENTIFIER).orElseThrow();
            assertThat(first).isNotEmpty();
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "empty-2")) {
            ConnAck ack = client.connect(connect("", true, 60));
            assertThat(ack.properties().string(PropertyId.ASSIGNED_CLIENT_IDENTIFIER).orElseThrow()).isNotEqualTo(first);
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-3] [MQTT-3.1.2-5] [MQTT-3.1.2-23] [MQTT-3.1.3-2] [MQTT-4.1.0-1] a session with an expiry interval outlives its connection and is resumed with Clean Start 0")
    void sessionExpiryKeepsTheSession() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "keep")) {
            client.connect(connect("keep", true, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 300)));
            client.subscribe(1, new Subscription("keep/t", QoS.AT_LEAST_ONCE));
            client.send(Disconnect.NORMAL);
            client.expectClosed();
        }
        Brokers.awaitOffline(live.broker(), "keep");
        try (Mqtt5Client publisher = Mqtt5Client.connected(live.port(), "keep-pub")) {
            publisher.publish("keep/t", QoS.AT_LEAST_ONCE, false, 1, "while away");
            publisher.expect(io.starling.codec.packet.PubAck.class);
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "keep")) {
            ConnAck ack = client.connect(connect("keep", false, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 300)));
            assertThat(ack.sessionPresent()).isTrue();
            assertThat(Mqtt5Client.text(client.expect(io.starling.codec.packet.Publish.class))).isEqualTo("while away");
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.2-6] [MQTT-3.1.4-4] [MQTT-3.2.2-2] Session Expiry Interval 0 (the default) ends the session with the connection; Clean Start 1 starts anew")
    void expiryZeroEndsTheSession() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "gone")) {
            client.connect(connect("gone", false, 60));
            client.subscribe(1, new Subscription("gone/t", QoS.AT_LEAST_ONCE));
        }
        Brokers.awaitOffline(live.broker(), "gone");
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "gone")) {
            assertThat(client.connect(connect("gone", false, 60)).sessionPresent()).isFalse();
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "fresh")) {
            client.connect(connect("fresh", false, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60)));
        }
        Brokers.awaitOffline(live.broker(), "fresh");
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "fresh")) {
            assertThat(client.connect(connect("fresh", true, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60)))
                    .sessionPresent()).isFalse();
        }
    }

    @Test
    @DisplayName("session_expiry caps the Session Expiry Interval a client asks for, and the CONNACK says the one used (section 3.2.2.3.2)")
    void sessionExpiryIsCapped() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "capped")) {
            ConnAck ack = client.connect(connect("capped", true, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 0xFFFF_FFFFL)));
            assertThat(ack.properties().integer(PropertyId.SESSION_EXPIRY_INTERVAL)).hasValue(3600);
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "under")) {
            ConnAck ack = client.connect(connect("under", true, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 10)));
            assertThat(ack.properties().contains(PropertyId.SESSION_EXPIRY_INTERVAL)).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-4.1.0-2] a session is dropped once its Session Expiry Interval has passed after the connection closed")
    void sessionExpires() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "brief")) {
            client.connect(connect("brief", true, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 1)));
        }
        Brokers.awaitOffline(live.broker(), "brief");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() ->
                io.starling.broker.BrokerInternals.sessions(live.broker()).store().get("brief") == null);
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "brief")) {
            assertThat(client.connect(connect("brief", false, 60)).sessionPresent()).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] [MQTT-3.14.2-2] [MQTT-3.14.4-1] [MQTT-3.14.4-2] a second connection with the same client identifier sends the first DISCONNECT 0x8E (no Session Expiry Interval), then nothing, then the close")
    void takeOverSendsSessionTakenOver() {
        try (Mqtt5Client first = Mqtt5Client.connected(live.port(), "twice");
                Mqtt5Client second = Mqtt5Client.connected(live.port(), "twice")) {
            Disconnect disconnect = first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER);
            assertThat(disconnect.properties().contains(PropertyId.SESSION_EXPIRY_INTERVAL)).isFalse();
            second.send(PingReq.INSTANCE);
            second.expect(PingResp.class);
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-22] max_keepalive replaces a longer keep alive and a keep alive of 0, and the CONNACK says so with Server Keep Alive")
    void serverKeepAlive() {
        live.restart(c -> c.withMqtt5(new BrokerConfig.Mqtt5(30, 65535, QoS.EXACTLY_ONCE, true, 10, null)));
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "long")) {
            assertThat(client.connect(connect("long", true, 600)).properties().integer(PropertyId.SERVER_KEEP_ALIVE)).hasValue(30);
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "zero")) {
            assertThat(client.connect(connect("zero", true, 0)).properties().integer(PropertyId.SERVER_KEEP_ALIVE)).hasValue(30);
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "short")) {
            assertThat(client.connect(connect("short", true, 20)).properties().contains(PropertyId.SERVER_KEEP_ALIVE)).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-22] a 5.0 client silent for one and a half times its keep alive gets DISCONNECT 0x8D, then the close")
    void keepAliveTimeout() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "silent")) {
            client.connect(connect("silent", true, 1));
            client.expectDisconnect(ReasonCode.KEEP_ALIVE_TIMEOUT);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-1] an Authentication Method the broker has no mechanism for gets CONNACK 0x8C, then the close")
    void unknownAuthenticationMethod() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "scram")) {
            ConnAck ack = client.connect(connect("scram", true, 60, Property.of(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-256"),
                    Property.of(PropertyId.AUTHENTICATION_DATA, Bytes.of(new byte[] {1}))));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertThat(ack.sessionPresent()).isFalse();
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-28] Response Information only when asked for and configured")
    void responseInformation() {
        live.restart(c -> c.withMqtt5(new BrokerConfig.Mqtt5(65535, 65535, QoS.EXACTLY_ONCE, true, 10, "replies/")));
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "asks")) {
            ConnAck ack = client.connect(connect("asks", true, 60, Property.of(PropertyId.REQUEST_RESPONSE_INFORMATION, 1)));
            assertThat(ack.properties().string(PropertyId.RESPONSE_INFORMATION)).hasValue("replies/");
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "silent")) {
            ConnAck ack = client.connect(connect("silent", true, 60));
            assertThat(ack.properties().contains(PropertyId.RESPONSE_INFORMATION)).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-9] [MQTT-3.2.2-12] [MQTT-3.2.2-13] Maximum QoS and Retain Available are offered; a will beyond them gets CONNACK 0x9B or 0x9A")
    void limitedQosAndRetain() {
        live.restart(c -> c.withMqtt5(new BrokerConfig.Mqtt5(65535, 65535, QoS.AT_LEAST_ONCE, false, 10, null)));
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "limits")) {
            ConnAck ack = client.connect(connect("limits", true, 60));
            assertThat(ack.properties().integer(PropertyId.MAXIMUM_QOS)).hasValue(1);
            assertThat(ack.properties().integer(PropertyId.RETAIN_AVAILABLE)).hasValue(0);
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "will2")) {
            Will will = new Will("w", Bytes.of(new byte[] {1}), QoS.EXACTLY_ONCE, false);
            ConnAck ack = client.connect(new Connect(MqttVersion.V5, "will2", true, 60, null, null, will, Properties.EMPTY));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.QOS_NOT_SUPPORTED);
            client.expectClosed();
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "willr")) {
            Will will = new Will("w", Bytes.of(new byte[] {1}), QoS.AT_MOST_ONCE, true);
            ConnAck ack = client.connect(new Connect(MqttVersion.V5, "willr", true, 60, null, null, will, Properties.EMPTY));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.RETAIN_NOT_SUPPORTED);
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-2] [MQTT-3.1.4-6] bad credentials get the 5.0 reason code 0x86 in a 5.0 CONNACK; what the client sent after it is not processed")
    void badCredentials() {
        java.nio.file.Path passwords = Brokers.newDataDir().resolveSibling("passwd-" + System.nanoTime());
        try {
            java.nio.file.Files.createDirectories(passwords.getParent());
            java.nio.file.Files.writeString(passwords, "alice:secret\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        live.restart(c -> c.withPasswordFile(passwords).withAllowAnonymous(false));
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "bad")) {
            client.send(new Connect(MqttVersion.V5, "bad", true, 60, "alice", Bytes.of("wrong".getBytes()), null, Properties.EMPTY));
            client.send(PingReq.INSTANCE); // pipelined behind the CONNECT: never answered
            ConnAck ack = client.expect(ConnAck.class);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(ack.properties().string(PropertyId.REASON_STRING)).isPresent();
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.0-2] [MQTT-4.13.1-1] a second CONNECT is a protocol error: DISCONNECT 0x82, then the close")
    void secondConnect() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "again")) {
            client.send(connect("again", true, 60));
            client.expectDisconnect(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[MQTT-4.12.0-7] an AUTH from a client whose CONNECT had no Authentication Method is a protocol error: DISCONNECT 0x82")
    void authWithoutMethod() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "auth")) {
            client.send(new io.starling.codec.packet.Auth(ReasonCode.RE_AUTHENTICATE, Properties.of(
                    Property.of(PropertyId.AUTHENTICATION_METHOD, "SCRAM-SHA-256"))));
            client.expectDisconnect(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("[MQTT-4.13.1-1] a malformed packet from a 5.0 client gets DISCONNECT 0x81 before the close")
    void malformedPacket() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "broken")) {
            // PINGREQ with a remaining length of 1
            client.sendRaw(Packets.bytes(0xC0, 0x01, 0x00));
            client.expectDisconnect(ReasonCode.MALFORMED_PACKET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-3] [MQTT-3.1.4-1] [MQTT-4.13.1-1] [MQTT-4.13.2-1] a 5.0 CONNECT with the reserved flag set gets CONNACK 0x81, not DISCONNECT [MQTT-3.14.0-1], then the close")
    void malformedConnect() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "bad-connect")) {
            client.sendRaw(Packets.bytes(
                    0x10, 0x11,                      // CONNECT, remaining length 17
                    0x00, 0x04, 'M', 'Q', 'T', 'T',  // protocol name
                    0x05,                            // level 5
                    0x03,                            // connect flags: reserved bit set
                    0x00, 0x3C,                      // keep alive
                    0x00,                            // properties: none
                    0x00, 0x04, 'b', 'a', 'd', '!'));
            ConnAck ack = client.expect(ConnAck.class);
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.MALFORMED_PACKET);
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("DISCONNECT with a Session Expiry Interval after a CONNECT that set 0 is a protocol error: DISCONNECT 0x82 (section 3.14.2.2.2)")
    void disconnectCannotRaiseExpiryFromZero() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "raise")) {
            client.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))));
            client.expectDisconnect(ReasonCode.PROTOCOL_ERROR);
        }
    }

    @Test
    @DisplayName("a DISCONNECT may change a non-zero Session Expiry Interval, to 0 too: the session then ends (section 3.14.2.2.2)")
    void disconnectMayLowerExpiry() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "lower")) {
            client.connect(connect("lower", true, 60, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 300)));
            client.send(new Disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 0))));
            client.expectClosed();
        }
        Brokers.awaitOffline(live.broker(), "lower");
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "lower")) {
            assertThat(client.connect(connect("lower", false, 60)).sessionPresent()).isFalse();
        }
    }

    @Test
    @DisplayName("a broker that stops sends its 5.0 clients DISCONNECT 0x8B")
    void shutdown() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "bye")) {
            live.stop();
            client.expectDisconnect(ReasonCode.SERVER_SHUTTING_DOWN);
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.2-19] [MQTT-3.2.2-20] a refusing CONNACK leaves its Reason String out when the client's Maximum Packet Size is too small for it")
    void refusalWithinClientMaximum() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "tiny")) {
            ConnAck ack = client.connect(connect("tiny", true, 60, Property.of(PropertyId.MAXIMUM_PACKET_SIZE, 16),
                    Property.of(PropertyId.AUTHENTICATION_METHOD, "NO-SUCH-METHOD")));
            assertThat(ack.reasonCode()).isEqualTo(ReasonCode.BAD_AUTHENTICATION_METHOD);
            assertThat(ack.properties().contains(PropertyId.REASON_STRING)).isFalse();
            client.expectClosed();
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "roomy")) {
            ConnAck ack = client.connect(connect("roomy", true, 60, Property.of(PropertyId.AUTHENTICATION_METHOD, "NO-SUCH-METHOD")));
            assertThat(ack.properties().contains(PropertyId.REASON_STRING)).isTrue();
        }
    }

    @Test
    @DisplayName("[MQTT-3.2.0-2] [MQTT-3.1.0-1] one CONNACK per connection; a first packet other than CONNECT closes the connection")
    void oneConnAck() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "once")) {
            client.send(PingReq.INSTANCE);
            client.expect(PingResp.class);
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "first")) {
            client.send(PingReq.INSTANCE);
            client.expectClosed();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-2] a CONNECT of an unknown protocol level gets CONNACK 0x01, in the 3.1.1 form a client of any version reads, and the close")
    void protocolNameAndLevel() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "level")) {
            client.sendRaw(Packets.bytes(0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x06, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x01, 'x'));
            client.expectClosedAfterRaw(Packets.bytes(0x20, 0x02, 0x00, 0x01));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-5] client identifiers of 1 to 23 characters from 0-9, a-z, A-Z are accepted")
    void plainClientIdentifiers() {
        for (String id : new String[] {"a", "Z9", "abcdefghijklmnopqrstuvw"}) {
            try (Mqtt5Client client = Mqtt5Client.connected(live.port(), id)) {
                client.send(Disconnect.NORMAL);
                client.expectClosed();
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-7] [MQTT-3.1.2-14] [MQTT-3.1.2-15] [MQTT-3.1.2-10] a will is kept with the session and published with its Will Retain flag: retained when 1")
    void willRetain() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "wr")) {
            Will will = new Will("wr/t", Bytes.of(new byte[] {1}), QoS.AT_MOST_ONCE, true);
            client.connect(new Connect(MqttVersion.V5, "wr", true, 60, null, null, will, Properties.EMPTY));
        }
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "wn")) {
            Will will = new Will("wn/t", Bytes.of(new byte[] {2}), QoS.AT_MOST_ONCE, false);
            client.connect(new Connect(MqttVersion.V5, "wn", true, 60, null, null, will, Properties.EMPTY));
        }
        Brokers.awaitOffline(live.broker(), "wr");
        Brokers.awaitOffline(live.broker(), "wn");
        try (Mqtt5Client late = Mqtt5Client.connected(live.port(), "late")) {
            late.send(new io.starling.codec.packet.Subscribe(1, java.util.List.of(new Subscription("wr/t", QoS.AT_MOST_ONCE),
                    new Subscription("wn/t", QoS.AT_MOST_ONCE)), Properties.EMPTY));
            late.expect(io.starling.codec.packet.SubAck.class);
            io.starling.codec.packet.Publish retained = late.expect(io.starling.codec.packet.Publish.class);
            assertThat(retained.topic()).isEqualTo("wr/t");
            assertThat(retained.retained()).isTrue();
            late.expectNothing(Duration.ofMillis(300));
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-1] a CONNECT whose protocol name is not MQTT closes the connection (the CONNACK is optional; the broker sends none)")
    void protocolName() {
        try (Mqtt5Client client = Mqtt5Client.open(live.port(), "name")) {
            client.sendRaw(Packets.bytes(0x10, 0x0D, 0x00, 0x04, 'M', 'Q', 'T', 'X', 0x05, 0x02, 0x00, 0x3C, 0x00, 0x00, 0x01, 'x'));
            client.expectClosed();
        }
    }
}
