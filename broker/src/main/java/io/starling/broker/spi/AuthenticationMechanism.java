package io.starling.broker.spi;

import org.jspecify.annotations.Nullable;

/**
 * An MQTT 5.0 enhanced authentication mechanism (section 4.12), such as SCRAM or Kerberos: a
 * challenge and response exchange carried by the Authentication Data of CONNECT, AUTH and CONNACK.
 * A mechanism is found with {@link java.util.ServiceLoader} (a jar on the class path with a {@code
 * META-INF/services/io.starling.broker.spi.AuthenticationMechanism} file) and chosen by the
 * Authentication Method a client names in its CONNECT; a method no mechanism answers gets CONNACK
 * 0x8C (bad authentication method).
 *
 * <p>A client that passes a mechanism is authenticated by it: neither the {@link Authenticator}s
 * nor the password file are consulted. The broker has one mechanism of its own, {@code
 * SCRAM-SHA-256}, offered when a password file is configured; a plug-in for the same method
 * replaces it.
 * The same mechanism answers a re-authentication (AUTH 0x19) on the connection.
 *
 * <p>Threads: {@link Exchange#next} runs on the connection's event loop and must not block; a
 * mechanism that needs slow work (a directory look-up, say) is not supported yet.
 */
public interface AuthenticationMechanism {
    /** The Authentication Method it answers, compared exactly, for example {@code SCRAM-SHA-256}. */
    String method();

    /**
     * Starts the exchange of one connection: at CONNECT, or when the connected client asks to
     * re-authenticate ({@code reauthentication}). {@code username} is the CONNECT's at CONNECT, the
     * one the connection was let in as on re-authentication; null when there is none.
     */
    Exchange start(String clientId, @Nullable String username, boolean reauthentication);

    /** One exchange, step by step; used by one connection at a time. */
    interface Exchange {
        /**
         * The mechanism's answer to the Authentication Data the client just sent (null when it
         * sent none): the first call gets the CONNECT's (or AUTH 0x19's), each later one an AUTH
         * 0x18's.
         */
        Step next(byte @Nullable [] data);
    }

    /** What the mechanism answers: more data to send, success, or failure. */
    sealed interface Step {
        /** Send {@code data} in AUTH 0x18 (continue authentication) and wait for the client's answer. */
        record Continue(byte[] data) implements Step {}

        /**
         * The client is authenticated as {@code username} (null: as the CONNECT's user name, which
         * {@link #start} was given); {@code data} (or null) goes in the CONNACK or AUTH 0x00. A
         * re-authentication keeps the user name the connection has.
         */
        record Success(byte @Nullable [] data, @Nullable String username) implements Step {
            /** Authenticated as the CONNECT's user name. */
            public Success(byte @Nullable [] data) {
                this(data, null);
            }
        }

        /** The client is refused, for {@code reason} (logged, and sent as Reason String). */
        record Failure(String reason) implements Step {}
    }
}
