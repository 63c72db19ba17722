package io.starling.cli.client;

import io.starling.cli.client.format.ReceivedMessage;
import io.starling.cli.client.format.OutputFormat;
import io.starling.client.MqttMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How sub and rr print a message, as mosquitto_sub does: in the -F format if there is one (-F
 * overrides -v), else the payload bytes unchanged, with -v the topic and a space first; then a
 * newline (none with -N). Without -F an empty payload prints nothing, except {@code topic (null)}
 * with -v and the newline.
 */
final class MessagePrinter {
    private static final byte[] NEWLINE = {'\n'};
    private static final byte[] NOTHING = {};

    private final Output output;
    private final boolean verbose;
    private final boolean newline;
    private final @Nullable OutputFormat format;
    private final boolean pretty;
    private final ZoneId zone;
    private final Consumer<String> errors;

    MessagePrinter(Output output, boolean verbose, boolean newline) {
        this(output, verbose, newline, null, false, ZoneId.systemDefault(), error -> { });
    }

    /**
     * @param format the -F format, or null
     * @param pretty --pretty: -F's JSON on several lines
     * @param zone the time zone of -F's times (the system's, which TZ sets, as for mosquitto)
     * @param errors standard error, for -F's complaints (a %J payload that is not JSON)
     */
    MessagePrinter(Output output, boolean verbose, boolean newline, @Nullable OutputFormat format, boolean pretty,
            ZoneId zone, Consumer<String> errors) {
        this.output = output;
        this.verbose = verbose;
        this.newline = newline;
        this.format = format;
        this.pretty = pretty;
        this.zone = zone;
        this.errors = errors;
    }

    void print(ReceivedMessage received) {
        byte[] end = newline ? NEWLINE : NOTHING;
        if (format != null) {
            ByteArrayOutputStream formatted = new ByteArrayOutputStream();
            format.write(received, zone, pretty, formatted, errors);
            output.write(formatted.toByteArray(), end);
            return;
        }
        MqttMessage message = received.message();
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
