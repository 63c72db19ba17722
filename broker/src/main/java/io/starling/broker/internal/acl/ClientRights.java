package io.starling.broker.internal.acl;

import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * What one session's client (a user name, or none, and a client identifier) may do, as the
 * broker's current ACL file says, with its decisions per topic cached, so that a check costs a
 * map lookup. Safe from any thread: publishers' threads ask {@link #mayRead} while routing to the
 * session. With no ACL file, every check is one volatile read and a null check.
 *
 * <p>Decisions are kept for the {@link AclFile} they were made with: after a reload, the first
 * check sees a different file and starts afresh. Each cache holds at most {@value #CACHE_LIMIT}
 * topics and is emptied when full (a client going through many distinct topics pays the rule
 * scan again rather than growing memory).
 */
public final class ClientRights {
    static final int CACHE_LIMIT = 1024;

    private final AccessControl control;
    private final @Nullable String username;
    private final String clientId;
    private volatile @Nullable Decisions decisions;

    ClientRights(AccessControl control, @Nullable String username, String clientId) {
        this.control = control;
        this.username = username;
        this.clientId = clientId;
    }

    /** The rules of one file for this client, and the decisions made with them. */
    private static final class Decisions {
        final AclFile file;
        final ClientRules rules;
        final ConcurrentHashMap<String, Boolean> read = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, Boolean> write = new ConcurrentHashMap<>();

        Decisions(AclFile file, ClientRules rules) {
            this.file = file;
            this.rules = rules;
        }
    }

    /** The user name the client was let in with; null for an anonymous client. */
    public @Nullable String username() {
        return username;
    }

    public String clientId() {
        return clientId;
    }

    /** Whether the client may receive a message published to {@code topic}. */
    public boolean mayRead(String topic) {
        AclFile file = control.file();
        if (file == null) {
            return true;
        }
        Decisions d = decisions(file);
        Boolean known = d.read.get(topic);
        if (known != null) {
            return known;
        }
        boolean allowed = d.rules.mayRead(topic);
        remember(d.read, topic, allowed);
        return allowed;
    }

    /** Whether the client may publish to {@code topic} (a message, or its will). */
    public boolean mayWrite(String topic) {
        AclFile file = control.file();
        if (file == null) {
            return true;
        }
        Decisions d = decisions(file);
        Boolean known = d.write.get(topic);
        if (known != null) {
            return known;
        }
        boolean allowed = d.rules.mayWrite(topic);
        remember(d.write, topic, allowed);
        return allowed;
    }

    /**
     * Whether the client may subscribe to {@code filter}, a valid topic filter (for a shared
     * subscription, its filter without {@code $share/{group}/}): see {@link ClientRules#maySubscribe}.
     * Not cached: a SUBSCRIBE is rare next to the messages it brings.
     */
    public boolean maySubscribe(String filter) {
        AclFile file = control.file();
        return file == null || decisions(file).rules.maySubscribe(filter);
    }

    private Decisions decisions(AclFile file) {
        Decisions d = decisions;
        if (d == null || d.file != file) {
            // two threads may both build them after a reload: the same rules, one kept
            d = new Decisions(file, file.rulesFor(username, clientId));
            decisions = d;
        }
        return d;
    }

    private static void remember(ConcurrentHashMap<String, Boolean> cache, String topic, boolean allowed) {
        if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
        }
        cache.put(topic, allowed);
    }

    @Override
    public String toString() {
        return "ClientRights[" + (username == null ? "anonymous" : "user " + username) + ", client " + clientId + "]";
    }
}
