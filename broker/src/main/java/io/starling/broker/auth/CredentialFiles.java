package io.starling.broker.auth;

import io.starling.broker.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reading a file of credentials, one per line, with the file's name in every error. */
final class CredentialFiles {
    private CredentialFiles() {}

    /** The lines of {@code file} (UTF-8); a file that cannot be read fails naming it and {@code what} it is. */
    static List<String> lines(Path file, String what) throws ConfigException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), "cannot read the " + what + ": " + e, e);
        }
    }
}
