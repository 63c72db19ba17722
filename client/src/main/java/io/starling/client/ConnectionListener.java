package io.starling.client;

/**
 * Told when the client's connection comes and goes, including automatic reconnects. Runs on the
 * client's callback executor.
 */
public interface ConnectionListener {
    /** The server accepted a connection (the first one or a reconnect). */
    default void connected(ConnectResult result) {}

    /**
     * The connection ended. {@code willReconnect} says whether the client will try again by itself;
     * {@code cause} says why it ended (a {@link MqttClientException} for protocol errors).
     */
    default void disconnected(Throwable cause, boolean willReconnect) {}
}
