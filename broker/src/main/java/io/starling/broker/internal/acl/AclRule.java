package io.starling.broker.internal.acl;

import org.jspecify.annotations.Nullable;

/**
 * One {@code topic} or {@code pattern} line of an ACL file: what it grants (or denies) on the
 * topics its filter matches. A pattern's filter may hold levels that are exactly {@code %c} (the
 * client identifier) or {@code %u} (the user name), filled in for each client.
 *
 * @param access what the line grants, or {@link Access#DENY}
 * @param filter the topic filter as written (a pattern's with its {@code %c} and {@code %u})
 * @param pattern whether it came from a {@code pattern} line, which applies to every client
 * @param line the 1-based line of the file it came from, for messages
 */
public record AclRule(Access access, String filter, boolean pattern, int line) {

    /** The access word of a line; {@code readwrite} when none is written. */
    public enum Access {
        READ("read"),
        WRITE("write"),
        READWRITE("readwrite"),
        DENY("deny");

        private final String word;

        Access(String word) {
            this.word = word;
        }

        /** The access named {@code word} as written in a file, or null. */
        static @Nullable Access parse(String word) {
            for (Access access : values()) {
                if (access.word.equals(word)) {
                    return access;
                }
            }
            return null;
        }

        boolean reads() {
            return this == READ || this == READWRITE;
        }

        boolean writes() {
            return this == WRITE || this == READWRITE;
        }
    }
}
