package io.starling.broker.conformance;

import static io.starling.broker.conformance.Packets.suback;
import static io.starling.broker.conformance.Packets.subscribe;
import static io.starling.broker.conformance.Packets.unsubscribe;
import static io.starling.broker.conformance.Packets.unsuback;
import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code max_subscriptions_per_client}: 2 here. */
class LimitsSubscriptionsTest {
    private static BrokerConfig.Limits subscriptions(int max) {
        return new BrokerConfig.Limits(0, 128, 65535, max, 0, 0, 0, 0, Duration.ofSeconds(60));
    }

    @RegisterExtension
    final LiveBroker live = new LiveBroker(c -> c.inMemory().withLimits(subscriptions(2)));

    @Test
    @DisplayName("3.1.1: a third filter gets 0x80; replacing a subscription is not a new one; after UNSUBSCRIBE there is room")
    void quota311() {
        try (RawClient client = RawClient.connected(live.port(), "s-311")) {
            client.send(subscribe(1, "a", 0, "b", 1, "c", 1));
            client.expect(suback(1, 0x00, 0x01, 0x80));
            // [MQTT-3.8.4-3] the same filter replaces its subscription
            client.send(subscribe(2, "a", 1));
            client.expect(suback(2, 0x01));
            client.send(unsubscribe(3, "b"));
            client.expect(unsuback(3));
            client.send(subscribe(4, "c", 1));
            client.expect(suback(4, 0x01));
            assertThat(live.broker().metrics().subscriptionsRefused.sum()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("5.0: a filter beyond max_subscriptions_per_client gets 0x97 Quota exceeded")
    void quota5() {
        try (Mqtt5Client client = Mqtt5Client.connected(live.port(), "s-5")) {
            client.send(new Subscribe(1, List.of(new Subscription("a", QoS.AT_LEAST_ONCE), new Subscription("b", QoS.AT_LEAST_ONCE),
                    new Subscription("c", QoS.AT_LEAST_ONCE)), Properties.EMPTY));
            SubAck ack = client.expect(SubAck.class);
            assertThat(ack.reasonCodes()).containsExactly(ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_1, ReasonCode.QUOTA_EXCEEDED);
            assertThat(live.broker().metrics().subscriptionsRefused.sum()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("a reload applies the limits to connected clients: a raised quota lets the next SUBSCRIBE in, a lowered one refuses it")
    void liveReload() throws Exception {
        try (RawClient client = RawClient.connected(live.port(), "s-live")) {
            client.send(subscribe(1, "a", 0, "b", 0, "c", 0));
            client.expect(suback(1, 0x00, 0x00, 0x80));
            live.broker().reload(live.broker().config().withLimits(subscriptions(3)));
            assertThat(live.broker().config().limits().maxSubscriptionsPerClient()).isEqualTo(3);
            client.send(subscribe(2, "c", 0, "d", 0));
            client.expect(suback(2, 0x00, 0x80));
            live.broker().reload(live.broker().config().withLimits(subscriptions(1)));
            client.send(subscribe(3, "e", 0, "a", 1));
            client.expect(suback(3, 0x80, 0x01));
        }
    }
}
