package io.starling.client.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topic aliases this client uses towards the server on one connection (MQTT 5.0, 3.3.2.3.4):
 * at most the server's Topic Alias Maximum of them [MQTT-3.2.2-17]. A topic gets an alias the
 * first time it is published; once all are taken, the least recently used topic gives its alias
 * up to the new one. The first PUBLISH with an alias carries the topic too, later ones an empty
 * topic. Confined to the client's I/O thread; a new connection starts with none [MQTT-3.3.2-7].
 */
public final class OutboundTopicAliases {
    private final int maximum;
    private final LinkedHashMap<String, Integer> byTopic = new LinkedHashMap<>(16, 0.75f, true);

    public OutboundTopicAliases(int maximum) {
        this.maximum = maximum;
    }

    /** Whether topics go by alias at all: the server's Topic Alias Maximum is above 0. */
    public boolean enabled() {
        return maximum > 0;
    }

    /** Whether the server knows an alias for {@code topic} (it goes as an empty topic); leaves the order of use alone. */
    public boolean knows(String topic) {
        return byTopic.containsKey(topic);
    }

    /**
     * The alias to send {@code topic} with: positive when the server already knows it (send an
     * empty topic), negative (minus the alias) when it is new or reassigned (send the topic with
     * it), 0 when aliases are not allowed.
     */
    public int aliasFor(String topic) {
        if (maximum == 0) {
            return 0;
        }
        Integer known = byTopic.get(topic);
        if (known != null) {
            return known;
        }
        int alias;
        if (byTopic.size() < maximum) {
            alias = byTopic.size() + 1;
        } else {
            Iterator<Map.Entry<String, Integer>> eldest = byTopic.entrySet().iterator();
            alias = eldest.next().getValue();
            eldest.remove();
        }
        byTopic.put(topic, alias);
        return -alias;
    }
}
