package io.starling.client;

import io.starling.codec.packet.Packet;

/**
 * Sees every packet the client sends and receives, for debugging output such as {@code
 * starling pub -d}. It runs on the client's I/O thread, in wire order, so it must be quick and must
 * not block or call the client. A PUBLISH's payload is valid only during the call.
 */
public interface PacketTracer {
    /** {@code packet} is about to be written. */
    default void sent(Packet packet) {}

    /** {@code packet} was read from the server. */
    default void received(Packet packet) {}
}
