package io.starling.broker.internal.transport;

import io.netty.handler.ssl.SslContext;
import io.starling.broker.config.BrokerConfig;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Where a TLS listener's connections get their {@link SslContext}: asked once per listener when it
 * is bound, and the supplier it gives once per connection, so that a context reloaded meanwhile
 * (new certificates) serves the connections after it.
 */
@FunctionalInterface
public interface ServerSslContexts {
    /** No TLS available: binding a TLS listener fails. */
    ServerSslContexts NONE = listener -> null;

    /** The contexts of {@code listener}, which has {@code tls} set; null when there are none. */
    @Nullable Supplier<SslContext> forListener(BrokerConfig.Listener listener);
}
