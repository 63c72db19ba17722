package io.starling.client;

/**
 * A publish was refused because the buffer of messages waiting to be sent (while offline, or while
 * the in-flight window is full) already holds {@link MqttClientBuilder#maxBufferedMessages}.
 */
public final class MessageBufferFullException extends MqttClientException {
    private static final long serialVersionUID = 1L;

    public MessageBufferFullException(int limit) {
        super("the client's buffer of unsent messages is full (" + limit
                + " messages); the server is unreachable or slower than the publisher");
    }
}
