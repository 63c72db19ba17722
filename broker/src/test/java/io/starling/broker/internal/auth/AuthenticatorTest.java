package io.starling.broker.internal.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
    private static final BrokerConfig.Listener LOOPBACK = new BrokerConfig.Listener("127.0.0.1", 0);
    private static final BrokerConfig.Listener PUBLIC = new BrokerConfig.Listener("0.0.0.0", 0);

    @TempDir
    Path dir;

    private static Bytes pw(String s) {
        return Bytes.of(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anonymousClientsAreLetInOnLoopbackOnlyByDefault() throws IOException {
        Authenticator auth = new Authenticator(BrokerConfig.defaults());
        assertThat(auth.authenticate(LOOPBACK, null, null)).isEqualTo(ReasonCode.SUCCESS);
        assertThat(auth.authenticate(PUBLIC, null, null)).isEqualTo(ReasonCode.NOT_AUTHORIZED);
        assertThat(auth.authenticate(PUBLIC, "someone", pw("x"))).isEqualTo(ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void explicitAllowAnonymousDecidesEverywhere() throws IOException {
        assertThat(new Authenticator(BrokerConfig.defaults().withAllowAnonymous(true)).authenticate(PUBLIC, null, null))
                .isEqualTo(ReasonCode.SUCCESS);
        assertThat(new Authenticator(BrokerConfig.defaults().withAllowAnonymous(false)).authenticate(LOOPBACK, null, null))
                .isEqualTo(ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void passwordFileChecksUserAndPassword() throws IOException {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "# users\n\nalice:s3cret\nbob:pa:ss\n");
        Authenticator auth = new Authenticator(BrokerConfig.defaults().withPasswordFile(file).withAllowAnonymous(false));
        assertThat(auth.authenticate(PUBLIC, "alice", pw("s3cret"))).isEqualTo(ReasonCode.SUCCESS);
        assertThat(auth.authenticate(PUBLIC, "bob", pw("pa:ss"))).isEqualTo(ReasonCode.SUCCESS);
        assertThat(auth.authenticate(PUBLIC, "alice", pw("wrong"))).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(auth.authenticate(PUBLIC, "alice", null)).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(auth.authenticate(PUBLIC, "mallory", pw("s3cret"))).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(auth.authenticate(PUBLIC, null, null)).isEqualTo(ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void badPasswordFileLinesNameFileAndLine() throws IOException {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "alice:x\nno-colon-here\n");
        assertThatThrownBy(() -> PasswordFile.load(file)).isInstanceOf(IOException.class)
                .hasMessage(file + ":2: expected user:password");
        Files.writeString(file, "alice:x\nalice:y\n");
        assertThatThrownBy(() -> PasswordFile.load(file)).hasMessage(file + ":2: user 'alice' appears twice");
        assertThatThrownBy(() -> PasswordFile.load(dir.resolve("missing"))).isInstanceOf(IOException.class)
                .hasMessageStartingWith(dir.resolve("missing") + ": cannot read the password file");
    }

    @Test
    void securityViolationForAnonymousListenerOffLoopback() {
        BrokerConfig open = BrokerConfig.defaults().withListeners(List.of(PUBLIC));
        assertThat(open.securityViolation()).contains("0.0.0.0:0 is not on loopback");
        assertThat(open.withAllowAnonymous(true).securityViolation()).isNull();
        assertThat(open.withPasswordFile(dir.resolve("p")).securityViolation()).isNull();
        assertThat(BrokerConfig.defaults().securityViolation()).isNull();
    }
}
