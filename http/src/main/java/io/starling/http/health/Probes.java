package io.starling.http.health;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.starling.http.server.Reply;
import io.starling.http.server.Routes;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /health/live} (the process answers) and {@code /health/ready} (200 once the store is
 * recovered and every MQTT listener is bound, 503 before and while stopping). Both are open to
 * anyone, so that load balancers and orchestrators can probe them without credentials.
 */
public final class Probes {
    /** Where the broker is in its life, as the readiness probe tells it. */
    public enum Stage { STARTING, READY, STOPPING }

    private Probes() {}

    public static void addTo(Routes routes, Supplier<Stage> stage) {
        routes.addOpen(HttpMethod.GET, "/health/live", (request, params) -> Reply.json(Map.of("status", "UP")));
        routes.addOpen(HttpMethod.GET, "/health/ready", (request, params) -> {
            Stage now = stage.get();
            return Reply.json(now == Stage.READY ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    Map.of("status", now.name()));
        });
    }
}
