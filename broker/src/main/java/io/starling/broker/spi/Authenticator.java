package io.starling.broker.spi;

import io.starling.codec.wire.MqttVersion;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a connecting client may log in: a user database, a directory, a token check.
 * Authenticators are asked in order, each answering {@link Decision#allow allow}, {@link
 * Decision#deny deny} or {@link Decision#abstain abstain} (not mine: ask the next one); after them
 * comes the broker's own password file, then its anonymous rule. An embedding application passes
 * its authenticators to {@code Broker.start}; a deployment drops a jar on the class path with a
 * {@code META-INF/services/io.starling.broker.spi.Authenticator} file, found with {@link
 * java.util.ServiceLoader} and asked after the embedded ones.
 *
 * <p>Threads: called off the event loops, on the broker's authentication threads, so it may
 * block (a network look-up, a slow hash) without stalling traffic; it must be safe to call from
 * several threads at once.
 */
public interface Authenticator {
    /** What a client presented to log in, and where it came from. */
    record Login(
            String clientId,
            @Nullable String username,
            byte @Nullable [] password,
            InetSocketAddress remoteAddress,
            String listener,
            @Nullable String certificateIdentity,
            MqttVersion version) {}

    /** The answer about one login. */
    sealed interface Decision {
        /** Let the client in, as {@code username} (its CONNECT's, or another identity for ACLs; null: anonymous). */
        record Allow(@Nullable String username) implements Decision {}

        /** Refuse the client: bad user name or password (3.1.1 return code 4, 5.0 reason code 0x86). */
        record Deny(String reason) implements Decision {}

        /** Not this authenticator's to decide: ask the next one. */
        record Abstain() implements Decision {}

        static Decision allow(@Nullable String username) {
            return new Allow(username);
        }

        static Decision deny(String reason) {
            return new Deny(reason);
        }

        static Decision abstain() {
            return new Abstain();
        }
    }

    /** A short name for logs, such as {@code ldap}. */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * Decides about {@code login}; an exception refuses the client with "server unavailable"
     * (3.1.1 return code 3, 5.0 reason code 0x88) and is logged.
     */
    Decision authenticate(Login login) throws Exception;
}
