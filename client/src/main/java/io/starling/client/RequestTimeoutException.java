package io.starling.client;

/** No response to a {@link MqttClient#request} came within its timeout. */
public final class RequestTimeoutException extends MqttClientException {
    private static final long serialVersionUID = 1L;

    public RequestTimeoutException(String message) {
        super(message);
    }
}
