package io.starling.broker.internal.auth;

import io.starling.broker.auth.PasswordFile;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.config.ConfigException;
import io.starling.broker.spi.Authenticator;
import io.starling.broker.spi.Authenticator.Decision;
import io.starling.codec.packet.ReasonCode;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a CONNECT may go on, asking in order: the {@link Authenticator}s (embedded
 * ones, then those found with ServiceLoader), the certificate identity on a listener with {@code
 * use_identity_as_username}, the password file for a client with a user name, and last the
 * anonymous rule ({@code allow_anonymous}; by default loopback listeners only). A password file
 * does not change the anonymous rule; a client let in by it is anonymous whatever user name it
 * sent, since nothing checked that name.
 *
 * <p>Hashing a password and asking a plug-in can take milliseconds, so they run on a few
 * authentication threads behind a bounded queue, never on an event loop; a full queue refuses the
 * client with "server busy". A decision that needs neither (no password file and no plug-in, or a
 * client without a user name) is made at once, on the caller's thread.
 */
public final class Authentication implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Authentication.class);
    /** Logins waiting for an authentication thread at most; beyond, clients are told the server is busy. */
    public static final int DEFAULT_QUEUE = 4096;

    /** What was decided: let in as {@code username} (null: anonymous), or refused with {@code code}. */
    public record Verdict(ReasonCode code, @Nullable String username, String reason) {
        static Verdict allow(@Nullable String username) {
            return new Verdict(ReasonCode.SUCCESS, username, "");
        }

        public boolean allowed() {
            return code == ReasonCode.SUCCESS;
        }
    }

    /** The configuration and the password file it names, swapped together on reload. */
    private record State(BrokerConfig config, @Nullable PasswordFile passwords) {}

    private final List<Authenticator> authenticators;
    private final ThreadPoolExecutor threads;
    private volatile State state;

    /**
     * Loads the password file of {@code config}, if any (its warnings are logged), with {@code
     * authenticators} asked first, in order; {@code threads} authentication threads with a queue
     * of {@code queue} logins.
     */
    public Authentication(BrokerConfig config, List<Authenticator> authenticators, int threads, int queue) throws ConfigException {
        this.authenticators = List.copyOf(authenticators);
        this.state = load(config);
        AtomicInteger n = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "starling-auth-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // no thread at all until a login needs one, and none while no login does
        this.threads.allowCoreThreadTimeOut(true);
    }

    /** With half the processors (at least 2, at most 8) as authentication threads and {@link #DEFAULT_QUEUE}. */
    public Authentication(BrokerConfig config, List<Authenticator> authenticators) throws ConfigException {
        this(config, authenticators, Math.min(8, Math.max(2, Runtime.getRuntime().availableProcessors() / 2)), DEFAULT_QUEUE);
    }

    private static State load(BrokerConfig config) throws ConfigException {
        PasswordFile passwords = config.passwordFile() == null ? null : PasswordFile.load(config.passwordFile());
        if (passwords != null) {
            passwords.warnings().forEach(log::warn);
        }
        return new State(config, passwords);
    }

    /**
     * Reads the password file of {@code config} afresh and uses it, with {@code config}'s
     * anonymous rule, for the logins from now on. A file that cannot be read or has a bad line
     * throws, and the password file in use stays.
     */
    public void reload(BrokerConfig config) throws ConfigException {
        State loaded = load(config);
        replace(loaded.config, loaded.passwords);
    }

    /**
     * Uses {@code passwords} (read already from {@code config}'s password file; null for none) and
     * {@code config}'s anonymous rule for the logins from now on.
     */
    public void replace(BrokerConfig config, @Nullable PasswordFile passwords) {
        state = new State(config, passwords);
        log.info("authentication reloaded: {}", passwords == null ? "no password file"
                : passwords.size() + " users from " + passwords.file());
    }

    /** The password file in use, or null. */
    public @Nullable PasswordFile passwords() {
        return state.passwords;
    }

    /** Whether a password file is configured (the SCRAM-SHA-256 mechanism is offered then). */
    public boolean hasPasswordFile() {
        return state.passwords != null;
    }

    /**
     * Decides about {@code login} on {@code listener}: returns the verdict when it can be made at
     * once, else null, and later runs {@code then} with it on {@code loop} (the connection's
     * event loop).
     */
    public @Nullable Verdict authenticate(Authenticator.Login login, BrokerConfig.Listener listener, Executor loop,
            Consumer<Verdict> then) {
        State now = state;
        boolean identified = takesIdentity(listener) && login.certificateIdentity() != null;
        if (authenticators.isEmpty() && (identified || now.passwords == null || login.username() == null)) {
            // nothing slow to do: the benchmarks' and most embedded brokers' path, without a thread hop
            return builtIn(now, login, listener);
        }
        try {
            threads.execute(() -> {
                Verdict verdict = decide(now, login, listener);
                try {
                    loop.execute(() -> then.accept(verdict));
                } catch (RejectedExecutionException e) {
                    // the broker is stopping: the connection goes with it
                }
            });
            return null;
        } catch (RejectedExecutionException e) {
            return new Verdict(ReasonCode.SERVER_BUSY, null, "too many logins waiting to be checked");
        }
    }

    /** On an authentication thread: the plug-ins, then the broker's own rules. */
    private Verdict decide(State now, Authenticator.Login login, BrokerConfig.Listener listener) {
        for (Authenticator authenticator : authenticators) {
            Decision decision;
            try {
                decision = authenticator.authenticate(login);
            } catch (Exception e) {
                log.warn("authenticator {} failed for client {}", authenticator.name(), login.clientId(), e);
                return new Verdict(ReasonCode.SERVER_UNAVAILABLE, null, "authenticator " + authenticator.name() + " failed");
            }
            if (decision instanceof Decision.Allow allow) {
                return Verdict.allow(allow.username());
            }
            if (decision instanceof Decision.Deny deny) {
                return new Verdict(ReasonCode.BAD_USER_NAME_OR_PASSWORD, null, authenticator.name() + ": " + deny.reason());
            }
        }
        return builtIn(now, login, listener);
    }

    private static boolean takesIdentity(BrokerConfig.Listener listener) {
        BrokerConfig.Tls tls = listener.tls();
        return tls != null && tls.identity() != null;
    }

    /** The certificate identity, the password file and the anonymous rule. */
    private static Verdict builtIn(State now, Authenticator.Login login, BrokerConfig.Listener listener) {
        String identity = login.certificateIdentity();
        if (takesIdentity(listener) && identity != null) {
            // use_identity_as_username: the certificate names the user and the password file is
            // not consulted, as in Mosquitto; a client without a certificate (client_auth
            // optional) logs in like on any other listener
            return Verdict.allow(identity);
        }
        String username = login.username();
        PasswordFile passwords = now.passwords;
        if (username != null && passwords != null) {
            return passwords.check(username, login.password()) ? Verdict.allow(username)
                    : new Verdict(ReasonCode.BAD_USER_NAME_OR_PASSWORD, null, "bad user name or password");
        }
        // no user name, or no user database: the anonymous rule; a user name is then an unchecked
        // label, which ACL user rules still go by, as in Mosquitto
        return now.config.anonymousAllowedOn(listener) ? Verdict.allow(username)
                : new Verdict(ReasonCode.NOT_AUTHORIZED, null, "anonymous clients are not allowed on this listener");
    }

    /** Stops the authentication threads; logins still waiting are dropped with their connections. */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
