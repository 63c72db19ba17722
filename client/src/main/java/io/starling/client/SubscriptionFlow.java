package io.starling.client;

import io.starling.client.internal.Callbacks;
import io.starling.client.internal.PacketIds;
import io.starling.client.internal.ServerLimits;
import io.starling.client.internal.SharedFilters;
import io.starling.client.internal.Wire;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.SubAck;
import io.starling.codec.packet.Subscribe;
import io.starling.codec.packet.Subscription;
import io.starling.codec.packet.UnsubAck;
import io.starling.codec.packet.Unsubscribe;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.TopicMatcher;
import io.starling.codec.wire.Topics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's SUBSCRIBE and UNSUBSCRIBE exchanges, and the subscriptions they leave: which
 * listener gets a message, and what to subscribe again when the server starts a new session.
 * A subscription's listener is in place from the moment its SUBSCRIBE is sent, since the server
 * may send retained messages before the SUBACK arrives; a refused filter is dropped at SUBACK.
 * Requests made while offline, or unanswered when the connection dropped, wait and are sent
 * when the next connection is accepted. Confined to the client's I/O thread.
 */
final class SubscriptionFlow {
    private static final Logger log = LoggerFactory.getLogger(SubscriptionFlow.class);

    private record Active(Subscription subscription, Properties properties, @Nullable MessageListener listener) {}

    /** A SUBSCRIBE (subscriptions set) or an UNSUBSCRIBE (filters set) and whoever waits for it. */
    private static final class Request {
        final long order;
        final @Nullable List<Subscription> subscriptions;
        final @Nullable List<String> filters;
        final @Nullable CompletableFuture<SubscribeResult> subscribed;
        final @Nullable CompletableFuture<UnsubscribeResult> unsubscribed;
        final Properties properties;
        int packetId;

        Request(long order, @Nullable List<Subscription> subscriptions, @Nullable List<String> filters,
                @Nullable CompletableFuture<SubscribeResult> subscribed,
                @Nullable CompletableFuture<UnsubscribeResult> unsubscribed, Properties properties) {
            this.order = order;
            this.properties = properties;
            this.subscriptions = subscriptions;
            this.filters = filters;
            this.subscribed = subscribed;
            this.unsubscribed = unsubscribed;
        }
    }

    private final Wire wire;
    private final PacketIds ids;
    private final Callbacks callbacks;
    private final int maxWaiting;
    private final @Nullable MessageListener globalListener;
    private final LinkedHashMap<String, Active> active = new LinkedHashMap<>();
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final Map<Integer, Request> sent = new LinkedHashMap<>();
    private long nextOrder;
    private ServerLimits limits = ServerLimits.NONE;

    SubscriptionFlow(Wire wire, PacketIds ids, Callbacks callbacks, int maxWaiting, @Nullable MessageListener globalListener) {
        this.wire = wire;
        this.ids = ids;
        this.callbacks = callbacks;
        this.maxWaiting = maxWaiting;
        this.globalListener = globalListener;
    }

    void subscribe(List<Subscription> subscriptions, Properties properties, @Nullable MessageListener listener,
            CompletableFuture<SubscribeResult> future) {
        ServerLimitException refused = refusal(subscriptions, properties);
        if (refused != null) {
            callbacks.fail(future, refused);
            return;
        }
        for (Subscription s : subscriptions) {
            active.put(s.topicFilter(), new Active(s, properties, listener));
        }
        submit(new Request(nextOrder++, subscriptions, null, future, null, properties));
    }

    void unsubscribe(List<String> filters, Properties properties, CompletableFuture<UnsubscribeResult> future) {
        submit(new Request(nextOrder++, null, filters, null, future, properties));
    }

    /** Why the server, as its CONNACK describes it, would refuse these subscriptions; null if it would not. */
    private @Nullable ServerLimitException refusal(List<Subscription> subscriptions, Properties properties) {
        if (!limits.subscriptionIdentifiers() && properties.contains(PropertyId.SUBSCRIPTION_IDENTIFIER)) {
            return new ServerLimitException(ReasonCode.SUBSCRIPTION_IDENTIFIERS_NOT_SUPPORTED,
                    "the server takes no subscription identifiers (Subscription Identifier Available 0)");
        }
        for (Subscription s : subscriptions) {
            String filter = s.topicFilter();
            if (!limits.shared() && SharedFilters.isShared(filter)) {
                return new ServerLimitException(ReasonCode.SHARED_SUBSCRIPTIONS_NOT_SUPPORTED,
                        "the server takes no shared subscriptions (Shared Subscription Available 0): " + filter);
            }
            if (!limits.wildcards() && Topics.hasWildcard(SharedFilters.filterOf(filter))) {
                return new ServerLimitException(ReasonCode.WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED,
                        "the server takes no wildcard subscriptions (Wildcard Subscription Available 0): " + filter);
            }
        }
        return null;
    }

    /** The listeners of every subscription whose filter matches {@code topic}, else the global one. */
    List<MessageListener> listenersFor(String topic) {
        List<MessageListener> found = null;
        Set<MessageListener> seen = null;
        for (Active a : active.values()) {
            // a shared subscription's messages match the filter after $share/<group>/
            if (a.listener != null && TopicMatcher.matches(SharedFilters.filterOf(a.subscription.topicFilter()), topic)) {
                if (found == null || seen == null) { // both are made at the first match
                    found = new ArrayList<>(2);
                    seen = Collections.newSetFromMap(new IdentityHashMap<>());
                }
                if (seen.add(a.listener)) {
                    found.add(a.listener);
                }
            }
        }
        if (found != null) {
            return found;
        }
        return globalListener == null ? List.of() : List.of(globalListener);
    }

