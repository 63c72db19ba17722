package io.starling.client;

/**
 * The connection ended, no reconnect was to follow, and the operation had not completed: a
 * publish not acknowledged, a SUBSCRIBE or UNSUBSCRIBE not answered. The cause says why the
 * connection ended.
 */
public final class ConnectionLostException extends MqttClientException {
    private static final long serialVersionUID = 1L;

    public ConnectionLostException(Throwable cause) {
        super("the connection was lost: " + cause.getMessage(), cause);
    }
}
