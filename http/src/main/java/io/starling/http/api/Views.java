package io.starling.http.api;

import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.admin.BrokerAdmin.ClientDetails;
import io.starling.broker.admin.BrokerAdmin.ClientSummary;
import io.starling.broker.admin.BrokerAdmin.RetainedMessage;
import io.starling.broker.admin.BrokerAdmin.RetainedSummary;
import io.starling.broker.admin.BrokerAdmin.SessionSummary;
import io.starling.broker.admin.BrokerAdmin.SubscriptionInfo;
import io.starling.broker.admin.BrokerAdmin.WatchedMessage;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** The JSON objects of the admin API (docs/admin-api.md), made from the broker's admin records: names in snake_case, fields in a fixed order. */
final class Views {
    private Views() {}

    static <T> Map<String, Object> page(BrokerAdmin.Page<T> page, Function<T, Map<String, @Nullable Object>> view) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("items", page.items().stream().map(view).toList());
        json.put("total", page.total());
        json.put("offset", page.offset());
        json.put("limit", page.limit());
        return json;
    }

    static Map<String, @Nullable Object> client(ClientSummary client) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("client_id", client.clientId());
        json.put("username", client.username());
        json.put("address", client.address());
        json.put("protocol", client.protocol());
        json.put("connected_at", client.connectedAtMillis());
        return json;
    }

    static Map<String, @Nullable Object> details(ClientDetails details) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        ClientSummary connection = details.connection();
        SessionSummary session = details.session();
        json.put("client_id", details.clientId());
        json.put("connected", connection != null);
        json.put("connection", connection == null ? null : client(connection));
        json.put("keep_alive_seconds", details.keepAliveSeconds());
        json.put("session", session == null ? null : session(session));
        json.put("subscriptions", subscriptions(details.subscriptions()));
        return json;
    }

    static Map<String, @Nullable Object> session(SessionSummary session) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("client_id", session.clientId());
        json.put("online", session.online());
        json.put("persistent", session.persistent());
        json.put("expiry_seconds", session.expirySeconds());
        json.put("subscriptions", session.subscriptions());
        json.put("queued", session.queued());
        json.put("queued_bytes", session.queuedBytes());
        json.put("inflight", session.inflight());
        return json;
    }

    private static List<Map<String, @Nullable Object>> subscriptions(List<SubscriptionInfo> subscriptions) {
        return subscriptions.stream().map(Views::subscription).toList();
    }

    static Map<String, @Nullable Object> subscription(SubscriptionInfo subscription) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("client_id", subscription.clientId());
        json.put("filter", subscription.filter());
        json.put("qos", subscription.qos());
        json.put("no_local", subscription.noLocal());
        json.put("retain_as_published", subscription.retainAsPublished());
        json.put("retain_handling", subscription.retainHandling());
        json.put("share_group", subscription.shareGroup());
        return json;
    }

    static Map<String, @Nullable Object> retained(RetainedSummary retained) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("topic", retained.topic());
        json.put("qos", retained.qos());
        json.put("payload_bytes", retained.payloadBytes());
        json.put("publisher_id", retained.publisherId());
        return json;
    }

    static Map<String, @Nullable Object> retainedMessage(RetainedMessage message) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("topic", message.topic());
        json.put("qos", message.qos());
        payload(json, message.payload());
        json.put("payload_utf8", message.payloadUtf8());
        json.put("content_type", message.contentType());
        json.put("expires_at", message.expiresAtMillis());
        json.put("publisher_id", message.publisherId());
        return json;
    }

    static Map<String, @Nullable Object> watched(WatchedMessage message) {
        Map<String, @Nullable Object> json = new LinkedHashMap<>();
        json.put("topic", message.topic());
        json.put("qos", message.qos());
        json.put("retain", message.retain());
        payload(json, message.payload());
        json.put("publisher_id", message.publisherId());
        json.put("received_at", message.receivedAtMillis());
        return json;
    }

    /** {@code payload}: the text when the bytes are well-formed UTF-8, else null; {@code payload_base64}: always. */
    private static void payload(Map<String, @Nullable Object> json, byte[] payload) {
        json.put("payload", utf8(payload));
        json.put("payload_base64", Base64.getEncoder().encodeToString(payload));
    }

    private static @Nullable String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
