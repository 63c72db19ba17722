package io.starling.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.starling.broker.Broker;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.config.ConfigException;
import io.starling.broker.metrics.BrokerMetrics;
import io.starling.http.server.HttpError;
import io.starling.http.server.HttpRequest;
import io.starling.http.server.Json;
import io.starling.http.server.Reply;
import io.starling.http.server.Routes;
import io.starling.http.server.Routes.Threading;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** The admin API under {@code /api/v1/} (docs/admin-api.md): each call is one {@link BrokerAdmin} call, its answer as JSON. */
public final class AdminApi {
    static final String BASE = "/api/v1";
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 1000;
    /** How long a publish may wait for the store before the request gives up (the message may still go out). */
    private static final long PUBLISH_TIMEOUT_SECONDS = 30;

    private final Supplier<Broker> broker;
    private final Supplier<@Nullable ConfigurationReload> reload;
    private final LiveStream stream;

    /**
     * @param broker the running broker; throws {@link HttpError} 503 while there is none yet
     * @param reload what {@code POST /api/v1/reload} runs; null when the broker has no configuration file
     */
    public AdminApi(Supplier<Broker> broker, Supplier<@Nullable ConfigurationReload> reload, LiveStream stream) {
        this.broker = broker;
        this.reload = reload;
        this.stream = stream;
    }

    public void addTo(Routes routes) {
        routes.add(HttpMethod.GET, BASE + "/overview", Threading.BLOCKING, (request, params) -> overview());
        routes.add(HttpMethod.GET, BASE + "/clients", Threading.BLOCKING, (request, params) -> Reply.json(Views.page(
                admin().clients(new BrokerAdmin.ClientQuery(request.param("client_id"), request.param("user"), request.param("address")),
                        offset(request), limit(request)), Views::client)));
        routes.add(HttpMethod.GET, BASE + "/clients/{id}", Threading.BLOCKING, (request, params) -> Reply.json(Views.details(
                admin().client(id(params)).orElseThrow(() -> HttpError.notFound("no connected client and no session with this client id")))));
        routes.add(HttpMethod.POST, BASE + "/clients/{id}/disconnect", Threading.BLOCKING, (request, params) -> {
            if (!admin().disconnect(id(params))) {
                throw HttpError.notFound("no connected client with this client id");
            }
            return Reply.json(Map.of("disconnected", true));
        });
        routes.add(HttpMethod.GET, BASE + "/sessions", Threading.BLOCKING, (request, params) -> Reply.json(Views.page(
                admin().sessions(request.param("client_id"), offset(request), limit(request)), Views::session)));
        routes.add(HttpMethod.DELETE, BASE + "/sessions/{id}", Threading.BLOCKING, (request, params) -> switch (admin().deleteSession(id(params))) {
            case DELETED -> Reply.noContent();
            case NOT_FOUND -> throw HttpError.notFound("no session with this client id");
            case CONNECTED -> throw new HttpError(HttpResponseStatus.CONFLICT, "the client is connected: disconnect it first");
        });
        routes.add(HttpMethod.GET, BASE + "/subscriptions", Threading.BLOCKING, (request, params) -> Reply.json(Views.page(
                admin().subscriptions(request.param("client_id"), request.param("filter"), offset(request), limit(request)),
                Views::subscription)));
        routes.add(HttpMethod.GET, BASE + "/retained", Threading.BLOCKING, (request, params) -> {
            String filter = request.param("filter");
            return Reply.json(Views.page(admin().retained(filter == null ? "#" : filter, offset(request), limit(request)), Views::retained));
        });
        routes.add(HttpMethod.GET, BASE + "/retained/{topic}", Threading.BLOCKING, (request, params) -> Reply.json(Views.retainedMessage(
                admin().retainedMessage(topic(params)).orElseThrow(() -> HttpError.notFound("no retained message on this topic")))));
        routes.add(HttpMethod.DELETE, BASE + "/retained/{topic}", Threading.BLOCKING, (request, params) -> {
            if (!admin().deleteRetained(topic(params))) {
                throw HttpError.notFound("no retained message on this topic");
            }
            return Reply.noContent();
        });
        routes.add(HttpMethod.GET, BASE + "/cluster", Threading.BLOCKING, (request, params) -> Reply.json(
                ClusterView.of(broker.get().cluster().status())));
        routes.add(HttpMethod.POST, BASE + "/publish", Threading.BLOCKING, (request, params) -> publish(request));
        routes.add(HttpMethod.POST, BASE + "/reload", Threading.BLOCKING, (request, params) -> reload());
        routes.add(HttpMethod.GET, BASE + "/stream", Threading.BLOCKING, (request, params) -> {
            String filter = request.param("filter");
            if (filter == null) {
                throw HttpError.badRequest("filter is needed: the topic filter to watch, such as sensors/#");
            }
            return stream.open(admin(), filter, request.channel());
        });
    }

