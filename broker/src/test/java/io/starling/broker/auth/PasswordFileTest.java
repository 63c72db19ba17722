package io.starling.broker.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {
    static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");

    @TempDir
    Path dir;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs Debian's mosquitto_passwd with {@code args}, skipping the test without it. */
    static void mosquittoPasswd(String... args) throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD), "skipped: apt-get install mosquitto-clients or mosquitto");
        List<String> command = new java.util.ArrayList<>(List.of(MOSQUITTO_PASSWD.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("mosquitto_passwd %s: %s", command, new String(p.getInputStream().readAllBytes())).isZero();
    }

    @Test
    @DisplayName("a file written by Debian's mosquitto_passwd ($7$ and, with -H sha512, $6$) loads and checks passwords")
    void mosquittoPasswdFile() throws Exception {
        Path file = dir.resolve("passwd");
        mosquittoPasswd("-c", "-b", file.toString(), "alice", "s3cret");
        mosquittoPasswd("-b", file.toString(), "bob", "pa:ss wörd");
        mosquittoPasswd("-H", "sha512", "-b", file.toString(), "carol", "old-style");
        assertThat(Files.readString(file)).contains("alice:$7$101$").contains("carol:$6$");
        PasswordFile passwords = PasswordFile.load(file);
        assertThat(passwords.warnings()).isEmpty();
        assertThat(passwords.users()).containsExactly("alice", "bob", "carol");
        assertThat(passwords.entry("alice")).isInstanceOf(PasswordHash.Pbkdf2Sha512.class);
        assertThat(passwords.entry("carol")).isInstanceOf(PasswordHash.Sha512.class);
        assertThat(passwords.check("alice", utf8("s3cret"))).isTrue();
        assertThat(passwords.check("bob", utf8("pa:ss wörd"))).isTrue();
        assertThat(passwords.check("carol", utf8("old-style"))).isTrue();
        assertThat(passwords.check("alice", utf8("s3cret "))).isFalse();
        assertThat(passwords.check("alice", null)).isFalse();
        assertThat(passwords.check("mallory", utf8("s3cret"))).isFalse();
    }

    @Test
    @DisplayName("PBKDF2 over raw bytes agrees with the JDK's PBKDF2WithHmacSHA512 and PBKDF2WithHmacSHA256")
    void pbkdf2AgreesWithTheJdk() throws Exception {
        byte[] salt = utf8("NaCl-salt-12");
        for (String hmac : List.of("SHA512", "SHA256")) {
            byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmac" + hmac)
                    .generateSecret(new PBEKeySpec("pässword".toCharArray(), salt, 1000, 600)).getEncoded();
            assertThat(Pbkdf2.derive("Hmac" + hmac, utf8("pässword"), salt, 1000, 75)).isEqualTo(jdk);
        }
    }

    @Test
    @DisplayName("clear-text lines still load, with a warning that names the lines and 'starling passwd -U FILE'")
    void clearTextLinesWarn() throws Exception {
        Path file = dir.resolve("passwd");
        Files.writeString(file, "# users\n\nalice:s3cret\nbob:pa:ss\n");
        PasswordFile passwords = PasswordFile.load(file);
        assertThat(passwords.check("alice", utf8("s3cret"))).isTrue();
        assertThat(passwords.check("bob", utf8("pa:ss"))).isTrue();
        assertThat(passwords.check("bob", utf8("pa"))).isFalse();
        assertThat(passwords.warnings()).containsExactly(file + ": clear-text passwords for alice (line 3), bob (line 4); hash them"
                + " with 'starling passwd -U " + file + "' (Mosquitto 2 does not read clear-text lines)");
    }

    @Test
    @DisplayName("bad lines fail with FILE:LINE: problem")
    void badLinesNameFileAndLine() throws Exception {
        Path file = dir.resolve("passwd");
        assertProblem(file, "alice:x\nno-colon-here\n", file + ":2: expected user:password");
        assertProblem(file, "alice:x\nalice:y\n", file + ":2: user 'alice' appears twice");
        assertProblem(file, "alice:$7$0$AAAAAAAAAAAAAAAA$x\n", file + ":1: user 'alice': the iteration count must be a number from 1, not '0'");
        assertProblem(file, "alice:$7$101$AAAA$" + "A".repeat(88) + "\n", file + ":1: user 'alice': the salt must be 12 bytes, not 3");
        assertProblem(file, "alice:$6$AAAAAAAAAAAAAAAA$!!\n", file + ":1: user 'alice': the hash is not Base64: Illegal base64 character 21");
        assertProblem(file, "alice:$6$AAAAAAAAAAAAAAAA\n", file + ":1: user 'alice': expected $6$salt$hash");
        assertThatThrownBy(() -> PasswordFile.load(dir.resolve("missing"))).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(dir.resolve("missing") + ": cannot read the password file");
    }

    private static void assertProblem(Path file, String content, String message) throws Exception {
        Files.writeString(file, content);
        assertThatThrownBy(() -> PasswordFile.load(file)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    @DisplayName("an unknown user is checked against a hash of the file's most common form and cost")
    void unknownUserCostsTheSame() throws Exception {
        String lines = "a:" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, utf8("x"), 1234).encoded() + "\n"
                + "b:" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, utf8("y"), 1234).encoded() + "\n"
                + "c:" + PasswordHash.create(PasswordHash.Form.PBKDF2_SHA512, utf8("z"), 99).encoded() + "\n";
        PasswordFile passwords = PasswordFile.parse("p", List.of(lines.split("\n")));
        assertThat(passwords.dummy()).isInstanceOfSatisfying(PasswordHash.Pbkdf2Sha512.class, d -> {
            assertThat(d.iterations()).isEqualTo(1234);
            assertThat(d.salt()).hasSize(12);
            assertThat(d.hash()).hasSize(64);
        });
    }

    @Test
    @DisplayName("SCRAM-SHA-256 lines check plain passwords too, and survive a round trip through their text")
    void scramLinesCheckPlainPasswords() throws Exception {
        PasswordHash scram = PasswordHash.create(PasswordHash.Form.SCRAM_SHA256, utf8("pencil"), 4096);
        assertThat(scram.encoded()).startsWith("$scram-sha-256$4096$");
        PasswordFile passwords = PasswordFile.parse("p", List.of("user:" + scram.encoded()));
        assertThat(passwords.warnings()).isEmpty();
        assertThat(passwords.check("user", utf8("pencil"))).isTrue();
        assertThat(passwords.check("user", utf8("pen"))).isFalse();
    }
}
