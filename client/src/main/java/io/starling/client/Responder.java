package io.starling.client;

import org.jspecify.annotations.Nullable;

/** Answers one request (see {@link MqttClient#respond}); runs on the callback executor. */
@FunctionalInterface
public interface Responder {
    /** The response's payload, or null to send no response. */
    byte @Nullable [] respond(MqttMessage request);
}
