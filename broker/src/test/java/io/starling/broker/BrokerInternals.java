package io.starling.broker;

import io.starling.broker.internal.routing.Router;
import io.starling.broker.internal.session.SessionRegistry;

/**
 * The internals a test looks into, which the embedding API does not expose: the session registry
 * and the router of a running broker. For tests only (it ships in the broker's test jar).
 */
public final class BrokerInternals {
    private BrokerInternals() {}

    public static SessionRegistry sessions(Broker broker) {
        return broker.sessions();
    }

    public static Router router(Broker broker) {
        return broker.router();
    }
}
