package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StarlingCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private PrintStream originalErr;

    @BeforeEach
    void capture() {
        originalOut = System.out;
        originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(originalOut);
        System.setErr(originalErr);
    }

    @Test
    void helpListsTheBrokerCommand() {
        assertThat(Starling.run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: starling").contains("broker");
    }

    @Test
    void brokerHelpDocumentsMosquittoStyleOptions() {
        assertThat(Starling.run("broker", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("-p, --port").contains("-b, --bind").contains("-c, --config").contains("-v, --verbose");
    }

    @Test
    void brokerRefusesAnonymousListenerOffLoopback() {
        assertThat(Starling.run("broker", "-b", "0.0.0.0", "-p", "0")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("starling broker: listener 0.0.0.0:0 is not on loopback")
                .contains("password_file").contains("allow_anonymous: true");
    }

    @Test
    void brokerReportsAMissingConfigurationFile() {
        assertThat(Starling.run("broker", "-c", "/nonexistent/starling.yaml")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("starling broker: ").contains("/nonexistent/starling.yaml");
    }

    @Test
    void checkConfigAcceptsAValidConfigurationAndWarnsOfClearTextPasswords(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("passwd"), "alice:clear-text\n");
        Files.writeString(dir.resolve("acl"), "user alice\ntopic readwrite a/#\n");
        Path config = Files.writeString(dir.resolve("broker.yaml"), "password_file: passwd\nacl_file: acl\n");

        assertThat(Starling.run("broker", "--check-config", "-c", config.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("warning: ").contains("starling passwd -U")
                .contains(config + " is valid");
    }

    @Test
    void checkConfigNamesTheFileAndLineOfABrokenAclFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("acl"), "user alice\ntopic sometimes a/#\n");
        Path config = Files.writeString(dir.resolve("broker.yaml"), "acl_file: acl\n");

        assertThat(Starling.run("broker", "--check-config", "-c", config.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("starling broker: " + dir.resolve("acl") + ":2: ");
    }

    @Test
    void checkConfigRefusesAMissingCertificate(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("broker.yaml"), """
                listeners:
                  - port: 0
                    tls: {cert_file: missing.crt, key_file: missing.key}
                """);

        assertThat(Starling.run("broker", "--check-config", "-c", config.toString())).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("starling broker: " + dir.resolve("missing.key") + ": cannot be read: it does not exist");
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertThat(Starling.run("broker", "--no-such-flag")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--no-such-flag'");
    }
}
