package io.starling.broker.internal.routing;

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
 */
final class Targets implements TopicTree.Match {
    /** Beyond this many targets, duplicates are looked up in an index rather than by a scan. */
    private static final int SCAN_LIMIT = 16;

    private final QoS published;
    private Subscriber[] subscribers = new Subscriber[4];
    private QoS[] qos = new QoS[4];
    private int size;
    private @Nullable IdentityHashMap<Subscriber, Integer> index;

    Targets(QoS published) {
        this.published = published;
    }

    @Override
    public void accept(Subscriber subscriber, QoS granted) {
        QoS effective = QoS.min(published, granted);
        int at = indexOf(subscriber);
        if (at >= 0) {
            if (effective.value() > qos[at].value()) {
                qos[at] = effective;
            }
            return;
        }
        if (size == subscribers.length) {
            subscribers = Arrays.copyOf(subscribers, size * 2);
            qos = Arrays.copyOf(qos, size * 2);
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
        size++;
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

    int size() {
        return size;
    }

    Subscriber subscriber(int i) {
        return subscribers[i];
    }

    QoS qos(int i) {
        return qos[i];
    }
}
