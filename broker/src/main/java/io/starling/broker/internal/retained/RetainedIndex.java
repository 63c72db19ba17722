package io.starling.broker.internal.retained;

import io.starling.broker.internal.retained.RetainedStore;
import io.starling.broker.model.Message;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Retained messages in memory, in a tree keyed by topic level, so that a new subscription finds
 * its retained messages by walking the levels its filter names instead of scanning every topic.
 * Changes are serialised by the index's monitor; lookups run without locking. A new retained
 * message that would take the index past its limits (messages, or topic and payload bytes) is
 * refused; a message replacing another of its topic is refused only when the bytes would not fit.
 */
public final class RetainedIndex implements RetainedStore {
    private static final class Node {
        final ConcurrentHashMap<String, Node> children = new ConcurrentHashMap<>(4);
        volatile @Nullable Message message;
    }

    private final Node root = new Node();
    private final AtomicInteger size = new AtomicInteger();
    private final int maxMessages;
    private final long maxBytes;
    private long bytes;

    /** An index without limits. */
    public RetainedIndex() {
        this(Integer.MAX_VALUE, Long.MAX_VALUE);
    }

    /** An index of at most {@code maxMessages} messages of at most {@code maxBytes} topic and payload bytes in all. */
    public RetainedIndex(int maxMessages, long maxBytes) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized boolean put(Message message) {
        Message present = find(message.topic());
        long after = bytes + weight(message) - (present == null ? 0 : weight(present));
        if ((present == null && size.get() >= maxMessages) || after > maxBytes) {
            return false;
        }
        bytes = after;
        String topic = message.topic();
        Node node = root;
        int start = 0;
        while (true) {
            int end = levelEnd(topic, start);
            node = node.children.computeIfAbsent(topic.substring(start, end), k -> new Node());
            if (end == topic.length()) {
                break;
            }
            start = end + 1;
        }
        if (node.message == null) {
            size.incrementAndGet();
        }
        node.message = message;
        return true;
    }

    @Override
    public synchronized void remove(String topic) {
        Message present = find(topic);
        if (present != null && remove(root, topic, 0)) {
            size.decrementAndGet();
            bytes -= weight(present);
        }
    }

    @Override
    public @Nullable Message get(String topic) {
        return find(topic);
    }

    /** Topic and payload bytes of the retained messages. */
    public synchronized long bytes() {
        return bytes;
    }

    private static long weight(Message message) {
        return message.topic().length() + (long) message.payload().length;
    }

    private @Nullable Message find(String topic) {
        Node node = root;
        int start = 0;
        while (true) {
            int end = levelEnd(topic, start);
            node = node.children.get(topic.substring(start, end));
            if (node == null) {
                return null;
            }
            if (end == topic.length()) {
                return node.message;
            }
            start = end + 1;
        }
    }

    private static boolean remove(Node node, String topic, int start) {
        int end = levelEnd(topic, start);
        String level = topic.substring(start, end);
        Node child = node.children.get(level);
        if (child == null) {
            return false;
        }
        boolean removed;
        if (end == topic.length()) {
            removed = child.message != null;
            child.message = null;
        } else {
            removed = remove(child, topic, end + 1);
        }
        if (child.message == null && child.children.isEmpty()) {
            node.children.remove(level, child);
        }
        return removed;
    }

    @Override
    public void forEachMatching(String filter, Consumer<Message> action) {
        match(root, filter, 0, true, action);
    }

    private static void match(Node node, String filter, int start, boolean first, Consumer<Message> action) {
        int end = levelEnd(filter, start);
        boolean last = end == filter.length();
        String level = filter.substring(start, end);
        if (level.equals("#")) {
            // '#' takes the parent level too ("a/#" matches "a"), unless this is the root
            if (!first) {
                emit(node, action);
            }
            node.children.forEach((name, child) -> {
                if (!(first && name.startsWith("$"))) {
                    emitAll(child, action);
                }
            });
        } else if (level.equals("+")) {
            node.children.forEach((name, child) -> {
                // [MQTT-4.7.2-1] a leading wildcard does not match topics starting with '$'
                if (!(first && name.startsWith("$"))) {
                    next(child, filter, end, last, action);
                }
            });
        } else {
            Node child = node.children.get(level);
            if (child != null) {
                next(child, filter, end, last, action);
            }
        }
    }

    private static void next(Node child, String filter, int end, boolean last, Consumer<Message> action) {
        if (last) {
            emit(child, action);
        } else {
            match(child, filter, end + 1, false, action);
        }
    }

    private static void emit(Node node, Consumer<Message> action) {
        Message message = node.message;
        if (message != null) {
            action.accept(message);
        }
    }

    private static void emitAll(Node node, Consumer<Message> action) {
        emit(node, action);
        node.children.values().forEach(child -> emitAll(child, action));
    }

    /** Calls {@code action} with every retained message, those of topics starting with {@code $} included. */
    public void forEach(Consumer<Message> action) {
        emitAll(root, action);
    }

    @Override
    public int size() {
        return size.get();
    }

    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
