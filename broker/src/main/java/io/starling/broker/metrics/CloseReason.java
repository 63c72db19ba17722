package io.starling.broker.metrics;

/** Why a client's connection ended; each closed connection is counted under exactly one. */
public enum CloseReason {
    /** The client sent DISCONNECT. */
    CLIENT_DISCONNECT("client_disconnect"),
    /** The connection ended without DISCONNECT: the client closed its socket, a network or I/O error. */
    CONNECTION_LOST("connection_lost"),
    /** Nothing came from the client within 1.5 times its keep alive [MQTT-3.1.2-22]. */
    KEEP_ALIVE_TIMEOUT("keep_alive_timeout"),
    /** No CONNECT came within the time the broker waits for one after the socket opened. */
    CONNECT_TIMEOUT("connect_timeout"),
    /** The client broke the protocol: a malformed packet, an unexpected packet, a limit it had to respect. */
    PROTOCOL_ERROR("protocol_error"),
    /** A new connection with the same client identifier took the session over. */
    TAKEN_OVER("taken_over"),
    /**
     * The CONNECT was refused (bad credentials, not authorized, an invalid client identifier, a
     * will the broker cannot keep, a redirection), or a re-authentication failed.
     */
    REFUSED("refused"),
    /** An operator disconnected the client (the admin API). */
    ADMINISTRATIVE("administrative"),
    /** The broker is stopping. */
    SHUTDOWN("shutdown"),
    /** The store failed to keep what the client's session needed. */
    STORE_FAILURE("store_failure"),
    /** A subscriber whose queue stayed full for {@code stuck_client_timeout}. */
    STUCK_CLIENT("stuck_client");

    private final String label;

    CloseReason(String label) {
        this.label = label;
    }

    /** The reason as a metric label value: lower case, words joined by {@code _}. */
    public String label() {
        return label;
    }
}
