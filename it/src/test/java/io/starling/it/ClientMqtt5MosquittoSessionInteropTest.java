package io.starling.it;

import static io.starling.it.ClientMqtt5MosquittoInteropTest.QUIET;
import static io.starling.it.ClientMqtt5MosquittoInteropTest.WAIT;
import static io.starling.it.ClientMqtt5MosquittoInteropTest.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.starling.client.ConnectResult;
import io.starling.client.ConnectionListener;
import io.starling.client.DisconnectedByServerException;
import io.starling.client.MessageListener;
import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttClientException;
import io.starling.client.MqttMessage;
import io.starling.client.PublishRefusedException;
import io.starling.client.ReconnectPolicy;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import io.starling.codec.wire.MqttVersion;
import io.starling.it.ClientMqtt5MosquittoInteropTest.Trace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Starling client in MQTT 5.0 against Debian's Mosquitto 2.0.11, continued from {@link
 * ClientMqtt5MosquittoInteropTest}: SUBSCRIBE and UNSUBSCRIBE reason codes and subscription
 * options, shared subscriptions, sessions that outlive their connection (closed, or cut by a
 * {@link WireTap}), take-over and the server's DISCONNECT, and wills with a delay.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ClientMqtt5MosquittoSessionInteropTest {
    @RegisterExtension
    final Resources resources = new Resources();

    @TempDir
    Path tmp;

    private MosquittoBroker mosquitto(String... config) throws Exception {
        return resources.add(new MosquittoBroker().withConfig(config).start());
    }

    private WireTap tap(MosquittoBroker mosquitto) throws Exception {
        WireTap tap = WireTap.inFrontOf(mosquitto.port());
        resources.add(tap);
        return tap;
    }

    private MqttClient connected(MqttClientBuilder builder) {
        MqttClient client = builder.build();
        resources.add(client);
        client.connect().join();
        return client;
    }

    @Test
    @DisplayName("[MQTT-3.2.2-10] [MQTT-3.8.4-6] [MQTT-3.8.4-7] [MQTT-3.9.3-1] SUBACK codes: QoS 2 granted as 1 under max_qos 1; a filter the ACL does not let read is granted, its messages dropped; a publish it does not let write gets PUBACK 0x87")
    void subscribeReasonCodes() throws Exception {
        Path acl = Files.writeString(tmp.resolve("acl"), "topic readwrite sub/open/#\ntopic write sub/secret/#\n");
        MosquittoBroker mosquitto = mosquitto("max_qos 1", "acl_file " + acl);
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient subscriber = connected(v5(mosquitto, "sub"));
        MqttClient publisher = connected(v5(mosquitto, "pub"));

        assertThat(subscriber.subscribe(List.of(new Subscription("sub/open/zero", QoS.AT_MOST_ONCE),
                new Subscription("sub/open/two", QoS.EXACTLY_ONCE), new Subscription("sub/secret/t", QoS.AT_LEAST_ONCE)),
                received::add).join().reasonCodes())
                .containsExactly(ReasonCode.GRANTED_QOS_0, ReasonCode.GRANTED_QOS_1, ReasonCode.GRANTED_QOS_1);

        // Mosquitto 2.0 checks read access when it delivers, not when it grants: the message is dropped
        assertThat(publisher.publish("sub/secret/t", "hidden".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        assertThatThrownBy(() -> publisher.publish("sub/other", new byte[1], QoS.AT_LEAST_ONCE, false).join())
                .cause().isInstanceOfSatisfying(PublishRefusedException.class,
                        e -> assertThat(e.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED));
        publisher.publish("sub/open/two", "shown".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();
        await().atMost(WAIT).until(() -> received.size() == 1);
        await("nothing from sub/secret/t").during(QUIET).atMost(WAIT).until(() -> received.size() == 1);
        assertThat(received.get(0).topic()).isEqualTo("sub/open/two");
        assertThat(received.get(0).qos()).isEqualTo(QoS.AT_LEAST_ONCE);
    }

    @Test
    @DisplayName("[MQTT-3.8.3-3] [MQTT-3.3.1-12] [MQTT-3.3.1-13] No Local drops the client's own messages; Retain As Published keeps RETAIN on live messages")
    void noLocalAndRetainAsPublished() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        List<String> self = new CopyOnWriteArrayList<>();
        MqttClient client = connected(v5(mosquitto, "self"));
        client.subscribe(List.of(new Subscription("nl/mine", QoS.AT_LEAST_ONCE, true, false, RetainHandling.SEND_ON_SUBSCRIBE),
                new Subscription("nl/all", QoS.AT_LEAST_ONCE)), m -> self.add(m.topic())).join();
        List<String> asPublished = new CopyOnWriteArrayList<>();
        List<String> plain = new CopyOnWriteArrayList<>();
        connected(v5(mosquitto, "rap-1")).subscribe(List.of(new Subscription("rap/t", QoS.AT_LEAST_ONCE, false, true,
                RetainHandling.DO_NOT_SEND)), m -> asPublished.add(m.payloadAsString() + ":" + m.retain())).join();
        connected(v5(mosquitto, "rap-0")).subscribe(List.of(new Subscription("rap/t", QoS.AT_LEAST_ONCE, false, false,
                RetainHandling.DO_NOT_SEND)), m -> plain.add(m.payloadAsString() + ":" + m.retain())).join();

        client.publish("nl/mine", new byte[1], QoS.AT_LEAST_ONCE, false).join();
        client.publish("nl/all", new byte[1], QoS.AT_LEAST_ONCE, false).join();
        client.publish("rap/t", "kept".getBytes(UTF_8), QoS.AT_LEAST_ONCE, true).join();
        client.publish("rap/t", "live".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();

        await().atMost(WAIT).until(() -> self.size() == 1 && asPublished.size() == 2 && plain.size() == 2);
        await("not the client's own nl/mine").during(QUIET).atMost(WAIT).until(() -> self.size() == 1);
        assertThat(self).containsExactly("nl/all");
        assertThat(asPublished).containsExactly("kept:true", "live:false");
        assertThat(plain).containsExactly("kept:false", "live:false");
    }

    @Test
    @DisplayName("[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11] Retain Handling 0 sends retained messages on every SUBSCRIBE, 1 on a new subscription only, 2 never")
    void retainHandling() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        MqttClient publisher = connected(v5(mosquitto, "keeper"));
        for (RetainHandling handling : RetainHandling.values()) {
            publisher.publish("rh/" + handling.ordinal(), ("r" + handling.ordinal()).getBytes(UTF_8), QoS.AT_LEAST_ONCE, true).join();
        }
        List<String> received = new CopyOnWriteArrayList<>();
        MessageListener listener = m -> received.add(m.topic() + "=" + m.payloadAsString() + (m.retain() ? " retained" : ""));
        MqttClient subscriber = connected(v5(mosquitto, "handler"));
        for (int round = 0; round < 2; round++) {
            for (RetainHandling handling : RetainHandling.values()) {
                subscriber.subscribe(List.of(new Subscription("rh/" + handling.ordinal(), QoS.AT_LEAST_ONCE, false, false, handling)),
                        listener).join();
            }
        }
        publisher.publish("rh/2", "live".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();

        await().atMost(WAIT).until(() -> received.contains("rh/2=live"));
        assertThat(received).containsExactly("rh/0=r0 retained", "rh/1=r1 retained", "rh/0=r0 retained", "rh/2=live");
    }

    @Test
    @DisplayName("[MQTT-4.8.2-3] a shared subscription $share/g/... gives each message to one member, in turn; a plain subscriber gets all")
    void sharedSubscription() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        List<String> first = new CopyOnWriteArrayList<>();
        List<String> second = new CopyOnWriteArrayList<>();
        List<String> everything = new CopyOnWriteArrayList<>();
        connected(v5(mosquitto, "member-1")).subscribe("$share/g/shared/t", QoS.AT_LEAST_ONCE, m -> first.add(m.payloadAsString())).join();
        connected(v5(mosquitto, "member-2")).subscribe("$share/g/shared/t", QoS.EXACTLY_ONCE, m -> second.add(m.payloadAsString() + "@" + m.qos().value())).join();
        connected(v5(mosquitto, "all")).subscribe("shared/t", QoS.AT_LEAST_ONCE, m -> everything.add(m.payloadAsString())).join();
        MqttClient publisher = connected(v5(mosquitto, "feeder"));

        for (int i = 0; i < 10; i++) {
            publisher.publish("shared/t", String.valueOf(i).getBytes(UTF_8), QoS.EXACTLY_ONCE, false).join();
        }

        await().atMost(WAIT).until(() -> first.size() + second.size() == 10 && everything.size() == 10);
        await("no message twice").during(QUIET).atMost(WAIT).until(() -> first.size() + second.size() == 10);
        // Mosquitto takes the group's members in turn, each at its own granted QoS
        assertThat(first).containsExactly("0", "2", "4", "6", "8");
        assertThat(second).containsExactly("1@2", "3@2", "5@2", "7@2", "9@2");
        assertThat(everything).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
    }

    @Test
    @DisplayName("[MQTT-3.11.3-1] UNSUBACK codes in filter order: 0x00 for a subscription removed, 0x11 No subscription existed")
    void unsubscribe() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        MqttClient client = connected(v5(mosquitto, "leaver"));
        client.subscribe("un/sub", QoS.AT_LEAST_ONCE, m -> { }).join();

        assertThat(client.unsubscribe(List.of("un/none", "un/sub"), Properties.EMPTY).join().reasonCodes())
                .containsExactly(ReasonCode.NO_SUBSCRIPTION_EXISTED, ReasonCode.SUCCESS);
        assertThat(client.publish("un/sub", new byte[1], QoS.AT_LEAST_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] [MQTT-3.1.2-5] [MQTT-3.2.2-3] [MQTT-3.3.2-5] [MQTT-3.3.2-6] after close(), a session with expiry 60 s keeps what was published; Clean Start 0 resumes it, expired messages left out")
    void sessionOutlivesClose() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        MqttClient first = connected(v5(mosquitto, "keeper").sessionExpiryInterval(60));
        first.subscribe("keep/#", QoS.EXACTLY_ONCE, m -> { }).join();
        first.close();
        await().atMost(WAIT).until(() -> mosquitto.readLog().contains("Client keeper disconnected"));

        MqttClient publisher = connected(v5(mosquitto, "feeder"));
        publisher.publish(MqttMessage.builder("keep/a").payload("1").qos(QoS.AT_LEAST_ONCE).build()).join();
        publisher.publish(MqttMessage.builder("keep/b").payload("brief").qos(QoS.AT_LEAST_ONCE)
                .messageExpiry(Duration.ofSeconds(1)).build()).join();
        publisher.publish(MqttMessage.builder("keep/c").payload("2").qos(QoS.EXACTLY_ONCE)
                .messageExpiry(Duration.ofSeconds(60)).build()).join();
        // Mosquitto counts expiry in whole seconds: 1 s has surely passed after 2.2 s
        await("keep/b expires").pollDelay(Duration.ofMillis(2200)).atMost(WAIT).until(() -> true);

        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        Trace trace = new Trace();
        MqttClient back = v5(mosquitto, "keeper").sessionExpiryInterval(60).cleanSession(false)
                .messageListener(received::add).packetTracer(trace).build();
        resources.add(back);
        assertThat(back.connect().join().sessionPresent()).isTrue();
        assertThat(trace.sent(Connect.class)).extracting(Connect::cleanStart).containsExactly(false);

        await().atMost(WAIT).until(() -> received.size() == 2);
        await("not the expired keep/b").during(QUIET).atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).extracting(MqttMessage::topic, MqttMessage::payloadAsString, MqttMessage::qos)
                .containsExactly(tuple("keep/a", "1", QoS.AT_LEAST_ONCE), tuple("keep/c", "2", QoS.EXACTLY_ONCE));
        // what is left of 60 s after waiting at least 2.2 s in Mosquitto
        assertThat(received.get(1).messageExpiryInterval().orElseThrow()).isBetween(50L, 58L);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-4.1.0-2] with session expiry 0 the session ends with the connection: nothing kept, Session Present 0")
    void sessionEndsWithConnection() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        MqttClient first = connected(v5(mosquitto, "brief"));
        first.subscribe("brief/t", QoS.AT_LEAST_ONCE, m -> { }).join();
        first.close();
        await().atMost(WAIT).until(() -> mosquitto.readLog().contains("Client brief disconnected"));

        MqttClient publisher = connected(v5(mosquitto, "feeder"));
        assertThat(publisher.publish("brief/t", new byte[1], QoS.AT_LEAST_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient back = v5(mosquitto, "brief").cleanSession(false).messageListener(received::add).build();
        resources.add(back);
        assertThat(back.connect().join().sessionPresent()).isFalse();
        await("nothing kept").during(QUIET).atMost(WAIT).until(received::isEmpty);
    }

    @Test
    @DisplayName("[MQTT-3.1.3-7] [MQTT-3.1.2-23] a cut connection: the client reconnects by itself with the Assigned Client Identifier and Clean Start 0, and gets what came meanwhile")
    void assignedIdentifierAfterCut() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        WireTap tap = tap(mosquitto);
        Connections connections = new Connections();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        Trace trace = new Trace();
        MqttClient client = MqttClient.builder().host(MosquittoBroker.HOST).port(tap.port()).version(MqttVersion.V5)
                .clientId("").sessionExpiryInterval(60).packetTracer(trace)
                .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(500), Duration.ofSeconds(1)))
                .connectionListener(connections).build();
        resources.add(client);
        String assigned = client.connect().join().assignedClientIdentifier().orElseThrow();
        client.subscribe("cut/t", QoS.AT_LEAST_ONCE, received::add).join();

        tap.cutAll();
        await().atMost(WAIT).until(() -> connections.causes.size() == 1);
        MqttClient publisher = connected(v5(mosquitto, "feeder"));
        assertThat(publisher.publish("cut/t", "meanwhile".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join().reasonCode())
                .isEqualTo(ReasonCode.SUCCESS);
        assertThat(trace.sent(Connect.class)).as("published before the client came back").hasSize(1);

        await().atMost(WAIT).until(() -> connections.results.size() == 2 && received.size() == 1);
        assertThat(trace.sent(Connect.class)).extracting(Connect::clientId, Connect::cleanStart)
                .containsExactly(tuple("", true), tuple(assigned, false));
        assertThat(connections.results.get(1).sessionPresent()).isTrue();
        assertThat(connections.results.get(1).assignedClientIdentifier()).isEmpty();
        assertThat(client.clientId()).isEqualTo(assigned);
        assertThat(received.get(0).payloadAsString()).isEqualTo("meanwhile");
    }

    @Test
    @DisplayName("take-over in 5.0: Mosquitto 2.0.11 closes the old connection without DISCONNECT 0x8E (sent from 2.0.15 on); the listener hears of a plain close")
    void sessionTakenOver() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        Connections lost = new Connections();
        Trace trace = new Trace();
        MqttClient old = connected(v5(mosquitto, "twin").packetTracer(trace).connectionListener(lost));
        MqttClient usurper = connected(v5(mosquitto, "twin"));

        await().atMost(WAIT).until(() -> lost.causes.size() == 1);
        assertThat(lost.causes.get(0)).isExactlyInstanceOf(MqttClientException.class)
                .hasMessage("the server closed the connection");
        assertThat(lost.retries).containsExactly(false);
        assertThat(trace.received()).hasSize(1); // the CONNACK, and no DISCONNECT
        assertThat(old.isConnected()).isFalse();
        assertThat(usurper.isConnected()).isTrue();
    }

    @Test
    @DisplayName("a server DISCONNECT in 5.0: Mosquitto's dynamic security disables a client with 0x98 Administrative action, which reaches the ConnectionListener")
    void disconnectedByServer() throws Exception {
        Path users = tmp.resolve("dynamic-security.json");
        Files.writeString(users, DynamicSecurity.configuration("admin", "admin-pw", "victim", "victim-pw"));
        MosquittoBroker mosquitto = mosquitto("plugin " + DynamicSecurity.plugin(), "plugin_opt_config_file " + users);
        Connections lost = new Connections();
        Trace trace = new Trace();
        MqttClient victim = connected(v5(mosquitto, "victim").username("victim").password("victim-pw")
                .packetTracer(trace).connectionListener(lost));
        MqttClient admin = connected(v5(mosquitto, "admin").username("admin").password("admin-pw"));
        List<String> responses = new CopyOnWriteArrayList<>();
        admin.subscribe(DynamicSecurity.RESPONSES, QoS.AT_LEAST_ONCE, m -> responses.add(m.payloadAsString())).join();

        admin.publish(DynamicSecurity.COMMANDS, "{\"commands\":[{\"command\":\"disableClient\",\"username\":\"victim\"}]}"
                .getBytes(UTF_8), QoS.AT_LEAST_ONCE, false).join();

        await().atMost(WAIT).until(() -> lost.causes.size() == 1 && responses.size() == 1);
        assertThat(responses.get(0)).isEqualTo("{\"responses\":[{\"command\":\"disableClient\"}]}");
        assertThat(lost.causes.get(0)).isInstanceOfSatisfying(DisconnectedByServerException.class, e -> {
            assertThat(e.reasonCode()).isEqualTo(ReasonCode.ADMINISTRATIVE_ACTION);
            assertThat(e.reasonString()).isEmpty();
            assertThat(e.serverReference()).isEmpty();
        });
        assertThat(lost.retries).containsExactly(false);
        assertThat(trace.received(Disconnect.class)).containsExactly(new Disconnect(ReasonCode.ADMINISTRATIVE_ACTION, Properties.EMPTY));
        assertThat(victim.isConnected()).isFalse();
        assertThat(admin.isConnected()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-8] [MQTT-3.1.3-9] [MQTT-3.1.3-10] a will with Will Delay 2 s comes 2 s after the cut, with its properties; a client back within the delay sends none")
    void willDelay() throws Exception {
        MosquittoBroker mosquitto = mosquitto();
        WireTap tap = tap(mosquitto);
        List<MqttMessage> wills = new CopyOnWriteArrayList<>();
        List<Long> arrivals = new CopyOnWriteArrayList<>();
        connected(v5(mosquitto, "watcher")).subscribe("will/#", QoS.AT_LEAST_ONCE, m -> {
            arrivals.add(System.nanoTime());
            wills.add(m);
        }).join();
        MqttClient dying = connected(willing(tap, "dying", ReconnectPolicy.DISABLED, new Trace()));
        Trace backTrace = new Trace();
        MqttClient coming = connected(willing(tap, "coming",
                ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofMillis(200)), backTrace));

        long cut = System.nanoTime();
        tap.cutAll();

        await().atMost(WAIT).until(() -> wills.size() == 1);
        await("no will from the client that came back").during(Duration.ofMillis(500)).atMost(WAIT).until(() -> wills.size() == 1);
        // at least the delay; Mosquitto counts it in whole seconds from the second it saw the cut, so up to 1 s more
        assertThat(Duration.ofNanos(arrivals.get(0) - cut)).isBetween(Duration.ofMillis(2_000), Duration.ofMillis(3_500));
        MqttMessage will = wills.get(0);
        assertThat(will.topic()).isEqualTo("will/dying");
        assertThat(will.payloadAsString()).isEqualTo("gone");
        assertThat(will.qos()).isEqualTo(QoS.AT_LEAST_ONCE);
        assertThat(will.retain()).isFalse();
        assertThat(will.contentType()).hasValue("text/plain");
        assertThat(will.userProperties()).containsExactly(new UserProperty("why", "cut"), new UserProperty("n", "1"));
        assertThat(will.messageExpiryInterval().orElseThrow()).isBetween(59L, 60L);
        assertThat(will.properties().contains(PropertyId.WILL_DELAY_INTERVAL)).isFalse();
        assertThat(dying.isConnected()).isFalse();
        assertThat(coming.isConnected()).isTrue();
        assertThat(backTrace.sent(Connect.class)).extracting(Connect::cleanStart).containsExactly(true, false);
    }

    /** A client through {@code tap} whose will on will/{@code clientId} waits 2 s, in a session of 30 s. */
    private static MqttClientBuilder willing(WireTap tap, String clientId, ReconnectPolicy reconnect, Trace trace) {
        MqttMessage will = MqttMessage.builder("will/" + clientId).payload("gone").qos(QoS.AT_LEAST_ONCE)
                .willDelay(Duration.ofSeconds(2)).messageExpiry(Duration.ofSeconds(60)).contentType("text/plain")
                .userProperty("why", "cut").userProperty("n", "1").build();
        return MqttClient.builder().host(MosquittoBroker.HOST).port(tap.port()).version(MqttVersion.V5)
                .clientId(clientId).sessionExpiryInterval(30).will(will).reconnect(reconnect).packetTracer(trace);
    }

    /** What a {@link ConnectionListener} was told. */
    private static final class Connections implements ConnectionListener {
        final List<ConnectResult> results = new CopyOnWriteArrayList<>();
        final List<Throwable> causes = new CopyOnWriteArrayList<>();
        final List<Boolean> retries = new CopyOnWriteArrayList<>();

        @Override
        public void connected(ConnectResult result) {
            results.add(result);
        }

        @Override
        public void disconnected(Throwable cause, boolean willReconnect) {
            causes.add(cause);
            retries.add(willReconnect);
        }
    }

    /** Mosquitto's dynamic security plugin, with its clients in a JSON file and commands over MQTT. */
    private static final class DynamicSecurity {
        static final String COMMANDS = "$CONTROL/dynamic-security/v1";
        static final String RESPONSES = "$CONTROL/dynamic-security/v1/response";

        /** The plugin of the installed Mosquitto package, e.g. /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so. */
        static Path plugin() throws IOException {
            try (Stream<Path> found = Files.find(Path.of("/usr/lib"), 2,
                    (path, attributes) -> path.getFileName().toString().equals("mosquitto_dynamic_security.so"))) {
                return found.findFirst().orElseThrow(() -> new IllegalStateException(
                        "no mosquitto_dynamic_security.so under /usr/lib (it comes with the mosquitto package)"));
            }
        }

        /** Two clients: {@code admin}, who may send commands, and {@code user}. */
        static String configuration(String admin, String adminPassword, String user, String userPassword)
                throws GeneralSecurityException {
            return """
                    {"defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true, "subscribe": true, "unsubscribe": true},
                     "clients": [%s, %s],
                     "roles": [{"rolename": "admin", "acls": [
                       {"acltype": "publishClientSend", "topic": "$CONTROL/dynamic-security/#", "allow": true},
                       {"acltype": "publishClientReceive", "topic": "$CONTROL/dynamic-security/#", "allow": true},
                       {"acltype": "subscribePattern", "topic": "$CONTROL/dynamic-security/#", "allow": true}]}]}
                    """.formatted(client(admin, adminPassword, "{\"rolename\": \"admin\"}"), client(user, userPassword, ""));
        }

        /** Mosquitto keeps PBKDF2-HMAC-SHA512 of the password (101 iterations) and the salt, both in Base64. */
        private static String client(String username, String password, String roles) throws GeneralSecurityException {
            byte[] salt = new byte[12];
            new SecureRandom().nextBytes(salt);
            byte[] hash = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                    .generateSecret(new PBEKeySpec(password.toCharArray(), salt, 101, 512)).getEncoded();
            return "{\"username\": \"%s\", \"password\": \"%s\", \"salt\": \"%s\", \"iterations\": 101, \"roles\": [%s]}"
                    .formatted(username, Base64.getEncoder().encodeToString(hash), Base64.getEncoder().encodeToString(salt), roles);
        }
    }
}
