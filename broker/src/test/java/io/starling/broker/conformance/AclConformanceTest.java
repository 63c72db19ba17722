package io.starling.broker.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.starling.broker.config.ConfigException;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.codec.packet.PubAck;
import io.starling.codec.packet.PubComp;
import io.starling.codec.packet.PubRec;
import io.starling.codec.packet.PubRel;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Will;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Authorization with an ACL file, as a matrix: users (anonymous, alice, bob, admin) x rule kinds
 * (anonymous topic rules, a user's topic rules, patterns with %c and %u, deny before and after
 * allow) x actions (subscribe, publish, delivery, retained, will) x protocol versions (3.1.1 and
 * 5.0), with the exact SUBACK return codes, PUBACK/PUBREC reason codes and refusal counts.
 */
class AclConformanceTest {
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final Path ACL = write(
            "# anonymous clients",
            "topic read public/#",
            "topic write public/anon",
            "",
            "user alice",
            "# deny before the allow it narrows",
            "topic deny alice/secret",
            "topic alice/#",
            "topic write public/alice",
            "",
            "user bob",
            "topic read alice/news",
            "topic read public/#",
            "",
            "user admin",
            "topic readwrite #",
            "",
            "pattern readwrite clients/%c/#",
            "pattern read users/%u/inbox",
            "# deny after the allow it narrows",
            "pattern deny clients/%c/locked");

    @RegisterExtension
    final LiveBroker live = new LiveBroker(config -> config.withAclFile(ACL));

