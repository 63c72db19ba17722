package io.starling.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code starling broker}. Its options are those Mosquitto users know; the broker itself is built
 * by the broker-core issue, so until then the command says so and exits with status 2.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Start an MQTT broker (default 127.0.0.1:1883, embedded defaults).")
final class BrokerCommand implements Callable<Integer> {
    /** Exit status while the broker is not part of the build. */
    static final int NOT_AVAILABLE = 2;

    @Option(names = {"-p", "--port"}, description = "Port to listen on (default: ${DEFAULT-VALUE}).", defaultValue = "1883")
    int port;

    @Option(names = {"-b", "--bind"}, description = "Address to bind (default: ${DEFAULT-VALUE}).", defaultValue = "127.0.0.1")
    String bind = "127.0.0.1";

    @Option(names = {"-c", "--config"}, description = "YAML configuration file.")
    @Nullable Path config;

    @Option(names = {"-v", "--verbose"}, description = "Log packet traces.")
    boolean verbose;

    @Override
    public Integer call() {
        System.err.println("starling broker: the broker is not in this build yet; only the MQTT codec is."
                + " It would listen on " + bind + ":" + port + ".");
        return NOT_AVAILABLE;
    }
}
