package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.List;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP on a running {@code bin/starling broker}: the password and ACL files are read again
 * without dropping a connection, and a broken file keeps the old state.
 */
class LiveReloadTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("SIGHUP reloads the password and ACL files under traffic; a broken file keeps the old ones")
    void sighupReloadsPasswordAndAclFilesUnderTraffic() throws Exception {
        Path passwords = Files.writeString(dir.resolve("passwd"), "alice:alice-secret\n");
        Path acl = Files.writeString(dir.resolve("acl"), "user alice\ntopic readwrite a/#\n");
        Path config = Files.writeString(dir.resolve("broker.yaml"), """
                listeners:
                  - bind: 127.0.0.1
                    port: 0
                allow_anonymous: false
                password_file: passwd
                acl_file: acl
                persistence: false
                """);
        try (BrokerProcess broker = BrokerProcess.start(config, dir.resolve("broker.log"))) {
            MqttClient alice = connect(broker, "alice", "alice-secret");
            List<String> received = new CopyOnWriteArrayList<>();
            alice.subscribe("a/#", 1, (topic, message) -> received.add(topic + "=" + new String(message.getPayload(), StandardCharsets.UTF_8)));
            assertThatThrownBy(() -> connect(broker, "bob", "bob-secret")).isInstanceOf(MqttException.class)
                    .extracting(e -> ((MqttException) e).getReasonCode()).isEqualTo((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION);

            // bob is added and may write a/bob; alice stays connected throughout
            Files.writeString(passwords, "alice:alice-secret\nbob:bob-secret\n");
            Files.writeString(acl, "user alice\ntopic readwrite a/#\nuser bob\ntopic write a/bob\n");
            broker.hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.log().contains("configuration reloaded"));
            MqttClient bob = connect(broker, "bob", "bob-secret");
            bob.publish("a/bob", "hello".getBytes(StandardCharsets.UTF_8), 1, false);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("a/bob=hello"));
            assertThat(alice.isConnected()).isTrue();

            // a broken ACL file is refused as a whole: the password file beside it is not taken either
            Files.writeString(passwords, "alice:alice-secret\n");
            Files.writeString(acl, "user alice\ntopic sometimes a/#\n");
            broker.hangUp();
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.log().contains("reload refused, nothing changed"));
            assertThat(broker.log()).contains(acl + ":2:");
            MqttClient bobAgain = connect(broker, "bob-2", "bob", "bob-secret");
            bobAgain.publish("a/bob", "still".getBytes(StandardCharsets.UTF_8), 1, false);
            await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("a/bob=still"));
            assertThat(alice.isConnected()).isTrue();
            for (MqttClient client : List.of(alice, bob, bobAgain)) {
                client.disconnect();
                client.close();
            }
        }
    }

    private static MqttClient connect(BrokerProcess broker, String user, String password) throws MqttException {
        return connect(broker, user, user, password);
    }

    private static MqttClient connect(BrokerProcess broker, String clientId, String user, String password) throws MqttException {
        MqttClient client = new MqttClient(broker.tcpUri(), clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setUserName(user);
        options.setPassword(password.toCharArray());
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close();
            throw e;
        }
        return client;
    }
}
