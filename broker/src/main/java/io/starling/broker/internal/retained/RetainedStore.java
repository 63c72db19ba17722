package io.starling.broker.internal.retained;

import io.starling.broker.model.Message;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The retained messages, one per topic, as routing sees them. Safe to call from any thread; kept
 * in memory by {@link RetainedIndex} (the store's copy, when persistence is on, is written by the
 * router beside it and read back only at start-up).
 */
public interface RetainedStore {
    /**
     * Stores {@code message} as the retained message of its topic, replacing any other; false,
     * changing nothing, when that would take the store past its limits.
     */
    boolean put(Message message);

    /** Removes the retained message of {@code topic}, if any. */
    void remove(String topic);

    /** The retained message of {@code topic} (a topic name), or null. */
    @Nullable Message get(String topic);

    /** Calls {@code action} with every retained message whose topic matches {@code filter}. */
    void forEachMatching(String filter, Consumer<Message> action);

    /** The number of retained messages. */
    int size();
}
