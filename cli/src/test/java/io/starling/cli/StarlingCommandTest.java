package io.starling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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
    void unknownOptionIsAUsageError() {
        assertThat(Starling.run("broker", "--no-such-flag")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("Unknown option: '--no-such-flag'");
    }
}
