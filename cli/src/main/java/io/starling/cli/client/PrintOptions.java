package io.starling.cli.client;

import io.starling.cli.client.format.OutputFormat;
import java.time.ZoneId;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** How sub and rr print what they receive: -v, -N, -F and --pretty, as mosquitto_sub has them. */
final class PrintOptions {
    @Option(names = {"-v", "--verbose"}, order = 3,
            description = "Print the topic, a space, then the payload.")
    boolean verbose;

    @Option(names = "-N", order = 4,
            description = "Do not print a newline after each message.")
    boolean noNewline;

    @Option(names = "-F", paramLabel = "format", preprocessor = OptionValue.class, order = 5,
            description = {"Print each message in this format instead (overrides -v; -N still applies), as"
                    + " mosquitto_sub's -F: %%t topic, %%p payload, %%x/%%X payload in hex, %%l length, %%q QoS,"
                    + " %%r retain, %%m message id, %%I ISO 8601 time, %%U Unix time, %%j/%%J JSON; MQTT 5.0 properties"
                    + " %%A topic alias, %%C content type, %%D correlation data, %%E message expiry, %%F payload format,"
                    + " %%P user properties, %%R response topic, %%S subscription identifier; %%%% a %%; flags, width and"
                    + " precision: %%-10.5t, %%05l; @X strftime's %%X of the time (@N nanoseconds, @@ an @);"
                    + " \\n \\t \\r \\0 \\a \\e \\v \\\\."})
    @Nullable String format;

    @Option(names = "--pretty", order = 6,
            description = "With -F's %%j or %%J, print the JSON on several lines, indented.")
    boolean pretty;

    /** The printer these flags describe; a bad -F is a usage error with mosquitto's message. */
    MessagePrinter printer(String command, Output output, Consumer<String> errors) {
        OutputFormat parsed = null;
        if (format != null) {
            try {
                parsed = OutputFormat.parse(format);
            } catch (OutputFormat.Invalid e) {
                throw new CommandFailure(CommandFailure.ERROR, e.text(), CommandFailure.usageHint(command));
            }
        }
        return new MessagePrinter(output, verbose, !noNewline, parsed, pretty, ZoneId.systemDefault(), errors);
    }
}
