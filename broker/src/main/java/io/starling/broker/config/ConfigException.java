package io.starling.broker.config;

import java.io.IOException;
import java.util.Optional;
import java.util.OptionalInt;
import org.jspecify.annotations.Nullable;

/**
 * A configuration that cannot be used, saying where: the message is {@code FILE:LINE: KEY: problem},
 * for example {@code broker.yaml:7: listeners[1].port: must be 0 to 65535, not 70000}. The line and
 * the key are left out when there is none (an unreadable file has no line, a YAML syntax error has
 * no key).
 *
 * <p>Checked on purpose: whoever loads a configuration (the CLI, an embedding application) has to
 * decide how to report it, because a broker never starts on a configuration it could not fully read.
 * An {@link IOException}, since it is about files that could not be used: {@code Broker.start}
 * reports a broken password file, ACL file or certificate with one, among its other I/O failures.
 */
public final class ConfigException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line; // 0: the problem is not on a line
    private final @Nullable String key;
    private final String problem;

    /** A problem with the value of {@code key} (a path such as {@code listeners[0].port}) on a 1-based {@code line}. */
    public ConfigException(String file, int line, String key, String problem) {
        this(file, firstLineIsOne(line), key, problem, null);
    }

    /** A problem on a 1-based {@code line} that belongs to no key, such as a YAML syntax error. */
    public ConfigException(String file, int line, String problem) {
        this(file, firstLineIsOne(line), null, problem, null);
    }

    /** A problem with the file as a whole, such as a file that cannot be read. */
    public ConfigException(String file, String problem, @Nullable Throwable cause) {
        this(file, 0, null, problem, cause);
    }

    /** For the loader: {@code line} 0 and {@code key} null mean none. */
    ConfigException(String file, int line, @Nullable String key, String problem, @Nullable Throwable cause) {
        super(format(file, line, key, problem), cause);
        this.file = file;
        this.line = line;
        this.key = key;
        this.problem = problem;
    }

    private static int firstLineIsOne(int line) {
        if (line < 1) {
            throw new IllegalArgumentException("lines count from 1, not " + line);
        }
        return line;
    }

    private static String format(String file, int line, @Nullable String key, String problem) {
        StringBuilder message = new StringBuilder(file);
        if (line > 0) {
            message.append(':').append(line);
        }
        message.append(": ");
        if (key != null) {
            message.append(key).append(": ");
        }
        return message.append(problem).toString();
    }

    /** The configuration file as the user named it. */
    public String file() {
        return file;
    }

    /** The 1-based line the problem is on, if it is on one. */
    public OptionalInt line() {
        return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
    }

    /** The key the problem is about, as a path such as {@code listeners[0].bind}, if there is one. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** What is wrong, without the location. */
    public String problem() {
        return problem;
    }
}
