package io.starling.cli.bench.engine;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench conn}: open N connections and hold them.
 *
 * @param settings the common settings; without a duration, connections are held until Ctrl-C
 *     ({@link ConnBench#stop()})
 * @param connections connections to open
 * @param rate connections opened per second, 0 for as fast as possible
 * @param sourceAddresses local addresses the connections are bound to in turn (round robin), so
 *     that more connections can be made than one address has ephemeral ports (about 28 k on
 *     Linux); empty to let the system choose
 */
public record ConnOptions(BenchSettings settings, int connections, double rate, List<InetAddress> sourceAddresses) {
    public ConnOptions {
        PubSubOptions.require(connections >= 1, "connections (-c) are 1 or more, not " + connections);
        PubSubOptions.require(rate >= 0 && Double.isFinite(rate), "the rate is 0 (as fast as possible) or more, not " + rate);
        sourceAddresses = List.copyOf(sourceAddresses);
    }

    /** Options that let the system choose each connection's local address. */
    public ConnOptions(BenchSettings settings, int connections, double rate) {
        this(settings, connections, rate, List.of());
    }

    /**
     * The addresses of {@code --source-address} values, each a literal IPv4 or IPv6 address: a
     * host name is refused rather than looked up, so that a typo does not wait on DNS or bind to
     * whatever the name resolves to.
     *
     * @throws IllegalArgumentException naming the first value that is not an IP address
     */
    public static List<InetAddress> parseSourceAddresses(List<String> values) {
        List<InetAddress> addresses = new ArrayList<>(values.size());
        for (String value : values) {
            String literal = value.trim();
            InetAddress address = NetUtil.createInetAddressFromIpAddressString(literal);
            if (address == null) {
                throw new IllegalArgumentException("--source-address takes IP addresses such as 127.0.0.2, not '" + value + "'");
            }
            addresses.add(address);
        }
        return addresses;
    }
}
