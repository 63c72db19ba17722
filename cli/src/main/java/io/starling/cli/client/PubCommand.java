package io.starling.cli.client;

import io.starling.cli.version.StarlingVersion;
import io.starling.client.ConnectionListener;
import io.starling.client.ConnectionLostException;
import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttMessage;
import io.starling.client.PublishResult;
import io.starling.client.ReconnectPolicy;
import io.starling.codec.packet.QoS;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code starling pub}: publishes one message, or one per line of standard input, with the flags
 * of mosquitto_pub. It waits until each message is complete for its QoS (written at 0, PUBACK at
 * 1, PUBCOMP at 2) before it sends DISCONNECT, so a message it reports as sent is not lost.
 */
@Command(name = "pub", sortOptions = false, exitCodeOnInvalidInput = CommandFailure.ERROR,
        versionProvider = StarlingVersion.class,
        description = {"Publish a message to an MQTT broker, as mosquitto_pub does.", "",
                "The message is the text of -m, the bytes of -f, all of standard input (-s), each line of"
                        + " standard input as it arrives (-l), or empty (-n). MQTT 3.1.1 (default) and 3.1."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:every message was published (and acknowledged, at QoS 1 and 2)",
                "1:bad arguments, unreadable input, or no connection (nothing listening, unknown host)",
                "5:the broker refused the connection (CONNACK return code 1 to 5)",
                "7:the connection was lost before every message was acknowledged"})
public final class PubCommand extends ClientCommand {
    /** Lines of -l published but not yet complete, before reading more input waits for the oldest. */
    static final int LINE_WINDOW = 1000;
    /** mosquitto_pub's limit on a file or input: the largest remaining length MQTT can express. */
    static final int MAX_PAYLOAD = 268_435_455;

    @Option(names = {"-t", "--topic"}, paramLabel = "topic", preprocessor = OptionValue.class, order = 1,
            description = "Topic to publish to (no + or # wildcards). Required.")
    @Nullable String topic;

    @Option(names = {"-m", "--message"}, paramLabel = "message", preprocessor = OptionValue.class, order = 2,
            description = "Publish this text (UTF-8) as the message.")
    @Nullable String message;

    @Option(names = {"-f", "--file"}, paramLabel = "file", preprocessor = OptionValue.class, order = 3,
            description = "Publish the contents of this file as the message.")
    @Nullable String file;

    @Option(names = {"-l", "--stdin-line"}, order = 4,
            description = "Read standard input and publish each line (without its \\n) as a message, as soon as"
                    + " it is read, until end of input. Empty lines are empty messages.")
    boolean stdinLines;

    @Option(names = {"-n", "--null-message"}, order = 5,
            description = "Publish an empty (zero length) message; with -r it clears the topic's retained message.")
    boolean nullMessage;

    @Option(names = {"-s", "--stdin-file"}, order = 6,
            description = "Read all of standard input and publish it as one message.")
    boolean stdinFile;

    @Option(names = {"-q", "--qos"}, paramLabel = "QoS", preprocessor = OptionValue.class, order = 7,
            description = "Quality of service: 0 (default), 1 or 2.")
    String qos = "0";

    @Option(names = {"-r", "--retain"}, order = 8,
            description = "Retain the message: the broker keeps it and sends it to future subscribers.")
    boolean retain;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Mixin
    HelpOptions helpOptions = new HelpOptions();

    public PubCommand() {}

    @Override
    String name() {
        return "pub";
    }