    static Path write(String... lines) {
        try {
            Path file = Path.of("target", "test-data", "acl-" + UUID.randomUUID() + ".acl");
            Files.createDirectories(file.getParent());
            return Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private AclClient client(MqttVersion version, String clientId, String username) {
        return AclClient.connected(live.port(), version, clientId, username);
    }

    private BrokerMetrics metrics() {
        return live.broker().metrics();
    }

    /** The refusal code of a SUBACK: 0x80 in 3.1.1 [MQTT-3.9.3-2], 0x87 not authorized in 5.0. */
    private static int refused(MqttVersion version) {
        return version.isV5() ? 0x87 : 0x80;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    @DisplayName("[MQTT-3.9.3-1] SUBSCRIBE: each filter judged alone, refused ones fail while the others are granted")
    void subscribe(MqttVersion version) {
        int g = 0x01;
        int r = refused(version);
        try (AclClient anonymous = client(version, "anon", null);
                AclClient alice = client(version, "alice1", "alice");
                AclClient bob = client(version, "bob1", "bob")) {
            assertThat(anonymous.subscribe(1, "public/#", "public/anon", "alice/#", "clients/anon/#", "clients/other/#",
                    "users/+/inbox", "clients/anon/locked", "$SYS/#"))
                    .containsExactly(g, g, r, g, r, r, r, r);
            assertThat(alice.subscribe(2, "alice/#", "alice/secret", "alice/+/x", "public/#", "users/alice/inbox",
                    "users/bob/inbox", "clients/alice1/#", "clients/alice1/locked", "#"))
                    .containsExactly(g, r, g, r, g, r, g, r, r);
            // a shared subscription is judged by its own filter
            assertThat(bob.subscribe(3, "alice/news", "alice/+", "public/+", "$share/g/alice/news", "$share/g/alice/#"))
                    .containsExactly(g, r, g, g, r);
        }
        assertThat(metrics().aclSubscribeDenied.sum()).isEqualTo(5 + 5 + 2);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    @DisplayName("PUBLISH: a refused one is not routed; 3.1.1 acknowledges it as usual, 5.0 answers QoS 1 and 2 with 0x87")
    void publish(MqttVersion version) {
        boolean v5 = version.isV5();
        try (AclClient admin = client(version, "admin1", "admin");
                AclClient alice = client(version, "alice1", "alice");
                AclClient anonymous = client(version, "anon", null);
                AclClient bob = client(version, "bob1", "bob")) {
            assertThat(admin.subscribe(1, "#")).containsExactly(0x01);

            alice.publish("alice/ok", QoS.AT_LEAST_ONCE, false, 1, "1");
            assertThat(alice.expect(PubAck.class)).isEqualTo(new PubAck(1));
            alice.publish("alice/secret", QoS.AT_LEAST_ONCE, false, 2, "2");
            assertThat(alice.expect(PubAck.class).reasonCode()).isEqualTo(v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.SUCCESS);
            // an anonymous rule is not alice's
            alice.publish("public/anon", QoS.AT_LEAST_ONCE, false, 3, "3");
            assertThat(alice.expect(PubAck.class).reasonCode()).isEqualTo(v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.SUCCESS);
            alice.publish("alice/secret", QoS.EXACTLY_ONCE, false, 4, "4");
            PubRec rec = alice.expect(PubRec.class);
            if (v5) {
                // an error PUBREC ends the flow (section 4.3.3)
                assertThat(rec.reasonCode()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            } else {
                assertThat(rec).isEqualTo(new PubRec(4));
                alice.send(new PubRel(4));
                assertThat(alice.expect(PubComp.class)).isEqualTo(new PubComp(4));
            }
            alice.publish("alice/secret", QoS.AT_MOST_ONCE, false, 0, "5");
            alice.publish("users/alice/inbox", QoS.AT_MOST_ONCE, false, 0, "6");
            alice.publish("clients/alice1/x", QoS.AT_LEAST_ONCE, false, 5, "7");
            assertThat(alice.expect(PubAck.class)).isEqualTo(new PubAck(5));
            alice.publish("public/alice", QoS.AT_MOST_ONCE, false, 0, "8");
            alice.publish("clients/bob1/x", QoS.AT_MOST_ONCE, false, 0, "9");

            anonymous.publish("public/anon", QoS.AT_MOST_ONCE, false, 0, "10");
            anonymous.publish("public/other", QoS.AT_MOST_ONCE, false, 0, "11");
            bob.publish("alice/news", QoS.AT_LEAST_ONCE, false, 1, "12");
            assertThat(bob.expect(PubAck.class).reasonCode()).isEqualTo(v5 ? ReasonCode.NOT_AUTHORIZED : ReasonCode.SUCCESS);
            bob.publish("clients/bob1/done", QoS.AT_LEAST_ONCE, false, 2, "13");
            assertThat(bob.expect(PubAck.class)).isEqualTo(new PubAck(2));

            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                seen.add(admin.nextMessage());
            }
            // one publisher's messages arrive in order; the publishers interleave
            assertThat(seen).containsExactlyInAnyOrder("alice/ok=1", "clients/alice1/x=7", "public/alice=8", "public/anon=10",
                    "clients/bob1/done=13");
            assertThat(seen.indexOf("alice/ok=1")).isLessThan(seen.indexOf("clients/alice1/x=7"));
            assertThat(seen.indexOf("clients/alice1/x=7")).isLessThan(seen.indexOf("public/alice=8"));
            admin.expectNothing(QUIET);
        }
        // alice: 2, 3, 4, 5, 6, 9; anonymous: 11; bob: 12
        assertThat(metrics().aclPublishDenied.sum()).isEqualTo(8);
        assertThat(metrics().aclDeliveryDenied.sum()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    @DisplayName("delivery: a granted filter overlapping a deny rule does not bring what the deny covers, retained or live")
    void delivery(MqttVersion version) {
        try (AclClient admin = client(version, "admin1", "admin")) {
            int id = 1;
            for (String[] retained : new String[][] {{"alice/secret", "r1"}, {"alice/open", "r2"}, {"public/x", "r3"}}) {
                admin.publish(retained[0], QoS.AT_LEAST_ONCE, true, id, retained[1]);
                admin.expect(PubAck.class);
                id++;
            }
            try (AclClient alice = client(version, "alice1", "alice");
                    AclClient anonymous = client(version, "anon", null);
                    AclClient bob = client(version, "bob1", "bob")) {
                assertThat(alice.subscribe(1, "alice/#")).containsExactly(0x01);
                assertThat(alice.nextMessage()).isEqualTo("alice/open=r2 retained");
                assertThat(anonymous.subscribe(1, "public/#")).containsExactly(0x01);
                assertThat(anonymous.nextMessage()).isEqualTo("public/x=r3 retained");
                assertThat(bob.subscribe(1, "alice/news")).containsExactly(0x01);

                // a refused retained PUBLISH leaves the retained message as it was, an empty one included
                alice.publish("alice/secret", QoS.AT_MOST_ONCE, true, 0, "bad");
                alice.publish("alice/secret", QoS.AT_MOST_ONCE, true, 0, "");

                admin.publish("alice/secret", QoS.AT_MOST_ONCE, false, 0, "l1");
                admin.publish("alice/news", QoS.AT_MOST_ONCE, false, 0, "l2");
                assertThat(alice.nextMessage()).isEqualTo("alice/news=l2");
                assertThat(bob.nextMessage()).isEqualTo("alice/news=l2");
                alice.expectNothing(QUIET);

                assertThat(admin.subscribe(id, "alice/secret")).containsExactly(0x01);
                assertThat(admin.nextMessage()).isEqualTo("alice/secret=r1 retained");
            }
        }
        // to alice: the retained alice/secret, and the live one
        assertThat(metrics().aclDeliveryDenied.sum()).isEqualTo(2);
        assertThat(metrics().aclPublishDenied.sum()).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    @DisplayName("shared subscription: a message goes to a member of the group that may read it")
    void shared(MqttVersion version) {
        try (AclClient admin = client(version, "admin1", "admin");
                AclClient alice = client(version, "alice1", "alice");
                AclClient publisher = client(version, "admin2", "admin")) {
            assertThat(alice.subscribe(1, "$share/g/alice/#")).containsExactly(0x01);
            assertThat(admin.subscribe(1, "$share/g/alice/#")).containsExactly(0x01);
            for (int i = 0; i < 4; i++) {
                publisher.publish("alice/secret", QoS.AT_MOST_ONCE, false, 0, "s" + i);
            }
            for (int i = 0; i < 4; i++) {
                assertThat(admin.nextMessage()).isEqualTo("alice/secret=s" + i);
            }
            alice.expectNothing(QUIET);
        }
        // passed over in the group, not refused
        assertThat(metrics().aclDeliveryDenied.sum()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    @DisplayName("[MQTT-3.1.2-8] a will is published only where its client may write")
    void will(MqttVersion version) {
        try (AclClient admin = client(version, "admin1", "admin")) {
            assertThat(admin.subscribe(1, "#")).containsExactly(0x01);
            String[][] wills = {
                    {"alice1", "alice", "alice/will"},
                    {"alice2", "alice", "alice/secret"},
                    {"anon1", null, "public/anon"},
                    {"anon2", null, "public/other"},
                    {"bob1", "bob", "clients/bob1/gone"},
                    {"bob2", "bob", "clients/bob2/locked"}};
            for (String[] w : wills) {
                Will will = new Will(w[2], Bytes.of(w[0].getBytes(StandardCharsets.UTF_8)), QoS.AT_MOST_ONCE, false);
                AclClient.connected(live.port(), version, w[0], w[1], will).close();
            }
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                seen.add(admin.nextMessage());
            }
            assertThat(seen).containsExactlyInAnyOrder("alice/will=alice1", "public/anon=anon1", "clients/bob1/gone=bob1");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(metrics().aclWillDenied.sum()).isEqualTo(3));
            admin.expectNothing(QUIET);
        }
        assertThat(metrics().aclWillDenied.sum()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = MqttVersion.class, names = {"V3_1_1", "V5"})
    @DisplayName("reload: the new file judges the next SUBSCRIBE and what existing subscriptions bring; a bad file changes nothing")
    void reload(MqttVersion version) throws ConfigException {
        try (AclClient admin = client(version, "admin1", "admin");
                AclClient alice = client(version, "alice1", "alice")) {
            assertThat(alice.subscribe(1, "alice/#")).containsExactly(0x01);

            Path bad = write("user alice", "topic sometimes alice/a");
            assertThatThrownBy(() -> live.broker().reload(live.broker().config().withAclFile(bad))).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith(bad + ":2: unknown access 'sometimes'");
            admin.publish("alice/b", QoS.AT_MOST_ONCE, false, 0, "still");
            assertThat(alice.nextMessage()).isEqualTo("alice/b=still");

            live.broker().reload(live.broker().config().withAclFile(write("user alice", "topic read alice/a", "user admin", "topic #")));
            admin.publish("alice/b", QoS.AT_MOST_ONCE, false, 0, "gone");
            admin.publish("alice/a", QoS.AT_MOST_ONCE, false, 0, "kept");
            assertThat(alice.nextMessage()).isEqualTo("alice/a=kept");
            assertThat(alice.subscribe(2, "alice/b", "alice/a")).containsExactly(refused(version), 0x01);

            live.broker().reload(live.broker().config().withAclFile(null));
            assertThat(alice.subscribe(3, "#")).containsExactly(0x01);
        }
        assertThat(metrics().aclDeliveryDenied.sum()).isEqualTo(1);
        assertThat(metrics().aclSubscribeDenied.sum()).isEqualTo(1);
    }
}
