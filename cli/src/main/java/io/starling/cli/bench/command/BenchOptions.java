package io.starling.cli.bench.command;

import io.starling.cli.bench.engine.BenchSettings;
import io.starling.cli.bench.engine.BenchTls;
import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options every {@code bench} subcommand shares (a picocli mixin). {@code -h} is the host,
 * as in emqtt-bench and mosquitto_pub, so help is {@code --help} only; {@code -V} is the protocol
 * version.
 */
final class BenchOptions {
    @Option(names = {"-h", "--host"}, defaultValue = "localhost", paramLabel = "HOST", description = "Broker host (default: ${DEFAULT-VALUE}).")
    String host = "localhost";

    @Option(names = {"-p", "--port"}, defaultValue = "1883", paramLabel = "PORT", description = "Broker port (default: ${DEFAULT-VALUE}).")
    int port = 1883;

    @Option(names = {"-V", "--protocol-version"}, defaultValue = "mqttv311", paramLabel = "VERSION",
            converter = OptionConverters.VersionConverter.class,
            description = "MQTT version: mqttv5 (or 5), mqttv311 (or 311) or mqttv31 (or 31), as in mosquitto_pub"
                    + " (default: mqttv311).")
    MqttVersion version = MqttVersion.V3_1_1;

    @Option(names = {"-u", "--username"}, paramLabel = "USER", description = "User name.")
    @Nullable String username;

    @Option(names = {"-P", "--pw"}, paramLabel = "PASSWORD", description = "Password (needs -u).")
    @Nullable String password;

    @Option(names = {"-q", "--qos"}, defaultValue = "0", paramLabel = "QOS", converter = OptionConverters.QosConverter.class,
            description = "QoS 0, 1 or 2 of publishing and subscribing (default: 0; conn: unused).")
    QoS qos = QoS.AT_MOST_ONCE;

    @Option(names = "--client-prefix", defaultValue = "bench", paramLabel = "PREFIX",
            description = "Client identifiers are <prefix>-<run id>-<role><index> (default: ${DEFAULT-VALUE}).")
    String clientPrefix = "bench";

    @Option(names = "--threads", paramLabel = "N", description = "Event loop threads (default: available processors).")
    @Nullable Integer threads;

    @Option(names = "--duration", paramLabel = "TIME", converter = OptionConverters.DurationConverter.class,
            description = "How long to run after the warm-up: 500ms, 10s, 2m, 1h. "
                    + "pub, sub, pubsub: 10s unless --count is given; conn: until Ctrl-C.")
    @Nullable Duration duration;

    @Option(names = "--keepalive", defaultValue = "60", paramLabel = "SECONDS",
            description = "Keep alive of CONNECT in seconds, 0 for none (default: ${DEFAULT-VALUE}).")
    int keepAlive = 60;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "TIME", converter = OptionConverters.DurationConverter.class,
            description = "Traffic before the measured --duration that is not counted, in seconds or with a unit (default: 0; conn: unused).")
    Duration warmup = Duration.ZERO;

    @Option(names = "--persistent", description = "Subscribers connect with a persistent session (clean session 0), so that a"
            + " broker with persistence stores their messages; the sessions stay on the broker after the run.")
    boolean persistent;

    @Option(names = "--busy-poll", description = "Event loops poll their sockets without sleeping, each using a whole"
            + " core, so that latencies do not include the bench's own wake-ups (Linux epoll only).")
    boolean busyPoll;

    @Option(names = "--tls", description = "Connect with TLS (MQTT over TLS, usually port 8883), trusting the JVM's default CAs"
            + " unless --cafile is given; the broker's certificate must name --host.")
    boolean tls;

    @Option(names = "--cafile", paramLabel = "FILE", description = "Connect with TLS, trusting the CA certificates (PEM) in FILE,"
            + " as mosquitto_pub --cafile.")
    @Nullable Path caFile;

    @Option(names = "--json", description = "Also print the summary as one JSON object on one line of standard output.")
    boolean json;

    @Option(names = "--quiet", description = "No progress lines (they go to standard error, one a second).")
    boolean quiet;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    /** The settings these options describe; throws IllegalArgumentException for invalid values. */
    BenchSettings settings() {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), keepAlive, duration, warmup, !quiet, persistent,
                busyPoll, tls || caFile != null ? new BenchTls(caFile) : null);
    }
}
