package io.starling.broker;

import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.transport.ServerSslContexts;
import java.io.IOException;

/**
 * Starts a broker whose TLS listeners take their contexts from a test (a certificate the test
 * made) rather than from the configured files: for transport tests that need TLS under them
 * (wss, PROXY protocol before TLS). For tests only (it ships in the broker's test jar).
 */
public final class BrokerWithTls {
    private BrokerWithTls() {}

    public static Broker start(BrokerConfig config, ServerSslContexts tls) throws IOException {
        return Broker.start(config, java.util.List.of(), tls);
    }
}
