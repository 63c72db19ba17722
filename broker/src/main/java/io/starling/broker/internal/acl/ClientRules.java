package io.starling.broker.internal.acl;

import io.starling.codec.wire.TopicMatcher;
import java.util.List;

/**
 * The rules of an ACL file that apply to one client, with its patterns filled in: deny rules,
 * and the filters it may read and write. A deny rule wins over any allow, whatever their order
 * in the file; what no rule allows is refused. Immutable.
 */
final class ClientRules {
    private final String[] deny;
    private final String[] read;
    private final String[] write;

    ClientRules(List<String> deny, List<String> read, List<String> write) {
        this.deny = deny.toArray(String[]::new);
        this.read = read.toArray(String[]::new);
        this.write = write.toArray(String[]::new);
    }

    /** Whether the client may receive a message published to {@code topic}. */
    boolean mayRead(String topic) {
        return !matchesAny(deny, topic) && matchesAny(read, topic);
    }

    /** Whether the client may publish to {@code topic}. */
    boolean mayWrite(String topic) {
        return !matchesAny(deny, topic) && matchesAny(write, topic);
    }

    /**
     * Whether the client may subscribe to {@code filter} (a shared subscription's filter without
     * its {@code $share/{group}/}): not when a deny rule covers it, or matches it taken literally
     * as a topic name (as Mosquitto matches subscriptions against rules: deny {@code a/+} refuses
     * {@code a/#}); else when a read rule covers it. A granted filter may still overlap a
     * narrower deny rule: messages are checked again at delivery ({@link #mayRead}).
     */
    boolean maySubscribe(String filter) {
        for (String rule : deny) {
            if (FilterCover.covers(rule, filter) || TopicMatcher.matches(rule, filter)) {
                return false;
            }
        }
        for (String rule : read) {
            if (FilterCover.covers(rule, filter)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matchesAny(String[] filters, String topic) {
        for (String filter : filters) {
            if (TopicMatcher.matches(filter, topic)) {
                return true;
            }
        }
        return false;
    }
}
