package io.starling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code .ci/interop.sh}: the launcher against Debian's {@code mosquitto_pub},
 * {@code mosquitto_sub} and Python paho-mqtt. On a developer machine without those packages the
 * test is skipped and says so; in CI ({@code CI=true}, where {@code .ci/run} installs them) a
 * missing tool fails it.
 */
class InteropScriptTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    @DisplayName("mosquitto_pub, mosquitto_sub and Python paho-mqtt interoperate with bin/starling broker")
    void interopScriptPasses() throws IOException, InterruptedException {
        boolean tools = Files.isExecutable(Path.of("/usr/bin/mosquitto_pub"))
                && Files.isExecutable(Path.of("/usr/bin/mosquitto_sub"))
                && Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/paho"));
        assumeTrue(tools || "true".equals(System.getenv("CI")),
                "skipped: apt-get install mosquitto-clients python3-paho-mqtt to run the interop script");
        Path output = Files.createTempFile("starling-interop", ".log");
        try {
            Process script = new ProcessBuilder("bash", ROOT.resolve(".ci/interop.sh").toString())
                    .directory(ROOT.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            boolean finished = script.waitFor(240, TimeUnit.SECONDS);
            if (!finished) {
                script.descendants().forEach(ProcessHandle::destroyForcibly);
                script.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String log = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(finished).as("the script ended within 240 s:%n%s", log).isTrue();
            assertThat(script.exitValue()).as("exit status of .ci/interop.sh:%n%s", log).isZero();
            assertThat(log).containsPattern("(?m)^interop: [1-9][0-9]* passed, 0 failed$");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
