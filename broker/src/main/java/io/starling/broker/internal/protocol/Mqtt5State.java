package io.starling.broker.internal.protocol;

import io.starling.codec.packet.Connect;
import io.starling.codec.property.Properties;
import io.starling.codec.property.PropertyId;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a connection keeps only for an MQTT 5.0 client, so that a 3.1.1 connection costs no more
 * than before: the limits the client set in its CONNECT, and the topic aliases of both
 * directions. Used on the connection's event loop only.
 */
final class Mqtt5State {
    /** The largest packet the client accepts [MQTT-3.1.2-24]; no limit without the property. */
    final int maxPacketSize;
    /** How many QoS 1 and 2 PUBLISHes the client takes unacknowledged (Receive Maximum, default 65535). */
    final int receiveMaximum;
    /** Whether Reason Strings and User Properties may go on packets other than PUBLISH, CONNACK and DISCONNECT [MQTT-3.1.2-29]. */
    final boolean problemInformation;
    /** Whether the client asked for Response Information. */
    final boolean responseInformation;
    /** The Session Expiry Interval of the CONNECT, before capping: a DISCONNECT may not raise 0 (section 3.14.2.2.2). */
    final long connectExpiry;
    private final int inboundAliasMaximum;
    private final int outboundAliasMaximum;
    private @Nullable String @Nullable [] inbound;
    private @Nullable OutboundAliases outbound;

    Mqtt5State(Connect connect, int inboundAliasMaximum) {
        Properties p = connect.properties();
        this.maxPacketSize = (int) Math.min(Integer.MAX_VALUE, p.integer(PropertyId.MAXIMUM_PACKET_SIZE).orElse(Integer.MAX_VALUE));
        this.receiveMaximum = (int) p.integer(PropertyId.RECEIVE_MAXIMUM).orElse(65535);
        this.problemInformation = p.integer(PropertyId.REQUEST_PROBLEM_INFORMATION).orElse(1) == 1;
        this.responseInformation = p.integer(PropertyId.REQUEST_RESPONSE_INFORMATION).orElse(0) == 1;
        this.connectExpiry = p.integer(PropertyId.SESSION_EXPIRY_INTERVAL).orElse(0);
        this.outboundAliasMaximum = (int) p.integer(PropertyId.TOPIC_ALIAS_MAXIMUM).orElse(0);
        this.inboundAliasMaximum = inboundAliasMaximum;
    }

    /** The broker's Topic Alias Maximum for this client. */
    int inboundAliasMaximum() {
        return inboundAliasMaximum;
    }

    /**
     * The topic of an incoming PUBLISH with {@code alias}: sets the alias when {@code topic} is
     * not empty, else looks it up; null when the alias was never set (a protocol error).
     * The caller checked that the alias is 1 to {@link #inboundAliasMaximum()} [MQTT-3.3.2-9].
     */
    @Nullable String resolveInbound(String topic, int alias) {
        String[] table = inbound;
        if (table == null) {
            table = inbound = new String[inboundAliasMaximum + 1];
        }
        if (!topic.isEmpty()) {
            table[alias] = topic;
            return topic;
        }
        return table[alias];
    }

    /**
     * The alias to send {@code topic} with, or 0 for none, and whether the client knows it yet;
     * packed as {@code alias} (known) or {@code -alias} (new: send the topic too).
     */
    int outboundAlias(String topic) {
        if (outboundAliasMaximum == 0) {
            return 0;
        }
        OutboundAliases table = outbound;
        if (table == null) {
            table = outbound = new OutboundAliases(outboundAliasMaximum);
        }
        return table.aliasFor(topic);
    }

    /**
     * Topic aliases towards the client, at most its Topic Alias Maximum [MQTT-3.3.2-10]: a topic
     * gets one the first time it is sent while there is room, and once the table is full the
     * least recently used topic gives its alias up to the new one.
     */
    private static final class OutboundAliases extends LinkedHashMap<String, Integer> {
        private static final long serialVersionUID = 1L;
        private final int maximum;
        private int evicted;

        OutboundAliases(int maximum) {
            super(16, 0.75f, true);
            this.maximum = maximum;
        }

        int aliasFor(String topic) {
            Integer known = get(topic);
            if (known != null) {
                return known;
            }
            int alias = size() < maximum ? size() + 1 : 0;
            evicted = 0;
            put(topic, alias);
            if (alias == 0) {
                // removeEldestEntry took the least recently used one out and left its alias
                alias = evicted;
                put(topic, alias);
            }
            return -alias;
        }

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
            if (size() > maximum) {
                evicted = eldest.getValue();
                return true;
            }
            return false;
        }
    }
}
