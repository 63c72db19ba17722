package io.starling.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The payload of pub's and rr's -f and -s, read before connecting as mosquitto_pub reads it, with
 * its messages when it cannot be: a missing file costs no connection.
 */
final class PayloadInput {
    /** mosquitto_pub's limit on a file or input: the largest remaining length MQTT can express. */
    static final int MAX_PAYLOAD = 268_435_455;

    private PayloadInput() {}

    /** -f: the file's bytes. */
    static byte[] file(String name) {
        String loading = "Error loading input file \"" + name + "\".";
        try {
            Path file = Path.of(name);
            if (!Files.isRegularFile(file)) {
                throw new IOException("not a regular file");
            }
            if (Files.size(file) > MAX_PAYLOAD) {
                throw new CommandFailure(CommandFailure.ERROR, "Error: File must be less than " + MAX_PAYLOAD + " bytes.", loading);
            }
            return Files.readAllBytes(file);
        } catch (IOException | InvalidPathException e) {
            throw new CommandFailure(CommandFailure.ERROR, "Error: Unable to open file \"" + name + "\".", loading);
        }
    }

    /** -s: all of standard input, which must not be empty. */
    static byte[] stdin(InputStream in) {
        try {
            byte[] all = in.readNBytes(MAX_PAYLOAD + 1);
            if (all.length == 0) {
                throw new CommandFailure(CommandFailure.ERROR, "Error: Zero length input.", "Error loading input from stdin.");
            }
            if (all.length > MAX_PAYLOAD) {
                throw new CommandFailure(CommandFailure.ERROR, "Error: Message too large: more than " + MAX_PAYLOAD + " bytes.",
                        "Error loading input from stdin.");
            }
            return all;
        } catch (IOException e) {
            throw new CommandFailure(CommandFailure.ERROR, "Error: " + e.getMessage(), "Error loading input from stdin.");
        }
    }
}
