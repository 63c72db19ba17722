package io.starling.cli.client;

import io.starling.broker.Broker;
import io.starling.broker.BrokerInternals;
import io.starling.broker.internal.session.Session;
import java.util.concurrent.atomic.AtomicBoolean;

/** What a test broker routes where: the sign that a sub process has subscribed. */
final class Routes {
    private Routes() {}

    /** Whether {@code broker} routes a message on {@code topic} to the session of {@code clientId}. */
    static boolean routesTo(Broker broker, String topic, String clientId) {
        AtomicBoolean found = new AtomicBoolean();
        BrokerInternals.router(broker).subscriptions().match(topic, (subscriber, qos) -> {
            if (subscriber instanceof Session session && session.clientId().equals(clientId)) {
                found.set(true);
            }
        });
        return found.get();
    }
}
