package io.starling.http.server;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * What an endpoint answers: a status and a body of a content type, or {@link #STREAMING} when the
 * endpoint writes the response itself, over time (Server-Sent Events).
 *
 * @param cacheSeconds how long a browser may keep the body; 0: not at all
 */
public record Reply(HttpResponseStatus status, String contentType, byte[] body, int cacheSeconds) {
    /** The endpoint took the connection over and writes the response itself. */
    public static final Reply STREAMING = new Reply(HttpResponseStatus.OK, "", new byte[0], 0);

    /** {@code value} as JSON with status 200. */
    public static Reply json(@Nullable Object value) {
        return json(HttpResponseStatus.OK, value);
    }

    public static Reply json(HttpResponseStatus status, @Nullable Object value) {
        return new Reply(status, "application/json; charset=utf-8", Json.bytes(value), 0);
    }

    /** No body (204). */
    public static Reply noContent() {
        return new Reply(HttpResponseStatus.NO_CONTENT, "", new byte[0], 0);
    }

    public static Reply text(HttpResponseStatus status, String contentType, String body) {
        return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8), 0);
    }

    /** {@code {"error": message}} with {@code status}. */
    public static Reply error(HttpResponseStatus status, String message) {
        return json(status, java.util.Map.of("error", message));
    }
}