    @Override
    int run(Output output) throws InterruptedException {
        prepare(connection);
        int sources = (message != null ? 1 : 0) + (file != null ? 1 : 0) + (stdinLines ? 1 : 0)
                + (nullMessage ? 1 : 0) + (stdinFile ? 1 : 0);
        if (sources > 1) {
            throw CommandFailure.usage(name(), "Only one type of message can be sent at once.");
        }
        QoS messageQos = ConnectionOptions.parseQos(qos);
        if (messageQos == null) {
            throw CommandFailure.usage(name(), "Invalid QoS given: " + qos);
        }
        String publishTopic = topic;
        if (publishTopic == null || sources == 0) {
            throw CommandFailure.usage(name(), "Both topic and message must be supplied.");
        }
        if (!ConnectionOptions.validTopicName(publishTopic)) {
            throw CommandFailure.usage(name(), "Invalid publish topic '" + publishTopic + "', does it contain '+' or '#'?");
        }
        MqttClientBuilder builder = connection.builder(name());
        // read the message before connecting, as mosquitto_pub does: a missing file costs no connection
        byte @Nullable [] payload = stdinLines ? null : payload();
        CompletableFuture<Throwable> lost = new CompletableFuture<>();
        builder.connectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause, boolean willReconnect) {
                if (!willReconnect) {
                    lost.complete(cause);
                }
            }
        });
        // a stream of lines may run for days: ride out a broker restart; one message just fails
        builder.reconnect(stdinLines ? ReconnectPolicy.DEFAULT : ReconnectPolicy.DISABLED);
        if (connection.debug) {
            builder.packetTracer(new DebugLog(output, connection.clientId(name())));
        }
        try (MqttClient client = builder.build()) {
            connect(client, false);
            if (payload != null) {
                awaitPublished(client.publish(new MqttMessage(publishTopic, payload, messageQos, retain)), lost);
            } else {
                publishLines(client, publishTopic, messageQos, lost);
            }
            await(client.disconnect());
        }
        return 0;
    }

    /** The one message of -m, -n, -f or -s. */
    private byte[] payload() {
        if (message != null) {
            return message.getBytes(StandardCharsets.UTF_8);
        }
        if (nullMessage) {
            return new byte[0];
        }
        if (file != null) {
            return readFile(file);
        }
        try {
            byte[] all = stdin().readNBytes(MAX_PAYLOAD + 1);
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

    private static byte[] readFile(String name) {
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

    /**
     * -l: publishes each line as it is read. Up to {@link #LINE_WINDOW} messages may be on their
     * way at once; then reading waits for the oldest, so a slow broker slows the reader instead of
     * filling memory. The client keeps the order of the messages.
     */
    private void publishLines(MqttClient client, String publishTopic, QoS messageQos, CompletableFuture<Throwable> lost)
            throws InterruptedException {
        ArrayDeque<CompletableFuture<PublishResult>> pending = new ArrayDeque<>();
        LineReader lines = new LineReader(stdin(), MAX_PAYLOAD);
        while (true) {
            byte[] line;
            try {
                line = lines.next();
            } catch (IOException e) {
                throw new CommandFailure(CommandFailure.ERROR, "Error: " + e.getMessage(), "Error loading input from stdin.");
            }
            if (line == null) {
                break;
            }
            pending.add(client.publish(new MqttMessage(publishTopic, line, messageQos, retain)));
            while (!pending.isEmpty() && (pending.size() >= LINE_WINDOW || pending.peek().isDone())) {
                awaitPublished(pending.poll(), lost);
            }
        }
        while (!pending.isEmpty()) {
            awaitPublished(pending.poll(), lost);
        }
    }

    /**
     * Waits until {@code published} completes; the connection ending for good first is
     * mosquitto's "The connection was lost", exit status 7.
     */
    private static void awaitPublished(CompletableFuture<?> published, CompletableFuture<Throwable> lost)
            throws InterruptedException {
        try {
            CompletableFuture.anyOf(published, lost).get();
        } catch (ExecutionException e) {
            // published failed: told apart below
        }
        if (published.isDone() && !published.isCompletedExceptionally()) {
            return;
        }
        Throwable failure = null;
        if (published.isDone()) {
            try {
                published.get();
            } catch (ExecutionException e) {
                failure = e.getCause();
            }
        }
        // not acknowledged when the connection ended for good, whichever of the two came first
        if (failure == null || failure instanceof ConnectionLostException) {
            throw new CommandFailure(CommandFailure.CONNECTION_LOST, "Error: The connection was lost.");
        }
        throw new CommandFailure(CommandFailure.ERROR, "Error: " + message(failure));
    }
}
