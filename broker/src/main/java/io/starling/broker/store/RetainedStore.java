package io.starling.broker.store;

import io.starling.broker.routing.Message;
import java.util.function.Consumer;

/**
 * The retained messages, one per topic. Implementations are safe to call from any thread. The
 * in-memory {@link io.starling.broker.retained.RetainedIndex} is the default; a durable store
 * implements the same interface.
 */
public interface RetainedStore {
    /**
     * Stores {@code message} as the retained message of its topic, replacing any other; false,
     * changing nothing, when that would take the store past its limits.
     */
    boolean put(Message message);

    /** Removes the retained message of {@code topic}, if any. */
    void remove(String topic);

    /** Calls {@code action} with every retained message whose topic matches {@code filter}. */
    void forEachMatching(String filter, Consumer<Message> action);

    /** The number of retained messages. */
    int size();
}
