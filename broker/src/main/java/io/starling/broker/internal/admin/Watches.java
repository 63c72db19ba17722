package io.starling.broker.internal.admin;

import io.starling.broker.admin.BrokerAdmin.Watch;
import io.starling.broker.admin.BrokerAdmin.WatchedMessage;
import io.starling.broker.internal.routing.Subscriber;
import io.starling.broker.internal.routing.TopicTree;
import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operators' watches of a topic filter: each is a {@link Subscriber} in the topic tree, matched as
 * a subscription is but not one (see {@link TopicTree#watch}): not counted, not a session, never
 * stored, not subject to the ACL file, given no retained messages, and never congested, so that
 * it cannot hold a publisher back. Its listener runs on the publisher's thread, so it must be
 * quick: a listener that cannot keep up drops (into a bounded queue of its own, say), since
 * nothing here waits for it. One that throws is logged once and the message still goes to the
 * other subscribers.
 */
final class Watches {
    private static final Logger log = LoggerFactory.getLogger(Watches.class);
    /** QoS 0 copies: nothing to acknowledge, store or re-send. */
    private static final SubscriptionOptions AT_MOST_ONCE = SubscriptionOptions.of(QoS.AT_MOST_ONCE);

    private final TopicTree tree;

    Watches(TopicTree tree) {
        this.tree = tree;
    }

    /** Starts watching {@code filter} (a topic filter, not a shared one) until the watch is closed. */
    Watch watch(String filter, Consumer<WatchedMessage> listener) {
        OperatorTopics.requireFilter(filter);
        Watcher watcher = new Watcher(filter, listener);
        tree.watch(filter, watcher, AT_MOST_ONCE);
        return watcher;
    }

    /** One watch: hands each message to its listener, until closed. */
    private final class Watcher implements Subscriber, Watch {
        private final String filter;
        private final String name;
        private final Consumer<WatchedMessage> listener;
        /** Set by close: a message matched before it and delivered after is not handed on. */
        private volatile boolean closed;
        /** Whether the listener threw already: logged once per watch. */
        private volatile boolean failed;

        Watcher(String filter, Consumer<WatchedMessage> listener) {
            this.filter = filter;
            this.name = "(watch of " + filter + ")";
            this.listener = listener;
        }

        /** Not a client: never compared with a publisher (no No Local) nor used as a store key (never durable). */
        @Override
        public String clientId() {
            return name;
        }

        @Override
        public long nextQueueSeq() {
            throw new UnsupportedOperationException("a watch is never stored");
        }

        /** Hands the message on as published (its QoS and RETAIN flag), with a copy of its payload. */
        @Override
        public void deliver(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored) {
            if (closed) {
                return;
            }
            try {
                listener.accept(new WatchedMessage(message.topic(), message.qos().value(), message.retain(),
                        message.payload().clone(), message.publisherId(), System.currentTimeMillis()));
            } catch (RuntimeException e) {
                // the subscribers behind this one in the publication still get the message
                if (!failed) {
                    failed = true;
                    log.warn("watch of '{}': its listener failed (logged once per watch)", filter, e);
                }
            }
        }

        @Override
        public void close() {
            closed = true;
            tree.unwatch(filter, this);
        }
    }
}
