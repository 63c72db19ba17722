package io.starling.broker.internal.session;

import io.netty.util.concurrent.EventExecutor;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.model.Message;
import io.starling.codec.packet.Packet;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import org.jspecify.annotations.Nullable;

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

    /**
     * Sends {@code message} as a PUBLISH with these delivery fields, in the client's protocol
     * version (with its properties, remaining expiry, subscription identifiers and a topic alias
     * in 5.0); false, sending nothing, when the packet would exceed the client's Maximum Packet
     * Size [MQTT-3.1.2-24].
     */
    boolean publish(Message message, QoS qos, boolean dup, boolean retain, int packetId, int[] subscriptionIds);

    /** Whether {@code message} fits the client's Maximum Packet Size (always in 3.1.1). */
    boolean fits(Message message, int[] subscriptionIds);

    /**
     * How many QoS 1 and 2 messages may be in flight to the client: the broker's {@code
     * max_inflight_messages}, and at most the client's Receive Maximum [MQTT-3.3.4-9].
     */
    int sendWindow();

    /**
     * Takes the connection's will (and its delay) out, so that it is published at most once:
     * null when it has none, or its DISCONNECT discarded it.
     */
    Session.@Nullable PendingWill takeWill();

    /** The protocol version the client connected with. */
    MqttVersion version();

    /** The event loop of the connection: the session moves there while attached. */
    EventExecutor eventLoop();

    /**
     * Closes the connection for a protocol violation found by a flow: a 5.0 client is sent
     * DISCONNECT with {@code reasonCode} first [MQTT-4.13.1-1].
     */
    void disconnect(ReasonCode reasonCode, String reason);

    /**
     * Runs {@code then} once the connection is closed and its session was told so (at once if it
     * is already): any thread.
     */
    void whenClosed(Runnable then);

    /** Closes the connection because another connection took its client identifier over [MQTT-3.1.4-2]. */
    void closeForTakeOver();

    /** Closes the connection because the store failed to keep what it would have acknowledged. */
    void closeForStoreFailure(String reason);
}
