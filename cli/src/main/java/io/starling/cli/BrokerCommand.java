package io.starling.cli;

import ch.qos.logback.classic.Level;
import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.config.ConfigLoader;
import io.starling.broker.spi.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code starling broker}: runs a broker until SIGTERM or SIGINT, then shuts it down cleanly and
 * exits 0. The options mean what they mean to Mosquitto users: {@code -p} and {@code -b} override
 * the listener of the configuration (or of the embedded defaults, 127.0.0.1:1883).
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = "Start an MQTT broker (default 127.0.0.1:1883, embedded defaults).")
final class BrokerCommand implements Callable<Integer> {
    /** How often the native heap trimmer looks at the broker's activity. */
    private static final long TRIM_PERIOD_MILLIS = 500;

    @Option(names = {"-p", "--port"}, description = "Port to listen on (default: 1883, or the configuration's).")
    @Nullable Integer port;

    @Option(names = {"-b", "--bind"}, description = "Address to bind (default: 127.0.0.1, or the configuration's).")
    @Nullable String bind;

    @Option(names = {"-c", "--config"}, description = "YAML configuration file (see the README for every key).")
    @Nullable Path config;

    @Option(names = {"-v", "--verbose"}, description = "Log packet traces (DEBUG).")
    boolean verbose;

    @Option(names = "--check-config", description = "Check the configuration and every file it names (password file,"
            + " ACL file, certificates), print any problem, and exit 0 if it is valid or 1 if not, without starting.")
    boolean checkConfig;

    @Option(names = "--trim-native-heap", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Give the C library's free memory back to the system when the broker goes quiet"
                    + " after a burst (default: on).")
    boolean trimNativeHeap;

    @Override
    public Integer call() {
        if (verbose) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.starling")).setLevel(Level.DEBUG);
        }
        BrokerConfig brokerConfig;
        try {
            brokerConfig = configuration();
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("starling broker: " + e.getMessage());
            return 1;
        }
        if (checkConfig) {
            return check(brokerConfig);
        }
        Broker broker;
        try {
            broker = Broker.start(brokerConfig);
        } catch (IOException | IllegalArgumentException | StoreException e) {
            System.err.println("starling broker: " + e.getMessage());
            return 1;
        }
        NativeHeapTrimmer trimmer = trimNativeHeap
                ? new NativeHeapTrimmer(NativeHeapTrimmer.activityOf(broker.metrics()), NativeHeapTrimmer::trimThroughJvm)
                        .start(TRIM_PERIOD_MILLIS)
                : null;
        CountDownLatch stopped = new CountDownLatch(1);
        SignalHandler stop = signal -> {
            LoggerFactory.getLogger(BrokerCommand.class).info("SIG{} received, shutting down", signal.getName());
            stopped.countDown();
        };
        Signal.handle(new Signal("TERM"), stop);
        Signal.handle(new Signal("INT"), stop);
        Signal.handle(new Signal("HUP"), signal -> reload(broker));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (trimmer != null) {
            trimmer.close();
        }
        broker.close();
        return 0;
    }

    /** {@code --check-config}: everything a start would read, read and checked; nothing opened. */
    private int check(BrokerConfig brokerConfig) {
        List<String> warnings;
        try {
            warnings = Broker.check(brokerConfig);
        } catch (ConfigException e) {
            System.err.println("starling broker: " + e.getMessage());
            return 1;
        }
        for (String warning : warnings) {
            System.out.println("warning: " + warning);
        }
        System.out.println((config == null ? "the embedded defaults are" : config + " is") + " valid");
        return 0;
    }

    /**
     * SIGHUP: reads the configuration file again and hands it to the running broker, which applies
     * what can change live or keeps everything as it was; either way the broker keeps running.
     */
    private void reload(Broker broker) {
        Logger log = LoggerFactory.getLogger(BrokerCommand.class);
        log.info("SIGHUP received, reloading {}", config == null ? "(no configuration file; certificates, password and ACL files only)" : config);
        try {
            broker.reload(configuration());
        } catch (ConfigException | IllegalArgumentException e) {
            log.error("reload refused, nothing changed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("reload failed, nothing changed", e);
        }
    }

    private BrokerConfig configuration() throws ConfigException {
        BrokerConfig loaded = config != null ? ConfigLoader.load(config) : BrokerConfig.defaults();
        if (port == null && bind == null) {
            return loaded;
        }
        BrokerConfig.Listener first = loaded.listeners().get(0);
        BrokerConfig.Listener listener = new BrokerConfig.Listener(
                bind != null ? bind : first.bind(), port != null ? port : first.port());
        BrokerConfig overridden = loaded.withListeners(List.of(listener));
        String violation = overridden.securityViolation();
        if (violation != null) {
            throw new IllegalArgumentException(violation);
        }
        return overridden;
    }
}
