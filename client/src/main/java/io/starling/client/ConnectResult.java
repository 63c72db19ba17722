package io.starling.client;

import io.starling.codec.packet.ReasonCode;

/**
 * The server's answer to a successful CONNECT.
 *
 * @param sessionPresent the server resumed a session it held for this client id (always false
 *     for a clean session, and in MQTT 3.1, which has no such flag)
 * @param reasonCode {@link ReasonCode#SUCCESS}; a refusal fails the connect future instead
 */
public record ConnectResult(boolean sessionPresent, ReasonCode reasonCode) {}
