package io.starling.broker.conformance;

import io.starling.broker.Broker;
import io.starling.broker.config.BrokerConfig;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh broker for each test of a class ({@code @RegisterExtension}), started with {@link
 * Brokers#config()} changed by the class's customisation and closed after the test; a test may
 * restart it with another configuration, or stop it itself.
 */
final class LiveBroker implements BeforeEachCallback, AfterEachCallback {
    private final UnaryOperator<BrokerConfig> customize;
    private Broker broker;

    LiveBroker() {
        this(UnaryOperator.identity());
    }

    LiveBroker(UnaryOperator<BrokerConfig> customize) {
        this.customize = customize;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        broker = Brokers.start(customize);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stop();
    }

    Broker broker() {
        return broker;
    }

    int port() {
        return broker.port();
    }

    /** Closes the broker and starts a fresh one with {@link Brokers#config()} changed by {@code config}. */
    void restart(UnaryOperator<BrokerConfig> config) {
        stop();
        broker = Brokers.start(config);
    }

    /** Closes the broker, if it runs. */
    void stop() {
        if (broker != null) {
            broker.close();
            broker = null;
        }
    }
}
