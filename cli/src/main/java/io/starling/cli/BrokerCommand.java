package io.starling.cli;

import ch.qos.logback.classic.Level;
import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.config.ConfigLoader;
import io.starling.broker.spi.StoreException;
import io.starling.cluster.ClusterNode;
import io.starling.cluster.stack.ClusterTls;
import io.starling.http.HttpListener;
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

    @Option(names = "--http-port", description = "Start the HTTP listener (metrics, health, admin API, dashboard) on this"
            + " port, at the configuration's http.bind or 127.0.0.1 (default: the configuration's http block, or none).")
    @Nullable Integer httpPort;

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
        HttpListener http = null;
        Broker broker;
        try {
            // the HTTP listener first: its readiness probe says 503 while the store is read back
            if (brokerConfig.http() != null) {
                http = HttpListener.start(brokerConfig.http());
            }
            broker = Broker.start(brokerConfig);
        } catch (IOException | IllegalArgumentException | StoreException e) {
            if (http != null) {
                http.close();
            }
            System.err.println("starling broker: " + e.getMessage());
            return 1;
        }
        HttpListener httpListener = http;
        if (httpListener != null) {
            httpListener.attach(broker, () -> reload(broker, httpListener));
        }
        ClusterNode clusterNode = null;
        if (brokerConfig.cluster() != null) {
            // the listeners are open already: the broker serves its own clients while the cluster forms
            try {
                BrokerConfig.Storage storage = brokerConfig.storage();
                // the session owners' raft log lives beside the store (in memory when nothing is stored)
                clusterNode = ClusterNode.start(brokerConfig.cluster(), storage.persistence() ? storage.dataDir().resolve("raft") : null,
                        broker.cluster());
            } catch (Exception e) {
                System.err.println("starling broker: the cluster transport did not start: " + e.getMessage());
                broker.close();
                if (httpListener != null) {
                    httpListener.close();
                }
                return 1;
            }
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
        SignalHandler before = Signal.handle(new Signal("HUP"), signal -> {
            Logger log = LoggerFactory.getLogger(BrokerCommand.class);
            log.info("SIGHUP received, reloading {}", config == null ? "(no configuration file; certificates, password and ACL files only)" : config);
            try {
                reload(broker, httpListener);
            } catch (ConfigException | IllegalArgumentException e) {
                log.error("reload refused, nothing changed: {}", e.getMessage());
            } catch (RuntimeException e) {
                log.error("reload failed, nothing changed", e);
            }
        });
        if (before == SignalHandler.SIG_IGN) {
            // the JVM leaves a signal ignored at start ignored (nohup): say so rather than let reloads vanish
            LoggerFactory.getLogger(BrokerCommand.class).warn("SIGHUP is ignored by this process (started with nohup?): it"
                    + " will not reload the configuration; start it without nohup, or use POST /api/v1/reload on the HTTP listener");
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (trimmer != null) {
            trimmer.close();
        }
        if (httpListener != null) {
            httpListener.stopping();
        }
        if (clusterNode != null) {
            try {
                // leave first: the others drop this node's routes at once instead of after failure detection
                clusterNode.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        broker.close();
        if (httpListener != null) {
            httpListener.close();
        }
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
        BrokerConfig.Cluster cluster = brokerConfig.cluster();
        if (cluster != null && cluster.tls() != null) {
            try {
                ClusterTls.sslContext(cluster.tls());
            } catch (IllegalArgumentException e) {
                System.err.println("starling broker: " + e.getMessage());
                return 1;
            }
        }
        for (String warning : warnings) {
            System.out.println("warning: " + warning);
        }
        System.out.println((config == null ? "the embedded defaults are" : config + " is") + " valid");
        return 0;
    }

    /**
     * SIGHUP and {@code POST /api/v1/reload}: reads the configuration file again and hands it to the
     * running broker, which applies what can change live or keeps everything as it was; either way
     * the broker keeps running. The HTTP listener reads its password, token and TLS files again.
     * Returns the warnings (clear-text passwords); throws, changing nothing, on a problem.
     */
    private List<String> reload(Broker broker, @Nullable HttpListener http) throws ConfigException {
        BrokerConfig next = configuration();
        List<String> warnings = Broker.check(next);
        broker.reload(next);
        if (http != null) {
            http.reloadFiles();
        }
        return warnings;
    }

    private BrokerConfig configuration() throws ConfigException {
        BrokerConfig loaded = config != null ? ConfigLoader.load(config) : BrokerConfig.defaults();
        if (httpPort != null) {
            BrokerConfig.Http http = loaded.http();
            loaded = loaded.withHttp(http == null ? new BrokerConfig.Http(BrokerConfig.DEFAULT_BIND, httpPort, null, null, null, null)
                    : new BrokerConfig.Http(http.bind(), httpPort, http.tls(), http.passwordFile(), http.tokenFile(), http.allowAnonymous()));
        }
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
