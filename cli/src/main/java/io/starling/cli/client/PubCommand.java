package io.starling.cli.client;

import io.starling.cli.version.StarlingVersion;
import io.starling.client.ConnectionListener;
import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.ReconnectPolicy;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.wire.MqttVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code starling pub}: publishes one message, or one per line of standard input, with the flags
 * of mosquitto_pub. It waits until each message is complete for its QoS (written at 0, PUBACK at
 * 1, PUBCOMP at 2) before it sends DISCONNECT, so a message it reports as sent is not lost. In
 * MQTT 5.0 a message the broker refuses (a PUBACK, PUBREC or PUBCOMP of 0x80 or more) is reported
 * as mosquitto_pub reports it, a warning, and the others go on.
 */
@Command(name = "pub", sortOptions = false, exitCodeOnInvalidInput = CommandFailure.ERROR,
        versionProvider = StarlingVersion.class,
        description = {"Publish a message to an MQTT broker, as mosquitto_pub does.", "",
                "The message is the text of -m, the bytes of -f, all of standard input (-s), each line of"
                        + " standard input as it arrives (-l), or empty (-n). MQTT 3.1.1 (default), 3.1 and 5.0 (-V 5)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:every message was published (and acknowledged, at QoS 1 and 2), or refused by the broker"
                        + " in MQTT 5.0 ('Warning: Publish 1 failed: ...', as mosquitto_pub)",
                "1:bad arguments, unreadable input, or no connection (nothing listening, unknown host)",
                "1-5:the broker refused the connection (3.1.1: the CONNACK return code)",
                "7:the connection was lost before every message was acknowledged, or the broker disconnected (5.0)",
                "128-162:the broker refused the connection (5.0: the CONNACK reason code, e.g. 135 not authorized)"})
public final class PubCommand extends ClientCommand {
    /** Lines of -l published but not yet complete, before reading more input waits for the oldest. */
    static final int LINE_WINDOW = 1000;

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
    ConnectionOptions connection() {
        return connection;
    }

    @Override
    int run(Output output) throws InterruptedException {
        prepare();
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
        MqttClientBuilder builder = connection.builder(name(), properties());
        MqttVersion version = connection.mqttVersion(name());
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
            builder.packetTracer(new DebugLog(output, connection.clientId(name()), version, true));
        }
        Publisher publisher = new Publisher(publishTopic, messageQos, retain,
                version.isV5() ? properties().of(PropertyCommand.PUBLISH) : List.of(), lost, err());
        try (MqttClient client = builder.build()) {
            connect(client);
            if (payload != null) {
                publisher.await(publisher.publish(client, payload));
            } else {
                publishLines(client, publisher);
            }
            await(version.isV5() ? client.disconnect(ReasonCode.NORMAL_DISCONNECTION, properties().properties(PropertyCommand.DISCONNECT))
                    : client.disconnect());
        } catch (Publisher.Stop stop) {
            // a message the client may not send at all: mosquitto_pub's message, then DISCONNECT
            // (closing the client sends it) and status 0, as mosquitto_pub has it
        }
        return 0;
    }

    /**
     * A refusing CONNACK as mosquitto_pub reports it: mosquitto_sub's line and status, then its
     * own line (3.1.1: "Error: The connection was refused."; 5.0: libmosquitto's protocol error).
     */
    @Override
    CommandFailure refused(ReasonCode code, MqttVersion version) {
        CommandFailure refused = super.refused(code, version);
        String second = version.isV5() ? "Error: A network protocol error occurred when communicating with the broker."
                : "Error: The connection was refused.";
        return new CommandFailure(refused.exitCode(), refused.lines().get(0), second);
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
            return PayloadInput.file(file);
        }
        return PayloadInput.stdin(stdin());
    }

    /**
     * -l: publishes each line as it is read. Up to {@link #LINE_WINDOW} messages may be on their
     * way at once; then reading waits for the oldest, so a slow broker slows the reader instead of
     * filling memory. The client keeps the order of the messages.
     */
    private void publishLines(MqttClient client, Publisher publisher) throws InterruptedException {
        ArrayDeque<Publisher.Pending> pending = new ArrayDeque<>();
        LineReader lines = new LineReader(stdin(), PayloadInput.MAX_PAYLOAD);
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
            pending.add(publisher.publish(client, line));
            while (!pending.isEmpty() && (pending.size() >= LINE_WINDOW || pending.peek().future().isDone())) {
                publisher.await(pending.poll());
            }
        }
        while (!pending.isEmpty()) {
            publisher.await(pending.poll());
        }
    }
}
