package io.starling.broker.internal.admin;

import io.starling.broker.admin.BrokerAdmin.Page;
import io.starling.broker.admin.BrokerAdmin.RetainedMessage;
import io.starling.broker.admin.BrokerAdmin.RetainedSummary;
import io.starling.broker.internal.retained.RetainedIndex;
import io.starling.broker.internal.routing.Router;
import io.starling.broker.model.Message;
import io.starling.codec.property.PropertyId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The retained messages as an operator sees them. Read from any thread, as a new subscription
 * reads them (without locking); a message whose Message Expiry Interval ran out is left out, as a
 * subscriber would not get it. Removal goes through the router, as an empty retained PUBLISH.
 */
final class RetainedMessages {
    private final Router router;
    /** The clients' retained messages, with their limits; the broker's $SYS ones are kept apart (see SysRetained). */
    private final RetainedIndex clients;

    RetainedMessages(Router router, RetainedIndex clients) {
        this.router = router;
        this.clients = clients;
    }

    /** Retained messages whose topic matches {@code filter} ({@code #} leaves {@code $SYS} out), ordered by topic. */
    Page<RetainedSummary> list(String filter, int offset, int limit) {
        OperatorTopics.requireFilter(filter);
        long now = System.currentTimeMillis();
        List<Message> matching = new ArrayList<>();
        router.retained().forEachMatching(filter, message -> {
            if (!message.expiredAt(now)) {
                matching.add(message);
            }
        });
        matching.sort(Comparator.comparing(Message::topic));
        return Pages.of(matching, offset, limit, page -> page.stream()
                .map(m -> new RetainedSummary(m.topic(), m.qos().value(), m.payload().length, m.publisherId()))
                .toList());
    }

    /** The retained message of {@code topic}, payload included. */
    Optional<RetainedMessage> get(String topic) {
        Message m = router.retained().get(topic);
        if (m == null || m.expiredAt(System.currentTimeMillis())) {
            return Optional.empty();
        }
        return Optional.of(new RetainedMessage(m.topic(), m.qos().value(), m.payload().clone(), m.publisherId(),
                m.properties().integer(PropertyId.PAYLOAD_FORMAT_INDICATOR).orElse(0) == 1,
                m.properties().string(PropertyId.CONTENT_TYPE).orElse(null), m.expiresAtMillis()));
    }

    /** Removes the retained message of {@code topic} from memory and the store, waiting for the store; false when there was none. */
    boolean delete(String topic) {
        CompletableFuture<Void> stored = router.removeRetained(topic);
        if (stored == null) {
            return false;
        }
        OwnerReads.await(stored, "removing the retained message of '" + topic + "' from the store");
        return true;
    }

    /** The number of the clients' retained messages. */
    int count() {
        return clients.size();
    }

    /** Topic and payload bytes of the clients' retained messages, as {@code max_retained_bytes} counts them. */
    long bytes() {
        return clients.bytes();
    }
}
