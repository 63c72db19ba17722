package io.starling.broker.conformance;

import static org.awaitility.Awaitility.await;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.session.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/** Embedded brokers for the conformance tests: loopback, ephemeral port. */
final class Brokers {
    private Brokers() {}

    /**
     * The defaults on 127.0.0.1 and a free port, persistence on as by default, in a new store
     * directory under target/ (so that every broker starts empty and {@code mvn clean} removes it).
     */
    static BrokerConfig config() {
        BrokerConfig defaults = BrokerConfig.defaults();
        return defaults.onLoopback()
                .withStorage(defaults.storage().onDisk(newDataDir(), defaults.storage().fsync()));
    }

    /** A directory that does not exist yet, for a new store. */
    static Path newDataDir() {
        return Path.of("target", "test-data", UUID.randomUUID().toString());
    }

    static Broker start() {
        return start(UnaryOperator.identity());
    }

    /** Starts a broker with {@link #config()} changed by {@code customize}. */
    static Broker start(UnaryOperator<BrokerConfig> customize) {
        try {
            return Broker.start(customize.apply(config()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits until the broker has detached the session of {@code clientId} from its closed
     * connection, so that what is published next is queued for the offline session rather than
     * written to the dead connection. The check runs as a task in the session's own mailbox,
     * after the detach task the closing connection submitted.
     */
    static void awaitOffline(Broker broker, String clientId) {
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).until(() -> {
            Session session = BrokerInternals.sessions(broker).store().get(clientId);
            if (session == null) {
                return true;
            }
            CompletableFuture<Boolean> offline = new CompletableFuture<>();
            session.submit(() -> offline.complete(session.connection() == null));
            return offline.get(1, TimeUnit.SECONDS);
        });
    }
}
