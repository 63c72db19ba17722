package io.starling.client;

import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the client connects: the configured server, or (MQTT 5.0, when {@code
 * followServerRedirects} is on) the one a Server Reference names. 0x9D Server moved is for good:
 * every later connection goes there; 0x9C Use another server is for the next connection only.
 * A reference is {@code host}, {@code host:port} or {@code [IPv6]:port}; of a space-separated
 * list the first is taken. At most {@link #MAX_HOPS} redirects in a row are followed, so two
 * servers pointing at each other cannot keep the client going round. Confined to the I/O thread.
 */
final class Redirection {
    private static final Logger log = LoggerFactory.getLogger(Redirection.class);
    static final int MAX_HOPS = 5;

    private final MqttClientConfig config;
    private String host;
    private int port;
    private String homeHost;
    private int homePort;
    private boolean pending;
    private int hops;

    Redirection(MqttClientConfig config) {
        this.config = config;
        this.host = config.host();
        this.port = config.port();
        this.homeHost = host;
        this.homePort = port;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** The server connected to, for messages: {@code host:port}. */
    String target() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * A CONNACK or DISCONNECT said {@code code}: when it is a redirect to follow, the next
     * connection goes to its Server Reference, and this says true.
     */
    boolean follow(ReasonCode code, Properties properties) {
        if (!config.version().isV5() || !config.mqtt5().followRedirects()
                || (code != ReasonCode.USE_ANOTHER_SERVER && code != ReasonCode.SERVER_MOVED)) {
            return false;
        }
        Optional<String> reference = properties.string(PropertyId.SERVER_REFERENCE);
        if (reference.isEmpty() || reference.get().isBlank()) {
            return false;
        }
        if (hops >= MAX_HOPS) {
            log.warn("not following the redirect to {}: {} redirects in a row already", reference.get(), hops);
            return false;
        }
        String trimmed = reference.get().trim();
        int space = trimmed.indexOf(' ');
        String first = space < 0 ? trimmed : trimmed.substring(0, space);
        String toHost = first;
        int toPort = config.port();
        int colon = first.lastIndexOf(':');
        if (first.startsWith("[")) {
            int close = first.indexOf(']');
            toHost = first.substring(1, Math.max(1, close));
            if (close > 0 && colon > close) {
                toPort = parsePort(first.substring(colon + 1), toPort);
            }
        } else if (colon > 0 && first.indexOf(':') == colon) {
            toHost = first.substring(0, colon);
            toPort = parsePort(first.substring(colon + 1), toPort);
        }
        hops++;
        host = toHost;
        port = toPort;
        if (code == ReasonCode.SERVER_MOVED) {
            homeHost = toHost;
            homePort = toPort;
        }
        pending = true;
        return true;
    }

    /** Whether a redirect waits to be followed; taking it clears it. */
    boolean takePending() {
        boolean was = pending;
        pending = false;
        return was;
    }

    /** A connection was accepted: the chain of redirects ended. */
    void connected() {
        hops = 0;
    }

    /** An accepted connection was lost: a 0x9C redirect held for it alone. */
    void connectionLost() {
        host = homeHost;
        port = homePort;
    }

    private static int parsePort(String text, int otherwise) {
        try {
            int p = Integer.parseInt(text);
            return p >= 1 && p <= 65_535 ? p : otherwise;
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
