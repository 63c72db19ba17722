package io.starling.broker.internal.routing;

import io.starling.broker.model.Message;
import io.starling.broker.model.QueueRef;
import io.starling.codec.packet.QoS;
import org.jspecify.annotations.Nullable;

/** What a subscription delivers to: a session. Called from any thread; implementations hand off to their own. */
public interface Subscriber {
    /** The client identifier: what the subscriber's store records are keyed by. */
    String clientId();

    /**
     * Whether QoS 1 and 2 messages delivered to it must be stored before the publisher is
     * acknowledged: a persistent session while persistence is on.
     */
    default boolean durable() {
        return false;
    }

    /** The sequence number of the subscriber's next queue entry in the store; asked only while {@link #durable}. */
    long nextQueueSeq();

    /**
     * Whether the subscriber is connected and its queue of QoS 1 and 2 messages is full: whoever
     * publishes to it should stop for a while (see {@link #whenDrained}). Called from any thread.
     */
    default boolean congested() {
        return false;
    }

    /**
     * Runs {@code resume} (on any thread) once the subscriber is no longer {@link #congested}: at
     * once when it is not.
     */
    default void whenDrained(Runnable resume) {
        resume.run();
    }

    /**
     * Whether this is another cluster node rather than a session: a message forwarded from
     * another node never goes to one (see {@link Router#publishForwarded}), so that it is never
     * forwarded again.
     */
    default boolean remote() {
        return false;
    }

    /**
     * Whether a connection is attached: a shared subscription group prefers members that are.
     * Called from any thread.
     */
    default boolean online() {
        return true;
    }

    /**
     * Whether the subscriber may receive a message published to {@code topic}, as the ACL file
     * says (always, without one). Called from any thread, once per message it would get: must
     * not allocate once warm.
     */
    default boolean mayRead(String topic) {
        return true;
    }

    /**
     * Delivers {@code message} at {@code qos}, already the lower of the published and the
     * granted QoS, with {@code retain} (0 for a live message [MQTT-3.3.1-9] unless a Retain As
     * Published subscription keeps it) and the Subscription Identifiers of the matching
     * subscriptions ({@code subscriptionIds}, empty for none). {@code stored} is its queue entry
     * when it was stored for the subscriber, else null.
     */
    void deliver(Message message, QoS qos, boolean retain, int[] subscriptionIds, @Nullable QueueRef stored);
}
