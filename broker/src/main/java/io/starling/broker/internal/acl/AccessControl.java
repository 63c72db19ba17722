package io.starling.broker.internal.acl;

import io.starling.broker.config.ConfigException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's authorization: the ACL file in force (none: everything is allowed), replaced as a
 * whole on reload, and the {@link ClientRights} of each client, which follow the file in force.
 */
public final class AccessControl {
    private static final Logger log = LoggerFactory.getLogger(AccessControl.class);

    private volatile @Nullable AclFile file;

    public AccessControl(@Nullable AclFile file) {
        this.file = file;
    }

    /** Access control with the file at {@code aclFile} loaded, or with none when it is null. */
    public static AccessControl load(@Nullable Path aclFile) throws ConfigException {
        AccessControl control = new AccessControl(aclFile == null ? null : AclFile.load(aclFile));
        if (control.file != null) {
            log.info("authorization: {}", control.file);
        }
        return control;
    }

    /** The ACL file in force, or null when there is none. */
    public @Nullable AclFile file() {
        return file;
    }

    /**
     * Puts {@code replacement} in force (null: no ACL file, everything allowed), atomically:
     * every later check of every client uses it, and the decisions cached with the old file are
     * not used again. Subscriptions made under the old file stay; what they bring is checked
     * against the new one at delivery.
     */
    public void reload(@Nullable AclFile replacement) {
        this.file = replacement;
        log.info("authorization reloaded: {}", replacement == null ? "no ACL file, everything allowed" : replacement);
    }

    /** The rights of the client {@code clientId} let in with {@code username} (null: anonymous). */
    public ClientRights rights(@Nullable String username, String clientId) {
        return new ClientRights(this, username, clientId);
    }
}
