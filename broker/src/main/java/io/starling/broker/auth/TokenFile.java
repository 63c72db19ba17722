package io.starling.broker.auth;

import io.starling.broker.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Bearer tokens for the HTTP listener: one {@code name:token} line per token, the name saying
 * whose it is (for the log). Blank lines and lines starting with {@code #} are skipped. A token
 * has at least {@value #MIN_TOKEN_LENGTH} characters, so that a guessable one cannot be
 * configured; {@code openssl rand -hex 32} makes a good one. Immutable.
 */
public final class TokenFile {
    public static final int MIN_TOKEN_LENGTH = 16;

    private record Token(String name, byte[] secret) {}

    private final List<Token> tokens;

    private TokenFile(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    /** Reads {@code file}; a malformed line fails with the file and line. */
    public static TokenFile load(Path file) throws ConfigException {
        return parse(file.toString(), CredentialFiles.lines(file, "token file"));
    }

    /** Reads {@code lines} of the file named {@code file} (for messages). */
    public static TokenFile parse(String file, List<String> lines) throws ConfigException {
        List<Token> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNumber = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ConfigException(file, lineNumber, "expected name:token");
            }
            String name = line.substring(0, colon);
            String token = line.substring(colon + 1);
            if (token.length() < MIN_TOKEN_LENGTH) {
                throw new ConfigException(file, lineNumber, "the token of '" + name + "' is shorter than " + MIN_TOKEN_LENGTH
                        + " characters; make one with: openssl rand -hex 32");
            }
            if (!names.add(name)) {
                throw new ConfigException(file, lineNumber, "name '" + name + "' appears twice");
            }
            if (!secrets.add(token)) {
                throw new ConfigException(file, lineNumber, "the token of '" + name + "' is also another name's");
            }
            tokens.add(new Token(name, token.getBytes(StandardCharsets.UTF_8)));
        }
        return new TokenFile(tokens);
    }

    /** How many tokens the file holds. */
    public int size() {
        return tokens.size();
    }

    /**
     * The name of the token {@code presented}, or null when it is none of them. Every token is
     * compared in constant time, so the answer's timing tells nothing about how close a guess was.
     */
    public @Nullable String nameOf(String presented) {
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        String found = null;
        for (Token token : tokens) {
            if (MessageDigest.isEqual(token.secret(), given) && found == null) {
                found = token.name();
            }
        }
        return found;
    }
}
