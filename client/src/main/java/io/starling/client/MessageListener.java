package io.starling.client;

/**
 * Receives the messages of a subscription, or every message when registered as the client's
 * global listener. It runs on the client's callback executor ({@link
 * MqttClientBuilder#callbackExecutor}), never on the I/O thread, one message at a time and in the
 * order the server sent them. A QoS 1 or 2 message is acknowledged to the server after the
 * listener returns, so a message whose listener never ran is delivered again on a persistent
 * session. An exception thrown by the listener is logged; the message is still acknowledged.
 */
@FunctionalInterface
public interface MessageListener {
    void onMessage(MqttMessage message);
}