    void onSubAck(SubAck ack) {
        Request request = sent.get(ack.packetId());
        if (request == null || request.subscriptions == null) {
            throw new MqttClientException("protocol error: SUBACK for packet id " + ack.packetId() + ", which awaits no SUBACK");
        }
        List<Subscription> subscriptions = request.subscriptions;
        if (ack.reasonCodes().size() != subscriptions.size()) {
            // [MQTT-3.9.3-1] one return code per topic filter
            throw new MqttClientException("protocol error: SUBACK has " + ack.reasonCodes().size()
                    + " return codes for " + subscriptions.size() + " topic filters");
        }
        sent.remove(ack.packetId());
        ids.release(ack.packetId());
        for (int i = 0; i < subscriptions.size(); i++) {
            ReasonCode code = ack.reasonCodes().get(i);
            Subscription s = subscriptions.get(i);
            if (code.isError()) {
                Active current = active.get(s.topicFilter());
                // the very subscription this SUBSCRIBE put there, not an equal one made since
                @SuppressWarnings("ReferenceEquality")
                boolean stillOurs = current != null && current.subscription == s;
                if (stillOurs) {
                    active.remove(s.topicFilter());
                }
                if (request.subscribed == null) {
                    log.warn("the server refused to restore the subscription to {} (0x{})", s.topicFilter(),
                            Integer.toHexString(code.value()));
                }
            }
        }
        if (request.subscribed != null) {
            callbacks.complete(request.subscribed, new SubscribeResult(ack.reasonCodes(), ack.properties()));
        }
    }

    void onUnsubAck(UnsubAck ack) {
        Request request = sent.get(ack.packetId());
        if (request == null || request.filters == null) {
            throw new MqttClientException("protocol error: UNSUBACK for packet id " + ack.packetId() + ", which awaits no UNSUBACK");
        }
        sent.remove(ack.packetId());
        ids.release(ack.packetId());
        for (String filter : request.filters) {
            active.remove(filter);
        }
        List<ReasonCode> codes = ack.reasonCodes().isEmpty()
                ? Collections.nCopies(request.filters.size(), ReasonCode.SUCCESS)
                : ack.reasonCodes();
        if (request.unsubscribed != null) {
            callbacks.complete(request.unsubscribed, new UnsubscribeResult(codes, ack.properties()));
        }
    }

    /**
     * A connection was accepted. On a new session the server holds no subscription, so every
     * one is requested again (all but those a waiting request will send anyway); then the
     * requests that waited go out in the order they were made.
     */
    void onConnected(boolean resumed, ServerLimits server) {
        this.limits = server;
        if (!resumed && !active.isEmpty()) {
            Set<String> pending = new HashSet<>();
            for (Request r : waiting) {
                if (r.subscriptions != null) {
                    r.subscriptions.forEach(s -> pending.add(s.topicFilter()));
                }
            }
            // one SUBSCRIBE per set of properties, since a subscription identifier belongs to its SUBSCRIBE
            Map<Properties, List<Subscription>> restore = new LinkedHashMap<>();
            for (Active a : active.values()) {
                if (!pending.contains(a.subscription.topicFilter())) {
                    restore.computeIfAbsent(a.properties, p -> new ArrayList<>()).add(a.subscription);
                }
            }
            List<Request> again = new ArrayList<>();
            restore.forEach((properties, subs) -> again.add(new Request(-1, subs, null, null, null, properties)));
            for (int i = again.size() - 1; i >= 0; i--) {
                waiting.addFirst(again.get(i));
            }
        }
        flushWaiting();
    }

    /** The connection is gone: requests it carried without an answer wait for the next one. */
    void onDisconnected() {
        List<Request> unanswered = new ArrayList<>(sent.values());
        sent.clear();
        unanswered.forEach(r -> ids.release(r.packetId));
        unanswered.addAll(waiting);
        unanswered.sort((a, b) -> Long.compare(a.order, b.order));
        waiting.clear();
        waiting.addAll(unanswered);
    }

    /** Fails every request not yet answered. */
    void failAll(Throwable cause) {
        onDisconnected();
        for (Request r; (r = waiting.poll()) != null; ) {
            fail(r, cause);
        }
    }

    private void submit(Request request) {
        if (wire.ready() && waiting.isEmpty() && ids.available()) {
            send(request);
        } else if (waiting.size() >= maxWaiting) {
            fail(request, new MessageBufferFullException(maxWaiting));
        } else {
            waiting.add(request);
        }
    }

    private void flushWaiting() {
        while (!waiting.isEmpty() && wire.ready() && ids.available()) {
            send(waiting.poll());
        }
    }

    private void send(Request request) {
        request.packetId = ids.allocate();
        sent.put(request.packetId, request);
        if (request.subscriptions != null) {
            wire.send(new Subscribe(request.packetId, request.subscriptions, request.properties));
        } else {
            // a request without subscriptions is an UNSUBSCRIBE, and unsubscribe() gave it filters
            wire.send(new Unsubscribe(request.packetId, Objects.requireNonNull(request.filters), request.properties));
        }
    }

    private void fail(Request request, Throwable cause) {
        if (request.subscribed != null) {
            callbacks.fail(request.subscribed, cause);
        }
        if (request.unsubscribed != null) {
            callbacks.fail(request.unsubscribed, cause);
        }
    }
}
