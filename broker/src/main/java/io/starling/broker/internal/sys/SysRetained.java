package io.starling.broker.internal.sys;

import io.starling.broker.internal.retained.RetainedIndex;
import io.starling.broker.internal.retained.RetainedStore;
import io.starling.broker.model.Message;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The retained messages routing sees: the clients' ones, and apart from them the broker's own
 * {@code $SYS} messages, which take nothing from {@code max_retained_messages} and {@code
 * max_retained_bytes} and are not counted by {@link #size}. Only a filter starting with {@code $}
 * looks at the {@code $SYS} ones: a leading wildcard never matches them [MQTT-4.7.2-1].
 */
public final class SysRetained implements RetainedStore {
    private final RetainedStore clients;
    private final RetainedIndex sys = new RetainedIndex();

    /** @param clients the retained messages clients publish, with their limits */
    public SysRetained(RetainedStore clients) {
        this.clients = clients;
    }

    @Override
    public boolean put(Message message) {
        return SysPublisher.isSysTopic(message.topic()) ? sys.put(message) : clients.put(message);
    }

    @Override
    public void remove(String topic) {
        if (SysPublisher.isSysTopic(topic)) {
            sys.remove(topic);
        } else {
            clients.remove(topic);
        }
    }

    @Override
    public @Nullable Message get(String topic) {
        return SysPublisher.isSysTopic(topic) ? sys.get(topic) : clients.get(topic);
    }

    @Override
    public void forEachMatching(String filter, Consumer<Message> action) {
        clients.forEachMatching(filter, action);
        if (!filter.isEmpty() && filter.charAt(0) == '$') {
            sys.forEachMatching(filter, action);
        }
    }

    /** The number of the clients' retained messages ({@code $SYS} ones not counted). */
    @Override
    public int size() {
        return clients.size();
    }
}
