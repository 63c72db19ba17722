package io.starling.it.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.cli.Starling;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Password files shared with Debian's Mosquitto, both ways. */
class PasswordFileInteropTest {
    private static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    private static final Path MOSQUITTO_PASSWD = Path.of("/usr/bin/mosquitto_passwd");
    private static final Path MOSQUITTO_PUB = Path.of("/usr/bin/mosquitto_pub");

    @TempDir
    Path dir;

    /** Runs {@code command}, returning its exit code; its output goes to {@code dir/NAME.out}. */
    private int run(String name, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".out").toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return p.exitValue();
    }

    private int publish(int port, String user, String password) throws Exception {
        return run("pub-" + user, MOSQUITTO_PUB.toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-i", "pub-" + user,
                "-u", user, "-P", password, "-t", "t", "-m", "x");
    }

    @Test
    @DisplayName("a password file written by Debian's mosquitto_passwd is accepted by Starling (mosquitto_pub -u -P)")
    void mosquittoPasswdFileInStarling() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO_PASSWD) && Files.isExecutable(MOSQUITTO_PUB), "skipped: apt-get install mosquitto mosquitto-clients");
        Path file = dir.resolve("passwd");
        assertThat(run("passwd", MOSQUITTO_PASSWD.toString(), "-c", "-b", file.toString(), "alice", "s3cret")).isZero();
        try (Broker broker = Broker.start(BrokerConfig.defaults().inMemory().onLoopback().withPasswordFile(file).withAllowAnonymous(false))) {
            assertThat(publish(broker.port(), "alice", "s3cret")).isZero();
            assertThat(publish(broker.port(), "alice", "wrong")).isNotZero();
            assertThat(Files.readString(dir.resolve("pub-alice.out"))).contains("Connection Refused: bad user name or password");
        }
    }

    @Test
    @DisplayName("a password file written by starling passwd is accepted by Debian's mosquitto")
    void starlingPasswdFileInMosquitto() throws Exception {
        assumeTrue(Files.isExecutable(MOSQUITTO) && Files.isExecutable(MOSQUITTO_PUB), "skipped: apt-get install mosquitto mosquitto-clients");
        Path file = dir.resolve("passwd");
        assertThat(Starling.run("passwd", "-c", "-b", file.toString(), "alice", "s3cret")).isZero();
        assertThat(Starling.run("passwd", "-H", "sha512", "-b", file.toString(), "bob", "0ld")).isZero();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path conf = dir.resolve("mosquitto.conf");
        Files.writeString(conf, String.join("\n", List.of("user " + System.getProperty("user.name"), "persistence false",
                "log_dest file " + dir.resolve("mosquitto.log"), "listener " + port + " 127.0.0.1", "allow_anonymous false",
                "password_file " + file, "")), StandardCharsets.UTF_8);
        Process mosquitto = new ProcessBuilder(new ArrayList<>(List.of(MOSQUITTO.toString(), "-c", conf.toString())))
                .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.out").toFile()).start();
        try {
            int p = port;
            await("mosquitto listening").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> accepting(p));
            assertThat(publish(port, "alice", "s3cret")).isZero();
            assertThat(publish(port, "bob", "0ld")).isZero();
            assertThat(publish(port, "alice", "wrong")).isNotZero();
        } finally {
            mosquitto.destroy();
            if (!mosquitto.waitFor(5, TimeUnit.SECONDS)) {
                mosquitto.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean accepting(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
