package io.starling.http.server;

import java.util.Map;

/** What answers one route. */
@FunctionalInterface
public interface Endpoint {
    /**
     * Answers {@code request}; {@code params} holds the route's {@code {name}} segments, decoded.
     * Throws {@link HttpError} for a request it refuses, {@link IllegalArgumentException} for a 400.
     */
    Reply handle(HttpRequest request, Map<String, String> params) throws Exception;
}
