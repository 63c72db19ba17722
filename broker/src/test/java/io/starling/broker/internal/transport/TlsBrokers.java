package io.starling.broker.internal.transport;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.internal.protocol.Connection;
import io.starling.broker.internal.protocol.Peer;
import io.starling.broker.internal.session.Session;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/** Brokers with one TLS listener on an ephemeral loopback port, and what a TLS test asks of them. */
final class TlsBrokers {
    private TlsBrokers() {
    }

    /** An in-memory broker with one listener on 127.0.0.1, TLS as {@code tls} says. */
    static Broker start(BrokerConfig.Tls tls) throws IOException {
        return Broker.start(BrokerConfig.defaults().inMemory()
                .withListeners(List.of(new BrokerConfig.Listener("127.0.0.1", 0).withTls(tls))));
    }

    /** The peer the broker knows for the connected client {@code clientId}. */
    static Peer peer(Broker broker, String clientId) {
        Session session = Objects.requireNonNull(BrokerInternals.sessions(broker).store().get(clientId), clientId);
        return ((Connection) Objects.requireNonNull(session.connection(), clientId)).peer();
    }
}
