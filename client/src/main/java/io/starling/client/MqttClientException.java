package io.starling.client;

/**
 * Why an operation of the client failed: the connection was refused or lost, the client is
 * closed, a buffer is full, or the server broke the protocol. Futures fail with it (or a
 * subclass); the blocking facade throws it.
 */
public class MqttClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MqttClientException(String message) {
        super(message);
    }

    public MqttClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
