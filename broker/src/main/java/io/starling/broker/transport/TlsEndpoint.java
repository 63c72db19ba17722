package io.starling.broker.transport;

import io.netty.channel.Channel;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.internal.transport.ServerTls;
import io.starling.broker.metrics.BrokerMetrics;

/**
 * TLS for a listener that is not one of the broker's MQTT listeners (the HTTP listener): the same
 * {@code tls:} block, read, checked and reloaded exactly as an MQTT listener's, and counted in the
 * same metrics.
 */
public final class TlsEndpoint {
    private final ServerTls tls;

    private TlsEndpoint(ServerTls tls) {
        this.tls = tls;
    }

    /** Reads and checks every file {@code config} names. */
    public static TlsEndpoint load(BrokerConfig.Tls config, BrokerMetrics metrics) throws ConfigException {
        return new TlsEndpoint(ServerTls.load(config, metrics));
    }

    /** Checks {@code config} without starting anything ({@code --check-config}). */
    public static void check(BrokerConfig.Tls config) throws ConfigException {
        ServerTls.check(config);
    }

    /** Puts TLS at the head of a newly accepted {@code channel}'s pipeline. */
    public void addHandlers(Channel channel) {
        tls.addHandlers(channel);
    }

    /** Reads the files again for the next handshakes; on a problem the ones in use stay and it is thrown. */
    public void reload() throws ConfigException {
        tls.reload();
    }
}
