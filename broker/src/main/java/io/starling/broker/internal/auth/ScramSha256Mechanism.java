package io.starling.broker.internal.auth;

import io.starling.broker.auth.PasswordFile;
import io.starling.broker.auth.PasswordHash;
import io.starling.broker.auth.Pbkdf2;
import io.starling.broker.spi.AuthenticationMechanism;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * SCRAM-SHA-256 (RFC 5802 with RFC 7677's hash) as the MQTT 5.0 enhanced authentication method
 * {@code SCRAM-SHA-256}, with the credentials of the password file's {@code $scram-sha-256$}
 * lines: client-first in the CONNECT's Authentication Data, server-first in AUTH 0x18,
 * client-final in AUTH 0x18, server-final ({@code v=}) in the CONNACK. No channel binding (the
 * client's GS2 header is {@code n,,} or {@code y,,}), and the password is used as its UTF-8 bytes,
 * without SASLprep. A user without SCRAM credentials goes through the same steps with made-up ones
 * and fails like a wrong proof, so that the exchange does not tell who exists. Each step is a few
 * HMACs: it runs on the event loop.
 */
public final class ScramSha256Mechanism implements AuthenticationMechanism {
    public static final String METHOD = "SCRAM-SHA-256";

    private final Authentication authentication;
    /** Made-up credentials for users without SCRAM ones are derived from this, stable for the broker's life. */
    private final byte[] secret = Pbkdf2.random(32);
    private volatile IterationsOf cached = new IterationsOf(null, PasswordHash.DEFAULT_ITERATIONS);

    /** The iteration count most SCRAM users of a password file have. */
    private record IterationsOf(@Nullable PasswordFile file, int iterations) {}

    public ScramSha256Mechanism(Authentication authentication) {
        this.authentication = authentication;
    }

    @Override
    public String method() {
        return METHOD;
    }

    @Override
    public Exchange start(String clientId, @Nullable String username, boolean reauthentication) {
        return new ScramExchange(username);
    }

    private int usualIterations(PasswordFile file) {
        IterationsOf known = cached;
        if (known.file == file) {
            return known.iterations;
        }
        Map<Integer, Integer> counts = new HashMap<>();
        int best = PasswordHash.DEFAULT_ITERATIONS;
        int bestCount = 0;
        for (String user : file.users()) {
            if (file.entry(user) instanceof PasswordHash.ScramSha256 s) {
                int n = counts.merge(s.iterations(), 1, Integer::sum);
                if (n > bestCount) {
                    best = s.iterations();
                    bestCount = n;
                }
            }
        }
        cached = new IterationsOf(file, best);
        return best;
    }

    /** One exchange: client-first, then client-final. */
    private final class ScramExchange implements Exchange {
        /** The user name the client must authenticate as: the CONNECT's or the connection's; null: any. */
        private final @Nullable String expectedUser;
        private int step;
        private String gs2Header = "";
        private String clientFirstBare = "";
        private String serverFirst = "";
        private String nonce = "";
        private String user = "";
        private PasswordHash.ScramSha256 credentials = new PasswordHash.ScramSha256(1, new byte[1], new byte[32], new byte[32]);
        /** False when the credentials are made up, or the user is not the one expected: the exchange then fails. */
        private boolean genuine;

        ScramExchange(@Nullable String expectedUser) {
            this.expectedUser = expectedUser;
        }

        @Override
        public Step next(byte @Nullable [] data) {
            if (data == null) {
                return new Step.Failure("SCRAM-SHA-256 needs Authentication Data");
            }
            String message = new String(data, StandardCharsets.UTF_8);
            step++;
            try {
                return switch (step) {
                    case 1 -> clientFirst(message);
                    case 2 -> clientFinal(message);
                    default -> new Step.Failure("the SCRAM exchange is over");
                };
            } catch (IllegalArgumentException e) {
                return new Step.Failure("malformed SCRAM message: " + e.getMessage());
            }
        }

        /** {@code gs2-header client-first-message-bare} (RFC 5802 section 7). */
        private Step clientFirst(String message) {
            int first = message.indexOf(',');
            int second = first < 0 ? -1 : message.indexOf(',', first + 1);
            if (second < 0) {
                throw new IllegalArgumentException("no GS2 header");
            }
            String cbind = message.substring(0, first);
            if (!cbind.equals("n") && !cbind.equals("y")) {
                // p=...: the client wants channel binding, which MQTT gives no way to carry
                return new Step.Failure("channel binding is not supported");
            }
            String authzid = message.substring(first + 1, second);
            gs2Header = message.substring(0, second + 1);
            clientFirstBare = message.substring(second + 1);
            String[] attributes = clientFirstBare.split(",", -1);
            if (attributes.length < 2 || !attributes[0].startsWith("n=") || !attributes[1].startsWith("r=")) {
                throw new IllegalArgumentException("expected n=user,r=nonce");
            }
            if (attributes.length > 2 && attributes[2].startsWith("m=")) {
                return new Step.Failure("mandatory extension not supported");
            }
            user = saslName(attributes[0].substring(2));
            String clientNonce = attributes[1].substring(2);
            if (clientNonce.isEmpty() || user.isEmpty()) {
                throw new IllegalArgumentException("empty user name or nonce");
            }
            boolean expected = (expectedUser == null || expectedUser.equals(user))
                    && (authzid.isEmpty() || authzid.equals("a=" + attributes[0].substring(2)));
            PasswordFile file = authentication.passwords();
            PasswordHash entry = file == null ? null : file.entry(user);
            if (entry instanceof PasswordHash.ScramSha256 s) {
                credentials = s;
                genuine = expected;
            } else {
                // made up, but stable per user: asking twice does not show a different salt
                byte[] derived = Pbkdf2.hmac(Pbkdf2.HMAC_SHA256, secret, user.getBytes(StandardCharsets.UTF_8));
                byte[] salt = new byte[16];
                System.arraycopy(derived, 0, salt, 0, 16);
                int iterations = file == null ? PasswordHash.DEFAULT_ITERATIONS : usualIterations(file);
                credentials = new PasswordHash.ScramSha256(iterations, salt, Pbkdf2.random(32), Pbkdf2.random(32));
                genuine = false;
            }
            nonce = clientNonce + Base64.getEncoder().withoutPadding().encodeToString(Pbkdf2.random(18));
            serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credentials.salt()) + ",i=" + credentials.iterations();
            return new Step.Continue(serverFirst.getBytes(StandardCharsets.UTF_8));
        }

        /** {@code c=channel-binding,r=nonce[,extensions],p=proof}. */
        private Step clientFinal(String message) {
            int proofAt = message.lastIndexOf(",p=");
            if (proofAt < 0) {
                throw new IllegalArgumentException("no proof");
            }
            String withoutProof = message.substring(0, proofAt);
            byte[] proof = Base64.getDecoder().decode(message.substring(proofAt + 3));
            String[] attributes = withoutProof.split(",", -1);
            if (attributes.length < 2 || !attributes[0].startsWith("c=") || !attributes[1].startsWith("r=")) {
                throw new IllegalArgumentException("expected c=...,r=...,p=...");
            }
            boolean bindingMatches = MessageDigest.isEqual(Base64.getDecoder().decode(attributes[0].substring(2)),
                    gs2Header.getBytes(StandardCharsets.UTF_8));
            boolean nonceMatches = attributes[1].substring(2).equals(nonce);
            byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
            // ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage); it is right when H(ClientKey) = StoredKey
            byte[] signature = Pbkdf2.hmac(Pbkdf2.HMAC_SHA256, credentials.storedKey(), authMessage);
            byte[] clientKey = new byte[signature.length];
            for (int i = 0; i < signature.length; i++) {
                clientKey[i] = (byte) (signature[i] ^ (i < proof.length ? proof[i] : 0));
            }
            boolean proven = proof.length == signature.length
                    && MessageDigest.isEqual(PasswordHash.ScramSha256.storedKey(clientKey), credentials.storedKey());
            byte[] serverSignature = Pbkdf2.hmac(Pbkdf2.HMAC_SHA256, credentials.serverKey(), authMessage);
            if (!(proven && genuine && bindingMatches && nonceMatches)) {
                return new Step.Failure("SCRAM authentication of '" + user + "' failed");
            }
            return new Step.Success(("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8),
                    user);
        }
    }

    /** A saslname with its {@code =2C} and {@code =3D} escapes undone (RFC 5802 section 5.1). */
    static String saslName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '=') {
                String escape = name.length() >= i + 3 ? name.substring(i, i + 3) : name.substring(i);
                if (escape.equals("=2C")) {
                    out.append(',');
                } else if (escape.equals("=3D")) {
                    out.append('=');
                } else {
                    throw new IllegalArgumentException("bad escape in the user name");
                }
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
