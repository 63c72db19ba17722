package io.starling.it.acl;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import io.starling.broker.config.BrokerConfig;
import io.starling.it.EmbeddedBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An ACL file as real clients see it: Paho (3.1.1) gets return code 0x80 for a refused filter and
 * a normal PUBACK for a refused PUBLISH; the HiveMQ client (5.0) gets 0x87 for both; neither
 * receives what a deny rule inside a granted wildcard covers.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AclInteropTest {
    private static final long WAIT_MS = 10_000;
    private static final Duration QUIET = Duration.ofMillis(300);

    private static EmbeddedBroker broker(Path dir) throws Exception {
        Path acl = Files.writeString(dir.resolve("acl"), String.join("\n",
                "user alice",
                "topic deny alice/secret",
                "topic readwrite alice/#",
                "user admin",
                "topic readwrite #",
                "pattern readwrite clients/%c/#",
                ""));
        BrokerConfig config = BrokerConfig.defaults().inMemory()
                .withListeners(List.of(new BrokerConfig.Listener(EmbeddedBroker.HOST, 0)))
                .withAclFile(acl);
        return new EmbeddedBroker(config).start();
    }

    @Test
    @DisplayName("Paho 3.1.1: SUBACK 0x80 for the refused filter, PUBACK for a refused PUBLISH, deny honoured at delivery")
    void paho(@TempDir Path dir) throws Exception {
        try (EmbeddedBroker broker = broker(dir)) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            org.eclipse.paho.client.mqttv3.MqttClient alice = paho(broker, "paho-alice", "alice");
            org.eclipse.paho.client.mqttv3.MqttClient admin = paho(broker, "paho-admin", "admin");
            try {
                alice.setCallback(new org.eclipse.paho.client.mqttv3.MqttCallback() {
                    @Override
                    public void connectionLost(Throwable cause) {}

                    @Override
                    public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
                        received.add(topic + "=" + new String(message.getPayload(), UTF_8));
                    }

                    @Override
                    public void deliveryComplete(org.eclipse.paho.client.mqttv3.IMqttDeliveryToken token) {}
                });
                IMqttToken subAck = alice.subscribeWithResponse(new String[] {"alice/#", "alice/secret", "clients/paho-alice/+"},
                        new int[] {1, 1, 1});
                assertThat(subAck.getGrantedQos()).containsExactly(1, 0x80, 1);

                // refused, yet acknowledged: the publish completes normally
                alice.publish("alice/secret", "x".getBytes(UTF_8), 1, false);
                admin.publish("alice/secret", "hidden".getBytes(UTF_8), 1, false);
                admin.publish("alice/open", "shown".getBytes(UTF_8), 1, false);
                assertThat(received.poll(WAIT_MS, TimeUnit.MILLISECONDS)).isEqualTo("alice/open=shown");
                assertThat(received.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isNull();
            } finally {
                alice.disconnect();
                alice.close();
                admin.disconnect();
                admin.close();
            }
            assertThat(broker.broker().metrics().aclSubscribeDenied.sum()).isEqualTo(1);
            assertThat(broker.broker().metrics().aclPublishDenied.sum()).isEqualTo(1);
            assertThat(broker.broker().metrics().aclDeliveryDenied.sum()).isEqualTo(1);
        }
    }

    @Test
    @DisplayName("HiveMQ 5.0: SUBACK 0x87 for the refused filter, PUBACK 0x87 for a refused PUBLISH, deny honoured at delivery")
    void hiveMq(@TempDir Path dir) throws Exception {
        try (EmbeddedBroker broker = broker(dir)) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            Mqtt5AsyncClient alice = hiveMq(broker, "hive-alice", "alice");
            Mqtt5AsyncClient admin = hiveMq(broker, "hive-admin", "admin");
            try {
                alice.publishes(MqttGlobalPublishFilter.ALL,
                        (Mqtt5Publish p) -> received.add(p.getTopic() + "=" + new String(p.getPayloadAsBytes(), UTF_8)));
                Mqtt5SubAck subAck = subAck(alice.subscribe(Mqtt5Subscribe.builder()
                        .addSubscription().topicFilter("alice/#").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                        .addSubscription().topicFilter("alice/secret").qos(MqttQos.AT_LEAST_ONCE).applySubscription()
                        .build()));
                assertThat(subAck.getReasonCodes())
                        .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1, Mqtt5SubAckReasonCode.NOT_AUTHORIZED);

                // the client reports a PUBACK with an error code as the publish's failure
                assertThatThrownBy(() -> done(alice.publishWith().topic("alice/secret").qos(MqttQos.AT_LEAST_ONCE)
                        .payload("x".getBytes(UTF_8)).send()))
                        .isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOfSatisfying(Mqtt5PubAckException.class,
                                e -> assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED));

                done(admin.publishWith().topic("alice/secret").qos(MqttQos.AT_LEAST_ONCE).payload("hidden".getBytes(UTF_8)).send());
                done(admin.publishWith().topic("alice/open").qos(MqttQos.AT_LEAST_ONCE).payload("shown".getBytes(UTF_8)).send());
                assertThat(received.poll(WAIT_MS, TimeUnit.MILLISECONDS)).isEqualTo("alice/open=shown");
                assertThat(received.poll(QUIET.toMillis(), TimeUnit.MILLISECONDS)).isNull();
            } finally {
                done(alice.disconnect());
                done(admin.disconnect());
            }
            assertThat(broker.broker().metrics().aclSubscribeDenied.sum()).isEqualTo(1);
            assertThat(broker.broker().metrics().aclPublishDenied.sum()).isEqualTo(1);
            assertThat(broker.broker().metrics().aclDeliveryDenied.sum()).isEqualTo(1);
        }
    }

    private static org.eclipse.paho.client.mqttv3.MqttClient paho(EmbeddedBroker broker, String clientId, String user) throws Exception {
        org.eclipse.paho.client.mqttv3.MqttClient client =
                new org.eclipse.paho.client.mqttv3.MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setUserName(user);
        client.connect(options);
        return client;
    }

    private static Mqtt5AsyncClient hiveMq(EmbeddedBroker broker, String clientId, String user) throws Exception {
        Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5().identifier(clientId)
                .serverHost(EmbeddedBroker.HOST).serverPort(broker.port()).buildAsync();
        done(client.connectWith().cleanStart(true).simpleAuth().username(user).applySimpleAuth().send());
        return client;
    }

    /** The SUBACK, also when the client reports its error codes as a failure. */
    private static Mqtt5SubAck subAck(CompletableFuture<Mqtt5SubAck> future) throws Exception {
        try {
            return done(future);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Mqtt5SubAckException refused) {
                return refused.getMqttMessage();
            }
            throw e;
        }
    }

    private static <T> T done(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT_MS, TimeUnit.MILLISECONDS);
    }
}
