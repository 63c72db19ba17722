package io.starling.broker.protocol;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive: a connection must send CONNECT within {@link #CONNECT_TIMEOUT_SECONDS}; after that,
 * a client with a non-zero keep alive that sends nothing for one and a half times it is
 * disconnected [MQTT-3.1.2-24]. Both are one reader-idle timer in the pipeline; the idle event
 * reaches {@link Connection}, which closes the connection (publishing the will).
 */
public final class KeepAlive {
    /** How long a new connection may take to send its CONNECT. */
    public static final int CONNECT_TIMEOUT_SECONDS = 10;
    static final String HANDLER = "keep-alive";

    private KeepAlive() {}

    /** The timer of a new connection, waiting for CONNECT. */
    public static IdleStateHandler awaitingConnect() {
        return new IdleStateHandler(CONNECT_TIMEOUT_SECONDS, 0, 0, TimeUnit.SECONDS);
    }

    /** Replaces the CONNECT timer with the client's keep alive, or removes it when that is 0. */
    static void arm(ChannelPipeline pipeline, int keepAliveSeconds) {
        if (keepAliveSeconds == 0) {
            pipeline.remove(HANDLER);
        } else {
            long millis = keepAliveSeconds * 1500L;
            pipeline.replace(HANDLER, HANDLER, new IdleStateHandler(millis, 0, 0, TimeUnit.MILLISECONDS));
        }
    }
}
