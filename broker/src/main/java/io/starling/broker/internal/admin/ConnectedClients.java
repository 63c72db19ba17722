package io.starling.broker.internal.admin;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.starling.broker.admin.BrokerAdmin.ClientQuery;
import io.starling.broker.admin.BrokerAdmin.ClientSummary;
import io.starling.broker.admin.BrokerAdmin.Page;
import io.starling.broker.internal.protocol.Connection;
import io.starling.codec.wire.MqttVersion;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The connected clients: the open connections whose CONNECT was accepted (those still being
 * authenticated, or refused, are not clients yet). Read from any thread through what {@link
 * Connection} publishes for it ({@link Connection#connectedAtMillis} and what it guards, the
 * volatile user name and peer); closing one runs on its own event loop.
 */
final class ConnectedClients {
    private static final Comparator<ClientSummary> ORDER =
            Comparator.comparing(ClientSummary::clientId).thenComparingLong(ClientSummary::connectedAtMillis);

    private final ChannelGroup channels;

    ConnectedClients(ChannelGroup channels) {
        this.channels = channels;
    }

    /** Clients that match {@code query}, ordered by client identifier (then by when they connected). */
    Page<ClientSummary> clients(ClientQuery query, int offset, int limit) {
        List<ClientSummary> matching = new ArrayList<>();
        for (Connection connection : accepted()) {
            ClientSummary client = summary(connection);
            if (Pages.contains(client.clientId(), query.clientIdPart()) && Pages.contains(client.username(), query.usernamePart())
                    && Pages.contains(client.address(), query.addressPart())) {
                matching.add(client);
            }
        }
        matching.sort(ORDER);
        return Pages.of(matching, offset, limit);
    }

    /** The connection of {@code clientId}: the latest accepted, when a take-over briefly leaves two. */
    Optional<Connection> find(String clientId) {
        Connection found = null;
        for (Connection connection : accepted()) {
            if (connection.clientId().equals(clientId)
                    && (found == null || connection.connectedAtMillis() >= found.connectedAtMillis())) {
                found = connection;
            }
        }
        return Optional.ofNullable(found);
    }

    /** Closes every connection of {@code clientId} as an administrative action; false when there is none. */
    boolean disconnect(String clientId) {
        boolean any = false;
        for (Connection connection : accepted()) {
            if (connection.clientId().equals(clientId)) {
                connection.closeByAdministrator();
                any = true;
            }
        }
        return any;
    }

    /** Closes every client connection, telling 5.0 clients to use another server; returns how many. */
    int disconnectAllForLostMajority() {
        List<Connection> all = accepted();
        all.forEach(Connection::closeForLostMajority);
        return all.size();
    }

    /** How many clients are connected. */
    int count() {
        return accepted().size();
    }

    /** The client of {@code connection}, accepted. */
    static ClientSummary summary(Connection connection) {
        long connectedAt = connection.connectedAtMillis(); // first: it guards what follows
        return new ClientSummary(connection.clientId(), connection.username(), address(connection.peer().address()),
                protocol(connection.version()), connectedAt);
    }

    /** The protocol version as operators write it. */
    static String protocol(MqttVersion version) {
        return switch (version) {
            case V3_1 -> "3.1";
            case V3_1_1 -> "3.1.1";
            case V5 -> "5.0";
        };
    }

    /** {@code host:port}, the host as a literal address ({@code [v6]:port} for IPv6), never looked up. */
    static String address(InetSocketAddress address) {
        String host = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    private List<Connection> accepted() {
        List<Connection> accepted = new ArrayList<>();
        for (Channel channel : channels) {
            Connection connection = channel.isActive() ? channel.pipeline().get(Connection.class) : null;
            if (connection != null && connection.connectedAtMillis() != 0) {
                accepted.add(connection);
            }
        }
        return accepted;
    }
}
