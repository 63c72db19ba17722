package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.codec.packet.Packet;
import io.starling.codec.wire.MqttVersion;

/** The network connection a session is attached to, as the session sees it. */
public interface ClientConnection {
    /** Writes {@code packet} without flushing; the session flushes once per batch. */
    void send(Packet packet);

    /** Flushes what {@link #send} wrote since the last flush. */
    void flush();

    /** Whether the connection takes more writes without queueing them in memory. */
    boolean isWritable();

    /**
     * Stops reading from the client until {@code full} is no longer congested: what the client
     * publishes would overflow that subscriber's queue. Does nothing while already held back.
     */
    void holdBackUntilDrained(Subscriber full);

    /** Reads from the client again if it was held back; called when its own session's queue fills. */
    void stopHoldingBack();

    /** The protocol version the client connected with. */
    MqttVersion version();

    /** The event loop of the connection: the session moves there while attached. */
    EventExecutor eventLoop();

    /** Closes the connection because another connection took its client identifier over [MQTT-3.1.4-2]. */
    void closeForTakeOver();

    /** Closes the connection because the store failed to keep what it would have acknowledged. */
    void closeForStoreFailure(String reason);
}
