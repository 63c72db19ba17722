package io.starling.broker.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.starling.broker.metrics.BrokerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a listener's server channel: it sees each accepted connection before the
 * connection is registered with a worker or given a pipeline, and closes at once those beyond the
 * {@link ConnectionLimits}, so that a flood costs an accept and a close each, nothing more.
 * Refusals are counted and logged at most once per {@link ThrottledLog#INTERVAL_NANOS}.
 */
final class ConnectionGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final ConnectionLimits.Listener limits;
    private final BrokerMetrics metrics;
    private final ThrottledLog refusals = new ThrottledLog(log);

    ConnectionGate(ConnectionLimits.Listener limits, BrokerMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Channel child)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ConnectionLimits.Refusal refusal = limits.admit();
        if (refusal == null) {
            child.closeFuture().addListener(closed -> limits.closed());
            ctx.fireChannelRead(child);
            return;
        }
        switch (refusal) {
            case RATE -> {
                metrics.connectionsRefusedByRate.increment();
                refusals.warn("connection from {} refused on {}: more than max_connection_rate {} a second",
                        child.remoteAddress(), ctx.channel().localAddress(), limits.maxConnectionRate());
            }
            case LISTENER_FULL -> {
                metrics.connectionsRefusedAtLimit.increment();
                refusals.warn("connection from {} refused on {}: the listener's max_connections of {} are open",
                        child.remoteAddress(), ctx.channel().localAddress(), limits.maxConnections());
            }
            case BROKER_FULL -> {
                metrics.connectionsRefusedAtLimit.increment();
                refusals.warn("connection from {} refused on {}: the broker's max_connections of {} are open",
                        child.remoteAddress(), ctx.channel().localAddress(), limits.brokerMaxConnections());
            }
        }
        // not registered with any event loop yet: closed here, as Netty's acceptor closes one it cannot register
        child.unsafe().closeForcibly();
    }
}
