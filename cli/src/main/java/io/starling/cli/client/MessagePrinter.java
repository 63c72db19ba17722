package io.starling.cli.client;

import io.starling.client.MqttMessage;
import java.nio.charset.StandardCharsets;

/**
 * How sub prints a message, as mosquitto_sub does: the payload bytes unchanged, then a newline
 * (none with -N); with -v the topic and a space first. An empty payload prints nothing, except
 * {@code topic (null)} with -v and the newline.
 */
final class MessagePrinter {
    private static final byte[] NEWLINE = {'\n'};
    private static final byte[] NOTHING = {};

    private final Output output;
    private final boolean verbose;
    private final boolean newline;

    MessagePrinter(Output output, boolean verbose, boolean newline) {
        this.output = output;
        this.verbose = verbose;
        this.newline = newline;
    }

    void print(MqttMessage message) {
        byte[] end = newline ? NEWLINE : NOTHING;
        byte[] payload = message.payload();
        if (payload.length == 0) {
            if (verbose && newline) {
                output.write((message.topic() + " (null)").getBytes(StandardCharsets.UTF_8), end);
            }
        } else if (verbose) {
            output.write((message.topic() + " ").getBytes(StandardCharsets.UTF_8), payload, end);
        } else {
            output.write(payload, end);
        }
    }
}
