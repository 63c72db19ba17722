package io.starling.http.server;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The table of what answers which method and path. A pattern is a path whose segments are
 * literals or {@code {name}} (one segment, any text), optionally ending in {@code **} (any rest).
 * Routes are tried in the order added.
 */
public final class Routes {
    /** How a route is run: on the listener's I/O thread (quick answers) or off it (anything that may wait on the broker). */
    public enum Threading { IO, BLOCKING }

    private record Route(HttpMethod method, List<String> pattern, Endpoint endpoint, Threading threading, boolean open) {}

    /** A route matched, with its parameters. */
    public record Match(Endpoint endpoint, Map<String, String> params, Threading threading, boolean open) {}

    private final List<Route> routes = new ArrayList<>();

    /** Adds a route that needs credentials where the listener asks for them. */
    public Routes add(HttpMethod method, String pattern, Threading threading, Endpoint endpoint) {
        routes.add(new Route(method, split(pattern), endpoint, threading, false));
        return this;
    }

    /** Adds a route open to anyone, whatever the listener's credentials (health probes). */
    public Routes addOpen(HttpMethod method, String pattern, Endpoint endpoint) {
        routes.add(new Route(method, split(pattern), endpoint, Threading.IO, true));
        return this;
    }

    private static List<String> split(String pattern) {
        if (pattern.equals("/")) {
            return List.of();
        }
        return List.of(pattern.substring(1).split("/", -1));
    }

    /**
     * The route for {@code method} on {@code segments}; a {@link HttpError} 405 when the path
     * exists for other methods only, 404 when it does not exist.
     */
    public Match match(HttpMethod method, List<String> segments) {
        boolean pathKnown = false;
        for (Route route : routes) {
            Map<String, String> params = bind(route.pattern(), segments);
            if (params == null) {
                continue;
            }
            // HEAD is answered as GET, without the body
            if (route.method().equals(method) || (method.equals(HttpMethod.HEAD) && route.method().equals(HttpMethod.GET))) {
                return new Match(route.endpoint(), params, route.threading(), route.open());
            }
            pathKnown = true;
        }
        if (pathKnown) {
            throw new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not allowed on this path");
        }
        throw HttpError.notFound("no such path");
    }

    private static @Nullable Map<String, String> bind(List<String> pattern, List<String> segments) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.size(); i++) {
            String part = pattern.get(i);
            if (part.equals("**")) {
                params.put("**", String.join("/", segments.subList(Math.min(i, segments.size()), segments.size())));
                return params;
            }
            if (i >= segments.size()) {
                return null;
            }
            if (part.startsWith("{") && part.endsWith("}")) {
                params.put(part.substring(1, part.length() - 1), segments.get(i));
            } else if (!part.equals(segments.get(i))) {
                return null;
            }
        }
        return pattern.size() == segments.size() ? params : null;
    }
}
