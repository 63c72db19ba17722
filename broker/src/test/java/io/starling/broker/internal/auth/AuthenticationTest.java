package io.starling.broker.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.auth.PasswordHash;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.spi.Authenticator;
import io.starling.broker.spi.Authenticator.Decision;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticationTest {
    private static final BrokerConfig.Listener LOOPBACK = new BrokerConfig.Listener("127.0.0.1", 0);
    private static final BrokerConfig.Listener PUBLIC = new BrokerConfig.Listener("0.0.0.0", 0);

    @TempDir
    Path dir;

    private static Authenticator.Login login(@Nullable String user, @Nullable String password, @Nullable String identity) {
        return new Authenticator.Login("client-1", user, password == null ? null : password.getBytes(StandardCharsets.UTF_8),
                new InetSocketAddress("127.0.0.1", 40000), "mqtt://127.0.0.1:0", identity, MqttVersion.V3_1_1);
    }

    /** The verdict, whether made at once or on an authentication thread (then handed to a direct "event loop"). */
    private static Authentication.Verdict decide(Authentication auth, Authenticator.Login login, BrokerConfig.Listener listener)
            throws Exception {
        CompletableFuture<Authentication.Verdict> later = new CompletableFuture<>();
        Authentication.Verdict now = auth.authenticate(login, listener, Runnable::run, later::complete);
        return now != null ? now : later.get(10, TimeUnit.SECONDS);
    }

    private Path passwordFile(String... lines) throws Exception {
        Path file = dir.resolve("passwd");
        Files.write(file, List.of(lines));
        return file;
    }

    private static String hashed(String user, String password) {
        return user + ":" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, password.getBytes(StandardCharsets.UTF_8), 50).encoded();
    }

    @Test
    @DisplayName("anonymous clients are let in on loopback listeners only by default, at once")
    void anonymousOnLoopbackByDefault() throws Exception {
        try (Authentication auth = new Authentication(BrokerConfig.defaults(), List.of())) {
            Authentication.Verdict now = auth.authenticate(login(null, null, null), LOOPBACK, r -> {
                throw new AssertionError("no hop");
            }, v -> {
                throw new AssertionError("no later verdict");
            });
            assertThat(now).isEqualTo(new Authentication.Verdict(ReasonCode.SUCCESS, null, ""));
            assertThat(decide(auth, login(null, null, null), PUBLIC).code()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
            // without a password file a user name is an unchecked label: let in by the anonymous
            // rule, under that name for ACL user rules (as in Mosquitto)
            assertThat(decide(auth, login("someone", "x", null), LOOPBACK)).isEqualTo(new Authentication.Verdict(ReasonCode.SUCCESS, "someone", ""));
            assertThat(decide(auth, login("someone", "x", null), PUBLIC).code()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    @DisplayName("a password file checks users off the caller's thread and does not change allow_anonymous")
    void passwordFileLeavesTheAnonymousRule() throws Exception {
        BrokerConfig config = BrokerConfig.defaults().withPasswordFile(passwordFile(hashed("alice", "s3cret")));
        try (Authentication auth = new Authentication(config, List.of())) {
            CompletableFuture<String> thread = new CompletableFuture<>();
            assertThat(auth.authenticate(login("alice", "s3cret", null), PUBLIC, r -> {
                thread.complete(Thread.currentThread().getName());
                r.run();
            }, v -> {})).isNull();
            assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("starling-auth-");
            assertThat(decide(auth, login("alice", "s3cret", null), PUBLIC)).isEqualTo(new Authentication.Verdict(ReasonCode.SUCCESS, "alice", ""));
            assertThat(decide(auth, login("alice", "wrong", null), PUBLIC).code()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(decide(auth, login("mallory", "s3cret", null), PUBLIC).code()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            assertThat(decide(auth, login(null, null, null), LOOPBACK).code()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(decide(auth, login(null, null, null), PUBLIC).code()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        }
        try (Authentication auth = new Authentication(config.withAllowAnonymous(false), List.of())) {
            assertThat(decide(auth, login(null, null, null), LOOPBACK).code()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        }
    }

    @Test
    @DisplayName("use_identity_as_username: the certificate identity is the user, the password file is not consulted; without a certificate it is")
    void certificateIdentityIsTheUser() throws Exception {
        Path pem = dir.resolve("x.pem");
        BrokerConfig.Listener tls = LOOPBACK.withTls(BrokerConfig.Tls.pem(pem, pem)
                .withClientAuth(BrokerConfig.ClientAuth.REQUIRED, pem).withIdentityAsUsername(BrokerConfig.CertificateIdentity.CN));
        BrokerConfig config = BrokerConfig.defaults().withPasswordFile(passwordFile(hashed("alice", "s3cret")));
        try (Authentication auth = new Authentication(config, List.of())) {
            assertThat(decide(auth, login("alice", "wrong", "device-7"), tls)).isEqualTo(new Authentication.Verdict(ReasonCode.SUCCESS, "device-7", ""));
            // no certificate (client_auth optional): the password file decides, as on any listener
            assertThat(decide(auth, login("alice", "s3cret", null), tls)).isEqualTo(new Authentication.Verdict(ReasonCode.SUCCESS, "alice", ""));
            assertThat(decide(auth, login("alice", "wrong", null), tls).code()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
    }

    @Test
    @DisplayName("authenticators are asked in order; the first to allow or deny decides, abstaining passes on")
    void authenticatorsInOrder() throws Exception {
        List<String> asked = new ArrayList<>();
        Authenticator abstains = login -> {
            asked.add("abstains");
            return Decision.abstain();
        };
        Authenticator tokens = login -> {
            asked.add("tokens");
            if (login.username() == null) {
                return Decision.abstain();
            }
            return "t0ken".equals(new String(login.password(), StandardCharsets.UTF_8)) ? Decision.allow("device:" + login.username())
                    : Decision.deny("bad token");
        };
        Authenticator fails = login -> {
            throw new IllegalStateException("directory down");
        };
        BrokerConfig config = BrokerConfig.defaults().withAllowAnonymous(false);
        try (Authentication auth = new Authentication(config, List.of(abstains, tokens))) {
            assertThat(decide(auth, login("d1", "t0ken", null), PUBLIC)).isEqualTo(new Authentication.Verdict(ReasonCode.SUCCESS, "device:d1", ""));
            assertThat(asked).containsExactly("abstains", "tokens");
            assertThat(decide(auth, login("d1", "guess", null), PUBLIC).code()).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
            // all abstain: the broker's own rules decide
            assertThat(decide(auth, login(null, null, null), LOOPBACK).code()).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        }
        try (Authentication auth = new Authentication(config, List.of(fails, tokens))) {
            assertThat(decide(auth, login("d1", "t0ken", null), PUBLIC).code()).isEqualTo(ReasonCode.SERVER_UNAVAILABLE);
        }
    }

    @Test
    @DisplayName("a full queue of logins refuses the next with server busy")
    void fullQueueIsServerBusy() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        Authenticator slow = login -> {
            started.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Decision.allow(login.username());
        };
        try (Authentication auth = new Authentication(BrokerConfig.defaults(), List.of(slow), 1, 1)) {
            List<Authentication.Verdict> later = new java.util.concurrent.CopyOnWriteArrayList<>();
            assertThat(auth.authenticate(login("a", "x", null), LOOPBACK, Runnable::run, later::add)).isNull();
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(auth.authenticate(login("b", "x", null), LOOPBACK, Runnable::run, later::add)).isNull();
            Authentication.Verdict busy = auth.authenticate(login("c", "x", null), LOOPBACK, Runnable::run, later::add);
            assertThat(busy).isNotNull();
            assertThat(busy.code()).isEqualTo(ReasonCode.SERVER_BUSY);
            release.countDown();
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> later.size() == 2);
            assertThat(later).extracting(Authentication.Verdict::username).containsExactly("a", "b");
        }
    }

    @Test
    @DisplayName("reload swaps the password file after a full load, and keeps the old one when the new one is bad")
    void reloadIsAllOrNothing() throws Exception {
        Path file = passwordFile(hashed("alice", "one"));
        BrokerConfig config = BrokerConfig.defaults().withPasswordFile(file);
        try (Authentication auth = new Authentication(config, List.of())) {
            Files.write(file, List.of(hashed("alice", "two"), hashed("bob", "three")));
            auth.reload(config);
            assertThat(decide(auth, login("alice", "two", null), PUBLIC).code()).isEqualTo(ReasonCode.SUCCESS);
            assertThat(decide(auth, login("bob", "three", null), PUBLIC).code()).isEqualTo(ReasonCode.SUCCESS);
            Files.write(file, List.of(hashed("alice", "four"), "broken line"));
            assertThatThrownBy(() -> auth.reload(config)).isInstanceOf(ConfigException.class).hasMessage(file + ":2: expected user:password");
            assertThat(decide(auth, login("alice", "two", null), PUBLIC).code()).isEqualTo(ReasonCode.SUCCESS);
        }
    }
}
