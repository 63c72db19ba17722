package io.starling.client.internal;

import io.starling.codec.packet.ConnAck;
import java.net.ConnectException;
import org.jspecify.annotations.Nullable;

/** The words for why a connection failed, as the client's exceptions say them. */
public final class Failures {
    private Failures() {}

    /** A network error in a few words: "connection refused", or the exception's own message. */
    public static String networkReason(@Nullable Throwable cause) {
        if (cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause == null) {
            return "unknown error";
        }
        return message(cause);
    }

    /** The exception's message, or its class's name when it has none. */
    public static String message(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    /** A refusing CONNACK in the words of its 3.1.1 return code, as mosquitto says them. */
    public static String refusal(ConnAck ack) {
        return switch (ack.reasonCode().v3ConnectReturnCode()) {
            case 1 -> "Connection Refused: unacceptable protocol version";
            case 2 -> "Connection Refused: identifier rejected";
            case 3 -> "Connection Refused: broker unavailable";
            case 4 -> "Connection Refused: bad user name or password";
            case 5 -> "Connection Refused: not authorised";
            default -> "Connection Refused: " + ack.reasonCode();
        };
    }
}
