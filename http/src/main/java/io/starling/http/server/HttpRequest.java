package io.starling.http.server;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP request, read whole.
 *
 * @param segments the path's segments, each percent-decoded on its own (so {@code %2F} stays inside its segment)
 * @param query the query's parameters, decoded; the first value of each
 * @param user who the request was authenticated as; null when it was let in without credentials
 * @param channel the connection, for replies that stream
 */
public record HttpRequest(HttpMethod method, String path, List<String> segments, Map<String, String> query,
        HttpHeaders headers, byte[] body, @Nullable String user, Channel channel) {

    /** The query parameter {@code name}, or null when absent or empty. */
    public @Nullable String param(String name) {
        String value = query.get(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /** The query parameter {@code name} as a whole number from {@code min} to {@code max}, or {@code otherwise} when absent. */
    public int intParam(String name, int otherwise, int min, int max) {
        String value = param(name);
        if (value == null) {
            return otherwise;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpError.badRequest(name + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
    }
}
