package io.starling.broker.internal.routing;

import io.starling.broker.model.Message;
import io.starling.broker.model.SubscriptionOptions;
import io.starling.codec.packet.QoS;
import java.util.Arrays;
import java.util.IdentityHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The subscribers one message goes to, each once, at the highest QoS granted among its matching
 * subscriptions, downgraded to the published QoS [MQTT-3.3.5-1]. Two arrays in match order, not
 * a map: a publish usually matches a handful of subscriptions, and this is allocated per publish.
 * Duplicates are found by a scan while there are few, through an identity index beyond that.
 * Filled by one thread, then read-only.
 *
 * <p>The MQTT 5.0 options are applied here too: a No Local subscription does not match its own
 * session's messages [MQTT-3.8.3-3]; a Retain As Published one keeps the message's RETAIN flag
 * [MQTT-3.3.1-13]; and a subscriber gets the identifiers of all its matching subscriptions
 * [MQTT-3.3.4-3]. The arrays for those are made only when a subscription uses them.
 */
final class Targets implements TopicTree.Match {
    /** Beyond this many targets, duplicates are looked up in an index rather than by a scan. */
    private static final int SCAN_LIMIT = 16;
    private static final int[] NO_IDS = new int[0];

    private final QoS published;
    private final String publisherId;
    private final boolean retained;
    /** Whether {@link Subscriber#remote remote} subscribers are left out: for a message another node forwarded. */
    private final boolean localOnly;
    private Subscriber[] subscribers = new Subscriber[4];
    private QoS[] qos = new QoS[4];
    private boolean @Nullable [] retain;
    private int @Nullable [] @Nullable [] identifiers;
    private int size;
    private @Nullable IdentityHashMap<Subscriber, Integer> index;

    Targets(Message message) {
        this(message, false);
    }

    Targets(Message message, boolean localOnly) {
        this.published = message.qos();
        this.publisherId = message.publisherId();
        this.retained = message.retain();
        this.localOnly = localOnly;
    }

    @Override
    public void accept(Subscriber subscriber, SubscriptionOptions options) {
        if (localOnly && subscriber.remote()) {
            return;
        }
        if (options.noLocal() && subscriber.clientId().equals(publisherId)) {
            return;
        }
        QoS effective = QoS.min(published, options.qos());
        int at = indexOf(subscriber);
        if (at >= 0) {
            if (effective.value() > qos[at].value()) {
                qos[at] = effective;
            }
        } else {
            at = add(subscriber, effective);
        }
        if (options.retainAsPublished() && retained) {
            boolean[] r = retain;
            if (r == null) {
                r = retain = new boolean[subscribers.length];
            }
            r[at] = true;
        }
        if (options.identifier() != 0) {
            addIdentifier(at, options.identifier());
        }
    }

    private int add(Subscriber subscriber, QoS effective) {
        if (size == subscribers.length) {
            subscribers = Arrays.copyOf(subscribers, size * 2);
            qos = Arrays.copyOf(qos, size * 2);
            if (retain != null) {
                retain = Arrays.copyOf(retain, size * 2);
            }
            if (identifiers != null) {
                identifiers = Arrays.copyOf(identifiers, size * 2);
            }
        }
        subscribers[size] = subscriber;
        qos[size] = effective;
        if (index != null) {
            index.put(subscriber, size);
        } else if (size == SCAN_LIMIT) {
            index = new IdentityHashMap<>(SCAN_LIMIT * 4);
            for (int i = 0; i <= size; i++) {
                index.put(subscribers[i], i);
            }
        }
        return size++;
    }

    private void addIdentifier(int at, int identifier) {
        int[][] ids = identifiers;
        if (ids == null) {
            ids = identifiers = new int[subscribers.length][];
        }
        int[] existing = ids[at];
        if (existing == null) {
            ids[at] = new int[] {identifier};
        } else {
            int[] more = Arrays.copyOf(existing, existing.length + 1);
            more[existing.length] = identifier;
            ids[at] = more;
        }
    }

    private int indexOf(Subscriber subscriber) {
        if (index != null) {
            Integer at = index.get(subscriber);
            return at == null ? -1 : at;
        }
        for (int i = 0; i < size; i++) {
            if (subscribers[i] == subscriber) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Drops the targets that may not read {@code topic} (the ACL file's delivery check: once per
     * subscriber, without allocating), keeping the others in order; returns how many went. Call
     * once matching is done.
     */
    int dropUnreadable(String topic) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (!subscribers[i].mayRead(topic)) {
                continue;
            }
            if (kept != i) {
                subscribers[kept] = subscribers[i];
                qos[kept] = qos[i];
                boolean[] r = retain;
                if (r != null) {
                    r[kept] = r[i];
                }
                int[][] ids = identifiers;
                if (ids != null) {
                    ids[kept] = ids[i];
                }
            }
            kept++;
        }
        int dropped = size - kept;
        if (dropped > 0) {
            size = kept;
            // positions moved; nothing is added after matching, so the index is not needed again
            index = null;
        }
        return dropped;
    }

    int size() {
        return size;
    }

    Subscriber subscriber(int i) {
        return subscribers[i];
    }

    QoS qos(int i) {
        return qos[i];
    }

    /** The RETAIN flag target {@code i} gets: the published one with Retain As Published, else 0 [MQTT-3.3.1-12]. */
    boolean retain(int i) {
        boolean[] r = retain;
        return r != null && r[i];
    }

    /** The subscription identifiers of target {@code i}'s matching subscriptions; empty for none. */
    int[] identifiers(int i) {
        int[][] ids = identifiers;
        int[] mine = ids == null ? null : ids[i];
        return mine == null ? NO_IDS : mine;
    }
}
