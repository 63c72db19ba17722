package io.starling.client.internal;

import io.netty.util.concurrent.Future;
import io.starling.codec.packet.Packet;

/** What the flows need of the connection: whether it is up, and a way to send. */
public interface Wire {
    /** Whether a connection is open and its CONNACK accepted. */
    boolean ready();

    /** Whether the socket can take more without its buffer growing past Netty's high-water mark. */
    boolean writable();

    /** Encodes and writes {@code packet} on the current connection; a flush follows soon. */
    Future<Void> send(Packet packet);

    /** The size {@code packet} has on the wire, fixed header included. */
    int encodedSize(Packet packet);

    /** A number that changes whenever the server starts a new session for this client. */
    long sessionEpoch();

    /** The connection broke the protocol: close it, in 5.0 with a DISCONNECT carrying {@code code}. */
    void protocolError(io.starling.codec.packet.ReasonCode code, String reason);
}
