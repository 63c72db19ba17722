package io.starling.cli.bench.engine;

/**
 * One broker a bench connects to: {@code host:port}, an IPv6 address in brackets
 * ({@code [::1]:1883}).
 *
 * @param host host name or address, without brackets
 * @param port 1 to 65535
 */
public record BrokerAddress(String host, int port) {

    public BrokerAddress {
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host must not be empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("the port is 1 to 65535, not " + port);
        }
    }

    /** {@code host:port} or {@code [v6-address]:port}; throws IllegalArgumentException for anything else. */
    public static BrokerAddress parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("a broker is HOST:PORT, not '" + text + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("an IPv6 broker address goes in brackets: [ADDRESS]:PORT, not '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a broker is HOST:PORT, not '" + text + "'", e);
        }
        return new BrokerAddress(host, port);
    }

    /** {@code host:port}, with brackets around an IPv6 address, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
