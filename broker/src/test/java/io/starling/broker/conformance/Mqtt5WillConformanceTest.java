package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.Will;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** MQTT 5.0 wills: properties, Will Delay Interval, DISCONNECT 0x04, and take-over. */
class Mqtt5WillConformanceTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    @RegisterExtension
    final LiveBroker live = new LiveBroker();

    private static Connect withWill(String clientId, boolean cleanStart, long sessionExpiry, long willDelay, Property... willProperties) {
        Property[] all = new Property[willProperties.length + 1];
        all[0] = Property.of(PropertyId.WILL_DELAY_INTERVAL, willDelay);
        System.arraycopy(willProperties, 0, all, 1, willProperties.length);
        Will will = new Will("will/" + clientId, Bytes.of(("gone " + clientId).getBytes(StandardCharsets.UTF_8)), QoS.AT_LEAST_ONCE,
                false, Properties.of(all));
        return new Connect(MqttVersion.V5, clientId, cleanStart, 60, null, null, will,
                Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, sessionExpiry)));
    }

    private Mqtt5Client watcher() {
        Mqtt5Client watcher = Mqtt5Client.connected(live.port(), "watcher");
        watcher.subscribe(1, new Subscription("will/#", QoS.AT_LEAST_ONCE));
        return watcher;
    }

    @Test
    @DisplayName("[MQTT-3.1.3-10] [MQTT-3.1.2-8] a will is published with its properties, User Properties in order")
    void willProperties() {
        try (Mqtt5Client watcher = watcher()) {
            try (Mqtt5Client client = Mqtt5Client.open(live.port(), "props")) {
                client.connect(withWill("props", true, 0, 0, Property.of(PropertyId.CONTENT_TYPE, "text/plain"),
                        Property.user("k", "2"), Property.user("a", "1"), Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60)));
            }
            Publish will = watcher.expect(Publish.class);
            assertThat(Mqtt5Client.text(will)).isEqualTo("gone props");
            assertThat(will.properties().string(PropertyId.CONTENT_TYPE)).hasValue("text/plain");
            assertThat(will.properties().userProperties()).extracting(u -> u.name() + "=" + u.value()).containsExactly("k=2", "a=1");
            assertThat(will.properties().integer(PropertyId.MESSAGE_EXPIRY_INTERVAL).orElseThrow()).isBetween(58L, 60L);
            assertThat(will.properties().contains(PropertyId.WILL_DELAY_INTERVAL)).isFalse();
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] a will with a delay is published once the delay has passed")
    void willDelay() {
        try (Mqtt5Client watcher = watcher()) {
            try (Mqtt5Client client = Mqtt5Client.open(live.port(), "delayed")) {
                client.connect(withWill("delayed", true, 60, 1));
            }
            watcher.expectNothing(Duration.ofMillis(500));
            assertThat(Mqtt5Client.text(watcher.expect(Publish.class))).isEqualTo("gone delayed");
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.3-9] a reconnect within the will delay cancels the will")
    void reconnectCancelsWill() {
        try (Mqtt5Client watcher = watcher()) {
            try (Mqtt5Client client = Mqtt5Client.open(live.port(), "back")) {
                client.connect(withWill("back", true, 60, 2));
            }
            Brokers.awaitOffline(live.broker(), "back");
            try (Mqtt5Client client = Mqtt5Client.open(live.port(), "back")) {
                assertThat(client.connect(new Connect(MqttVersion.V5, "back", false, 60, null, null, null,
                        Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60)))).sessionPresent()).isTrue();
                watcher.expectNothing(Duration.ofMillis(2500));
                client.send(Disconnect.NORMAL);
            }
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] a will waits no longer than its session: Session Expiry 1 s publishes a will delayed 600 s after 1 s")
    void sessionEndPublishesWill() {
        try (Mqtt5Client watcher = watcher()) {
            try (Mqtt5Client client = Mqtt5Client.open(live.port(), "short")) {
                client.connect(withWill("short", true, 1, 600));
            }
            assertThat(Mqtt5Client.text(watcher.expect(Publish.class))).isEqualTo("gone short");
        }
    }

    @Test
    @DisplayName("DISCONNECT 0x04 publishes the will; [MQTT-3.14.4-3] DISCONNECT 0x00 discards it")
    void disconnectWithWill() {
        try (Mqtt5Client watcher = watcher()) {
            try (Mqtt5Client client = Mqtt5Client.open(live.port(), "with")) {
                client.connect(withWill("with", true, 0, 0));
                client.send(new Disconnect(ReasonCode.DISCONNECT_WITH_WILL_MESSAGE));
                client.expectClosed();
            }
            assertThat(Mqtt5Client.text(watcher.expect(Publish.class))).isEqualTo("gone with");
            try (Mqtt5Client client = Mqtt5Client.open(live.port(), "without")) {
                client.connect(withWill("without", true, 0, 0));
                client.send(Disconnect.NORMAL);
                client.expectClosed();
            }
            watcher.expectNothing(QUIET);
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] take-over with Clean Start 0 keeps a delayed will back; with Clean Start 1 the old session ends and its will goes")
    void takeOver() {
        try (Mqtt5Client watcher = watcher()) {
            try (Mqtt5Client first = Mqtt5Client.open(live.port(), "to");
                    Mqtt5Client second = Mqtt5Client.open(live.port(), "to")) {
                first.connect(withWill("to", true, 60, 5));
                second.connect(new Connect(MqttVersion.V5, "to", false, 60, null, null, null,
                        Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))));
                first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER);
                watcher.expectNothing(QUIET);
                second.send(Disconnect.NORMAL);
            }
            try (Mqtt5Client first = Mqtt5Client.open(live.port(), "to2");
                    Mqtt5Client second = Mqtt5Client.open(live.port(), "to2")) {
                first.connect(withWill("to2", true, 60, 5));
                second.connect(new Connect(MqttVersion.V5, "to2", true, 60, null, null, null, Properties.EMPTY));
                first.expectDisconnect(ReasonCode.SESSION_TAKEN_OVER);
                assertThat(Mqtt5Client.text(watcher.expect(Publish.class))).isEqualTo("gone to2");
                second.send(Disconnect.NORMAL);
            }
        }
    }
}
