package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.starling.broker.auth.PasswordFile;
import io.starling.broker.auth.PasswordHash;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdCommandTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private PrintStream originalOut;
    private InputStream originalIn;

    @TempDir
    Path dir;

    @BeforeEach
    void capture() {
        originalErr = System.err;
        originalOut = System.out;
        originalIn = System.in;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        System.setOut(originalOut);
        System.setIn(originalIn);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("-c -b creates a $7$ file readable by its owner only; -b adds and updates users; -D deletes one")
    void createAddUpdateDelete() throws Exception {
        Path file = dir.resolve("passwd");
        assertThat(Starling.run("passwd", "-c", "-b", "-I", "50", file.toString(), "alice", "one")).isZero();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).startsWith("alice:$7$50$");
        assertThat(Starling.run("passwd", "-b", "-I", "50", file.toString(), "bob", "two")).isZero();
        assertThat(Starling.run("passwd", "-b", "-I", "50", file.toString(), "alice", "three")).isZero();
        PasswordFile passwords = PasswordFile.load(file);
        assertThat(passwords.users()).containsExactly("alice", "bob");
        assertThat(passwords.check("alice", utf8("three"))).isTrue();
        assertThat(passwords.check("bob", utf8("two"))).isTrue();
        assertThat(Starling.run("passwd", "-D", file.toString(), "alice")).isZero();
        assertThat(PasswordFile.load(file).users()).containsExactly("bob");
        assertThat(Starling.run("passwd", "-D", file.toString(), "alice")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("user alice not found in " + file);
    }

    @Test
    @DisplayName("-U hashes the clear-text lines in place, keeping hashed lines, comments and order")
    void updateHashesClearText() throws Exception {
        Path file = dir.resolve("passwd");
        String hashed = "carol:" + PasswordHash.create(PasswordHash.Form.SHA512, utf8("c"), 1).encoded();
        Files.write(file, List.of("# team", "alice:s3cret", hashed, "", "bob:pa:ss"));
        assertThat(PasswordFile.load(file).warnings()).hasSize(1);
        assertThat(Starling.run("passwd", "-U", "-I", "50", file.toString())).isZero();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("# team");
        assertThat(lines.get(1)).startsWith("alice:$7$50$");
        assertThat(lines.get(2)).isEqualTo(hashed);
        assertThat(lines.get(4)).startsWith("bob:$7$50$");
        PasswordFile passwords = PasswordFile.load(file);
        assertThat(passwords.warnings()).isEmpty();
        assertThat(passwords.check("alice", utf8("s3cret"))).isTrue();
        assertThat(passwords.check("bob", utf8("pa:ss"))).isTrue();
        assertThat(passwords.check("carol", utf8("c"))).isTrue();
    }

    @Test
    @DisplayName("--scram writes SCRAM-SHA-256 credentials, -H sha512 a $6$ line; the password is asked twice without -b")
    void scramShaAndPrompt() throws Exception {
        Path file = dir.resolve("passwd");
        System.setIn(new ByteArrayInputStream(utf8("pencil\npencil\n")));
        assertThat(Starling.run("passwd", "-c", "--scram", "-I", "4096", file.toString(), "user")).isZero();
        assertThat(Files.readString(file)).startsWith("user:$scram-sha-256$4096$");
        assertThat(PasswordFile.load(file).check("user", utf8("pencil"))).isTrue();
        assertThat(Starling.run("passwd", "-H", "sha512", "-b", file.toString(), "old", "x")).isZero();
        assertThat(PasswordFile.load(file).entry("old")).isInstanceOf(PasswordHash.Sha512.class);
        System.setIn(new ByteArrayInputStream(utf8("a\nb\n")));
        assertThat(Starling.run("passwd", file.toString(), "user")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("starling passwd: passwords do not match");
        assertThat(PasswordFile.load(file).check("user", utf8("pencil"))).isTrue();
    }

    @Test
    @DisplayName("flags mosquitto_passwd refuses together are refused, and so are user names with ':'")
    void badUsage() {
        Path file = dir.resolve("passwd");
        assertThat(Starling.run("passwd", "-c", "-D", file.toString(), "a")).isEqualTo(1);
        assertThat(Starling.run("passwd", "-b", "-c", file.toString(), "a:b", "x")).isEqualTo(1);
        assertThat(Starling.run("passwd", "-H", "md5", "-b", "-c", file.toString(), "a", "x")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("-c, -D and -U cannot be used together")
                .contains("a user name must not contain ':'").contains("unknown hash type 'md5'");
        assertThat(file).doesNotExist();
    }
}
