package io.starling.broker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.spi.Persistence;
import io.starling.broker.spi.PersistenceProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The broker module alone has no durable store: with persistence on it keeps memory only, and says so. */
class InMemoryWithoutStorePluginTest {
    private final Logger brokerLog = (Logger) LoggerFactory.getLogger(Broker.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private @Nullable Level levelBefore;

    @BeforeEach
    void listen() {
        levelBefore = brokerLog.getLevel();
        brokerLog.setLevel(Level.INFO);
        logged.start();
        brokerLog.addAppender(logged);
    }

    @AfterEach
    void stopListening() {
        brokerLog.detachAppender(logged);
        brokerLog.setLevel(levelBefore);
    }

    @Test
    @DisplayName("no store plug-in on the class path: persistence on falls back to memory, with one INFO line naming the plug-in")
    void inMemoryWithInfoLine(@TempDir Path dir) throws Exception {
        assertThat(ServiceLoader.load(PersistenceProvider.class).iterator().hasNext()).isFalse();
        Path data = dir.resolve("data");
        BrokerConfig defaults = BrokerConfig.defaults();
        BrokerConfig config = defaults.onLoopback().withStorage(defaults.storage().onDisk(data, defaults.storage().fsync()));
        assertThat(config.storage().persistence()).isTrue();

        try (Broker broker = Broker.start(config)) {
            assertThat(broker.persistence()).isSameAs(Persistence.NONE);
        }

        assertThat(Files.exists(data)).isFalse();
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel() == Level.INFO && e.getFormattedMessage().contains("no durable store on the class path"))
                .singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("io.starling:starling-store-rocksdb", "in memory only"));
    }

    @Test
    @DisplayName("persistence off: memory only, and no word about a missing plug-in")
    void persistenceOffSaysNothing() throws Exception {
        BrokerConfig defaults = BrokerConfig.defaults();
        BrokerConfig config = defaults.onLoopback().withStorage(defaults.storage().inMemory());
        try (Broker broker = Broker.start(config)) {
            assertThat(broker.persistence()).isSameAs(Persistence.NONE);
        }
        assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().contains("no durable store"));
    }
}
