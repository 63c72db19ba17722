package io.starling.broker.internal.auth;

import io.starling.broker.config.BrokerConfig;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.Bytes;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a CONNECT may go on. A client without a user name is anonymous: let in where
 * the configuration allows anonymous clients (by default, loopback listeners only), refused with
 * "not authorized" elsewhere. A client with a user name is checked against the password file when
 * there is one, and refused with "bad user name or password" when it does not match.
 */
public final class Authenticator {
    private final BrokerConfig config;
    private final @Nullable PasswordFile passwords;

    public Authenticator(BrokerConfig config) throws IOException {
        this.config = config;
        this.passwords = config.passwordFile() == null ? null : PasswordFile.load(config.passwordFile());
    }

    /** {@link ReasonCode#SUCCESS}, {@link ReasonCode#BAD_USER_NAME_OR_PASSWORD} or {@link ReasonCode#NOT_AUTHORIZED}. */
    public ReasonCode authenticate(BrokerConfig.Listener listener, @Nullable String username, @Nullable Bytes password) {
        boolean anonymousAllowed = config.anonymousAllowedOn(listener);
        if (username == null) {
            return anonymousAllowed ? ReasonCode.SUCCESS : ReasonCode.NOT_AUTHORIZED;
        }
        if (passwords == null) {
            // no user database: a user name is only a label, as for an anonymous client
            return anonymousAllowed ? ReasonCode.SUCCESS : ReasonCode.NOT_AUTHORIZED;
        }
        return passwords.check(username, password == null ? null : password.toArray())
                ? ReasonCode.SUCCESS
                : ReasonCode.BAD_USER_NAME_OR_PASSWORD;
    }
}
