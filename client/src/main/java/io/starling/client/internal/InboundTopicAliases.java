package io.starling.client.internal;

import org.jspecify.annotations.Nullable;

/**
 * The topic aliases the server set on one connection (MQTT 5.0): at most the client's Topic Alias
 * Maximum of them. Confined to the client's I/O thread; a new connection starts with none.
 */
public final class InboundTopicAliases {
    private final String[] topics;

    public InboundTopicAliases(int maximum) {
        this.topics = new String[maximum + 1];
    }

    /** Whether {@code alias} is one the server may use: 1 to the client's maximum [MQTT-3.3.2-8]. */
    public boolean allows(long alias) {
        return alias >= 1 && alias < topics.length;
    }

    public void set(int alias, String topic) {
        topics[alias] = topic;
    }

    /** The topic set for {@code alias}, or null if the server never set it. */
    public @Nullable String topic(int alias) {
        return topics[alias];
    }
}