    private BrokerAdmin admin() {
        return broker.get().admin();
    }

    private Reply overview() {
        Broker running = broker.get();
        BrokerAdmin.Overview size = running.admin().overview();
        BrokerMetrics metrics = running.metrics();
        Map<String, Object> json = new LinkedHashMap<>();
        String version = Broker.class.getPackage().getImplementationVersion();
        json.put("version", version != null ? version : "development build");
        json.put("uptime_seconds", ManagementFactory.getRuntimeMXBean().getUptime() / 1000);
        json.put("connections", size.connections());
        json.put("sessions_online", size.sessionsOnline());
        json.put("sessions_offline", size.sessionsOffline());
        json.put("subscriptions", size.subscriptions());
        json.put("shared_groups", size.sharedGroups());
        json.put("retained_messages", size.retainedMessages());
        json.put("retained_bytes", size.retainedBytes());
        json.put("messages_received", metrics.messagesReceived.sum());
        json.put("messages_sent", metrics.messagesSent.sum());
        json.put("bytes_received", metrics.bytesReceived.sum());
        json.put("bytes_sent", metrics.bytesSent.sum());
        Map<String, Object> dropped = new LinkedHashMap<>();
        dropped.put("queue_full", metrics.queuedMessagesDropped.sum() + metrics.qos0MessagesDropped.sum());
        dropped.put("expired", metrics.messagesExpired.sum());
        dropped.put("too_large", metrics.messagesTooLarge.sum());
        dropped.put("not_authorized", metrics.aclDeliveryDenied.sum() + metrics.aclPublishDenied.sum());
        json.put("dropped", dropped);
        json.put("publishers_held_back", metrics.publishersHeldBack.sum());
        json.put("store_commits", metrics.storeCommits.commits.sum());
        json.put("store_commit_seconds_total", metrics.storeCommits.nanos.sum() / 1e9);
        return Reply.json(json);
    }

    private Reply publish(HttpRequest request) throws InterruptedException {
        JsonNode body = Json.object(request.body());
        String topic = text(body, "topic");
        if (topic == null) {
            throw HttpError.badRequest("topic is needed");
        }
        String payload = text(body, "payload");
        String base64 = text(body, "payload_base64");
        if (payload != null && base64 != null) {
            throw HttpError.badRequest("give payload or payload_base64, not both");
        }
        byte[] bytes;
        try {
            bytes = base64 != null ? Base64.getDecoder().decode(base64) : payload != null ? payload.getBytes(StandardCharsets.UTF_8) : new byte[0];
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("payload_base64 is not base64");
        }
        JsonNode qosNode = body.get("qos");
        if (qosNode != null && !qosNode.isInt()) {
            throw HttpError.badRequest("qos must be 0, 1 or 2");
        }
        int qos = qosNode == null ? 0 : qosNode.intValue();
        JsonNode retainNode = body.get("retain");
        if (retainNode != null && !retainNode.isBoolean()) {
            throw HttpError.badRequest("retain must be true or false");
        }
        boolean retain = retainNode != null && retainNode.booleanValue();
        // IllegalArgumentException (bad topic, bad QoS) becomes a 400 with its message
        BrokerAdmin.AdminMessage message = new BrokerAdmin.AdminMessage(topic, bytes, qos, retain);
        try {
            int subscribers = admin().publish(message).get(PUBLISH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return Reply.json(Map.of("subscribers", subscribers));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException bad) {
                throw bad;
            }
            throw new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, "the message could not be stored: " + cause);
        } catch (TimeoutException e) {
            throw new HttpError(HttpResponseStatus.GATEWAY_TIMEOUT, "the store did not confirm the message within "
                    + PUBLISH_TIMEOUT_SECONDS + " s");
        }
    }

    private static @Nullable String text(JsonNode body, String name) {
        JsonNode node = body.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw HttpError.badRequest(name + " must be a string");
        }
        return node.textValue();
    }

    private Reply reload() {
        ConfigurationReload action = reload.get();
        if (action == null) {
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, "this broker was started without a configuration file: nothing to reload");
        }
        List<String> warnings;
        try {
            warnings = action.reload();
        } catch (ConfigException e) {
            throw HttpError.badRequest(String.valueOf(e.getMessage()));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("reloaded", true);
        json.put("warnings", warnings);
        return Reply.json(json);
    }

    private static String id(Map<String, String> params) {
        return String.valueOf(params.get("id"));
    }

    private static String topic(Map<String, String> params) {
        return String.valueOf(params.get("topic"));
    }

    private static int offset(HttpRequest request) {
        return request.intParam("offset", 0, 0, Integer.MAX_VALUE);
    }

    private static int limit(HttpRequest request) {
        return request.intParam("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    }
}
