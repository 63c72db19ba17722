package io.starling.client;

import static io.starling.client.BrokerTestBed.FAST;
import static io.starling.client.BrokerTestBed.WAIT;
import static io.starling.client.BrokerTestBed.done;
import static io.starling.client.BrokerTestBed.failure;
import static io.starling.client.BrokerTestBed.v5;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.codec.packet.ConnAck;
import io.starling.codec.packet.Connect;
import io.starling.codec.packet.Disconnect;
import io.starling.codec.packet.Publish;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * MQTT 5.0 sessions through a real broker: Session Expiry Interval and Clean Start across lost
 * connections (a {@link TcpProxy} cuts them), what disconnect() does with the messages in flight
 * and with the session's expiry, the assigned client identifier on reconnect, and a session
 * taken over by another connection.
 */
class Mqtt5SessionTest {
    private final BrokerTestBed bed = new BrokerTestBed();
    private Broker broker;
    private TcpProxy proxy;

    @BeforeEach
    void start() throws Exception {
        broker = bed.broker();
        proxy = bed.proxy(broker.port());
    }

    @AfterEach
    void close() {
        bed.close();
    }

    /** Publishes {@code count} QoS 1 messages on {@code prefix}/1.. that the proxy swallows, so they stay unacknowledged. */
    private List<CompletableFuture<PublishResult>> publishIntoBlackhole(MqttClient client, RecordingTracer tracer, String prefix, int count) {
        proxy.blackhole(true);
        List<CompletableFuture<PublishResult>> pending = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            pending.add(client.publish(prefix + "/" + i, ("m" + i).getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        }
        await().atMost(WAIT).until(() -> tracer.sent(Publish.class).size() == count);
        // swallowed once the proxy has read them: only then may the black hole be lifted
        await().atMost(WAIT).until(() -> proxy.clientFirstBytes().stream().filter(b -> (b & 0xF0) == 0x30).count() == count);
        assertThat(pending).noneMatch(CompletableFuture::isDone);
        return pending;
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.1.2-23] [MQTT-4.4.0-1] [MQTT-3.3.1-1] with Session Expiry"
            + " Interval 60, a reconnect after a lost connection has Clean Start 0, resumes the session and re-sends the"
            + " unacknowledged QoS 1 messages with DUP under their identifiers, in order; each is delivered once")
    void resumeAfterLostConnection() throws Exception {
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "resume-sub").subscribe("resume/#", QoS.AT_LEAST_ONCE, received::add));
        RecordingTracer tracer = new RecordingTracer();
        List<ConnectResult> connects = new CopyOnWriteArrayList<>();
        MqttClient client = bed.client(v5(proxy.port(), "resume").packetTracer(tracer).sessionExpiryInterval(60)
                .cleanSession(true).reconnect(FAST).connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(ConnectResult result) {
                        connects.add(result);
                    }
                }));
        done(client.connect());

        List<CompletableFuture<PublishResult>> pending = publishIntoBlackhole(client, tracer, "resume", 3);
        proxy.cut();
        proxy.blackhole(false); // before the reconnect, which waits 25 ms at least

        done(CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])));
        assertThat(pending).allSatisfy(f -> assertThat(f.join().reasonCode()).isEqualTo(ReasonCode.SUCCESS));
        List<Connect> connectsSent = tracer.sent(Connect.class);
        assertThat(connectsSent).extracting(Connect::cleanStart).containsExactly(true, false);
        assertThat(connectsSent).allSatisfy(c -> assertThat(c.properties().integer(PropertyId.SESSION_EXPIRY_INTERVAL)).hasValue(60));
        assertThat(connects).extracting(ConnectResult::sessionPresent).containsExactly(false, true);
        List<Publish> sent = tracer.sent(Publish.class);
        assertThat(sent).hasSize(6);
        for (int i = 0; i < 3; i++) {
            Publish first = sent.get(i);
            Publish again = sent.get(i + 3);
            assertThat(first.dup()).isFalse();
            assertThat(again.dup()).isTrue();
            assertThat(again.packetId()).isEqualTo(first.packetId());
            assertThat(again.topic()).isEqualTo("resume/" + (i + 1));
        }
        await().atMost(WAIT).until(() -> received.size() == 3);
        assertThat(received).extracting(MqttMessage::payloadAsString).containsExactly("m1", "m2", "m3");
        // the session kept the client's state: nothing to subscribe again
        assertThat(tracer.sent(Subscribe.class)).isEmpty();
    }

    @Test
    @DisplayName("with Session Expiry Interval 0, disconnect() fails the messages still in flight: no session will carry them")
    void noExpiryFailsInFlightOnDisconnect() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(proxy.port(), "no-expiry").packetTracer(tracer));
        List<CompletableFuture<PublishResult>> pending = publishIntoBlackhole(client, tracer, "gone", 2);

        done(client.disconnect());

        for (CompletableFuture<PublishResult> f : pending) {
            assertThat(failure(f, MqttClientException.class))
                    .hasMessage("the client disconnected before the message was acknowledged");
        }
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] [MQTT-4.4.0-1] with Session Expiry Interval 60, disconnect() keeps the messages in"
            + " flight, and the next connect() resumes the session and delivers them")
    void expiryKeepsInFlightOverDisconnect() throws Exception {
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        done(bed.connected(broker, "kept-sub").subscribe("kept/#", QoS.AT_LEAST_ONCE, received::add));
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(proxy.port(), "kept").packetTracer(tracer).sessionExpiryInterval(60));
        List<CompletableFuture<PublishResult>> pending = publishIntoBlackhole(client, tracer, "kept", 2);

        done(client.disconnect());
        assertThat(pending).noneMatch(CompletableFuture::isDone);
        proxy.blackhole(false);
        ConnectResult again = done(client.connect());

        assertThat(again.sessionPresent()).isTrue();
        assertThat(tracer.sent(Connect.class)).extracting(Connect::cleanStart).containsExactly(true, false);
        done(CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])));
        assertThat(tracer.sent(Publish.class)).extracting(Publish::dup).containsExactly(false, false, true, true);
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).extracting(MqttMessage::payloadAsString).containsExactly("m1", "m2");
    }

    @Test
    @DisplayName("DISCONNECT cannot give a session a Session Expiry Interval when the CONNECT's was 0 (3.14.2.2.2):"
            + " disconnect() refuses, sends nothing and stays connected")
    void disconnectCannotSetExpiryAfterZero() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "zero-expiry").packetTracer(tracer));

        Throwable refused = failure(client.disconnect(ReasonCode.NORMAL_DISCONNECTION,
                Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 60))));

        assertThat(refused).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the CONNECT's session expiry interval was 0: DISCONNECT cannot set one");
        assertThat(tracer.sent(Disconnect.class)).isEmpty();
        assertThat(client.isConnected()).isTrue();
        assertThat(done(client.publish("still/here", new byte[0], QoS.AT_LEAST_ONCE, false)).reasonCode())
                .isEqualTo(ReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] disconnect with Session Expiry Interval 0 ends a session the CONNECT gave 60 s:"
            + " the DISCONNECT carries it and the broker has no session for the next connection")
    void disconnectEndsSession() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "ending").packetTracer(tracer).sessionExpiryInterval(60));

        done(client.disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 0))));

        assertThat(tracer.sent(Disconnect.class)).containsExactly(new Disconnect(ReasonCode.NORMAL_DISCONNECTION,
                Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 0))));
        MqttClient next = bed.client(v5(broker.port(), "ending").cleanSession(false).sessionExpiryInterval(60));
        assertThat(done(next.connect()).sessionPresent()).isFalse();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] after a DISCONNECT ended the session, the next connect() asks for the configured"
            + " Session Expiry Interval again, and that session outlives its connection")
    void nextConnectAsksForConfiguredExpiry() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        MqttClient client = bed.connected(v5(broker.port(), "again").packetTracer(tracer).sessionExpiryInterval(60));
        done(client.disconnect(ReasonCode.NORMAL_DISCONNECTION, Properties.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 0))));

        assertThat(done(client.connect()).sessionPresent()).isFalse();
        done(client.disconnect());

        assertThat(tracer.sent(Connect.class)).extracting(c -> c.properties().integer(PropertyId.SESSION_EXPIRY_INTERVAL).orElse(0))
                .containsExactly(60L, 60L);
        MqttClient next = bed.client(v5(broker.port(), "again").cleanSession(false).sessionExpiryInterval(60));
        assertThat(done(next.connect()).sessionPresent()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.1.2-4] on a new session after a lost connection the client subscribes again,"
            + " each subscription with its Subscription Identifier and options")
    void resubscribesWithIdentifiers() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        List<ConnectResult> connects = new CopyOnWriteArrayList<>();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient client = bed.client(v5(proxy.port(), "resubscriber").packetTracer(tracer).reconnect(FAST)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(ConnectResult result) {
                        connects.add(result);
                    }
                }));
        done(client.connect());
        Subscription a = new Subscription("ra/#", QoS.AT_LEAST_ONCE, true, true, RetainHandling.DO_NOT_SEND);
        Subscription b = new Subscription("rb/#", QoS.EXACTLY_ONCE);
        done(client.subscribe(List.of(a), Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 5)), received::add));
        done(client.subscribe(List.of(b), Properties.of(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 6)), received::add));

        proxy.cut();
        await().atMost(WAIT).until(() -> connects.size() == 2 && tracer.received(SubAck.class).size() == 4);

        assertThat(connects.get(1).sessionPresent()).isFalse();
        List<Subscribe> again = tracer.sent(Subscribe.class).subList(2, 4);
        assertThat(again).extracting(Subscribe::subscriptions).containsExactly(List.of(a), List.of(b));
        assertThat(again).extracting(sub -> sub.properties().subscriptionIdentifiers()).containsExactly(List.of(5L), List.of(6L));
        MqttClient publisher = bed.connected(broker, "resub-pub");
        done(publisher.publish("ra/x", new byte[0], QoS.AT_LEAST_ONCE, false));
        done(publisher.publish("rb/x", new byte[0], QoS.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertThat(received).extracting(MqttMessage::subscriptionIdentifiers).containsExactly(List.of(5L), List.of(6L));
    }

    @Test
    @DisplayName("[MQTT-3.1.2-23] [MQTT-3.1.2-5] a plain disconnect() leaves a 60 s session to the broker: the next"
            + " Clean Start 0 connection finds it")
    void disconnectKeepsSession() throws Exception {
        MqttClient client = bed.connected(v5(broker.port(), "keeping").sessionExpiryInterval(60));
        done(client.disconnect());

        MqttClient next = bed.client(v5(broker.port(), "keeping").cleanSession(false).sessionExpiryInterval(60));
        assertThat(done(next.connect()).sessionPresent()).isTrue();
    }

    @Test
    @DisplayName("[MQTT-3.2.2-16] [MQTT-3.1.2-5] an assigned client identifier is the one a reconnect uses: the"
            + " session is resumed under it, its subscription kept")
    void assignedIdentifierReused() throws Exception {
        RecordingTracer tracer = new RecordingTracer();
        List<ConnectResult> connects = new CopyOnWriteArrayList<>();
        List<MqttMessage> received = new CopyOnWriteArrayList<>();
        MqttClient client = bed.client(v5(proxy.port(), "").packetTracer(tracer).sessionExpiryInterval(60).reconnect(FAST)
                .connectionListener(new ConnectionListener() {
                    @Override
                    public void connected(ConnectResult result) {
                        connects.add(result);
                    }
                }));
        String assigned = done(client.connect()).assignedClientIdentifier().orElseThrow();
        done(client.subscribe("assigned/t", QoS.AT_LEAST_ONCE, received::add));

        proxy.cut();
        await().atMost(WAIT).until(() -> connects.size() == 2);

        assertThat(tracer.sent(Connect.class)).extracting(Connect::clientId).containsExactly("", assigned);
        assertThat(tracer.sent(Connect.class)).extracting(Connect::cleanStart).containsExactly(true, false);
        assertThat(connects.get(1).sessionPresent()).isTrue();
        assertThat(connects.get(1).assignedClientIdentifier()).isEmpty();
        assertThat(client.clientId()).isEqualTo(assigned);
        assertThat(tracer.sent(Subscribe.class)).hasSize(1);
        done(bed.connected(broker, "assigned-pub").publish("assigned/t", "x".getBytes(UTF_8), QoS.AT_LEAST_ONCE, false));
        await().atMost(WAIT).until(() -> received.size() == 1);
    }

    @Test
    @DisplayName("[MQTT-3.1.4-3] a second connection with the same client identifier takes the session over: the first"
            + " client's listener gets DisconnectedByServerException 0x8E with the broker's reason string")
    void sessionTakenOver() throws Exception {
        List<Throwable> causes = new CopyOnWriteArrayList<>();
        List<Boolean> willReconnect = new CopyOnWriteArrayList<>();
        RecordingTracer tracer = new RecordingTracer();
        MqttClient first = bed.connected(v5(broker.port(), "twin").packetTracer(tracer).connectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause, boolean reconnect) {
                causes.add(cause);
                willReconnect.add(reconnect);
            }
        }));

        MqttClient second = bed.connected(broker, "twin");

        await().atMost(WAIT).until(() -> causes.size() == 1);
        assertThat(causes.get(0)).isInstanceOfSatisfying(DisconnectedByServerException.class, e -> {
            assertThat(e.reasonCode()).isEqualTo(ReasonCode.SESSION_TAKEN_OVER);
            assertThat(e.reasonString()).contains("taken over by a new connection with the same client identifier");
            assertThat(e.serverReference()).isEmpty();
            assertThat(e).hasMessage("the server disconnected: 0x8E Session taken over"
                    + " (taken over by a new connection with the same client identifier)");
        });
        assertThat(willReconnect).containsExactly(false);
        assertThat(tracer.received(Disconnect.class)).extracting(Disconnect::reasonCode).containsExactly(ReasonCode.SESSION_TAKEN_OVER);
        assertThat(tracer.received(ConnAck.class)).hasSize(1);
        assertThat(first.isConnected()).isFalse();
        assertThat(second.isConnected()).isTrue();
    }
}
