package io.starling.cli.client;

import io.starling.cli.client.format.ReceivedMessage;
import io.starling.cli.version.StarlingVersion;
import io.starling.client.ConnectionListener;
import io.starling.client.DisconnectedByServerException;
import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttMessage;
import io.starling.client.MqttMessageBuilder;
import io.starling.client.PublishRefusedException;
import io.starling.client.ReconnectPolicy;
import io.starling.client.ServerLimitException;
import io.starling.client.SubscribeResult;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code starling rr}: one MQTT 5.0 request and its response, with the flags of mosquitto_rr. It
 * subscribes to the response topic (-e), publishes the request to -t with that Response Topic and
 * Correlation Data, prints the first message on the response topic that answers it, disconnects
 * and exits 0. The Correlation Data is the {@code -D publish correlation-data} given, or a UUID
 * (printable, so that a responder made of shell tools can echo it back with -F's {@code %D}). A
 * message that carries other Correlation Data answers someone else and is passed over; one with
 * none is taken, as mosquitto_rr takes any. In 3.1.1 (-V 311) the request goes without properties
 * and the first message on the response topic is the response.
 */
@Command(name = "rr", sortOptions = false, exitCodeOnInvalidInput = CommandFailure.ERROR,
        versionProvider = StarlingVersion.class,
        description = {"Publish a request and print its response, as mosquitto_rr does (MQTT 5.0 request/response).", "",
                "Subscribes to the response topic (-e), publishes the message (-m, -f, -s or -n) to -t with that"
                        + " Response Topic and a Correlation Data, and prints the first response: its payload and a"
                        + " newline, or as -v or -F say. MQTT 5.0 by default; -V 311 sends a plain request."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:the response was printed",
                "1:bad arguments, no connection, the subscription to -e refused, or the request refused",
                "7:the connection was lost, or the broker disconnected",
                "27:-W seconds passed before the response ('Timed out')",
                "128-162:the broker refused the connection: the CONNACK reason code (135: not authorized)"})
public final class RrCommand extends ClientCommand {
    private static final long CLOSE_SECONDS = 5;

    @Option(names = {"-t", "--topic"}, paramLabel = "topic", preprocessor = OptionValue.class, order = 1,
            description = "Topic to publish the request to (no + or # wildcards). Required.")
    @Nullable String topic;

    @Option(names = "-e", paramLabel = "response-topic", preprocessor = OptionValue.class, order = 2,
            description = "Response topic: subscribed to before the request goes, sent as its Response Topic. Required.")
    @Nullable String responseTopic;

    @Option(names = {"-m", "--message"}, paramLabel = "message", preprocessor = OptionValue.class, order = 3,
            description = "Send this text (UTF-8) as the request.")
    @Nullable String message;

    @Option(names = {"-f", "--file"}, paramLabel = "file", preprocessor = OptionValue.class, order = 4,
            description = "Send the contents of this file as the request.")
    @Nullable String file;

    @Option(names = {"-n", "--null-message"}, order = 5,
            description = "Send an empty (zero length) request.")
    boolean nullMessage;

    @Option(names = {"-s", "--stdin-file"}, order = 6,
            description = "Read all of standard input and send it as the request.")
    boolean stdinFile;

    @Option(names = {"-q", "--qos"}, paramLabel = "QoS", preprocessor = OptionValue.class, order = 7,
            description = "Quality of service of the request and of the subscription to -e: 0 (default), 1 or 2.")
    String qos = "0";

    @Option(names = "-W", paramLabel = "timeout", preprocessor = OptionValue.class, order = 8,
            description = "Give up after this many seconds without a response: 'Timed out', exit status 27."
                    + " Without it, rr waits as long as it takes.")
    @Nullable String timeout;

    @Option(names = "-R", order = 9,
            description = "Do not take a retained message on -e as the response (MQTT 5.0: ask for none).")
    boolean skipRetained;

    @Mixin
    PrintOptions print = new PrintOptions();

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Mixin
    HelpOptions helpOptions = new HelpOptions();

    public RrCommand() {
        connection.version = "mqttv5"; // mosquitto_rr's default
    }

    @Override
    String name() {
        return "rr";
    }

    @Override
    ConnectionOptions connection() {
        return connection;
    }

    @Override
    int run(Output output) throws InterruptedException {
        prepare();
        int sources = (message != null ? 1 : 0) + (file != null ? 1 : 0) + (nullMessage ? 1 : 0) + (stdinFile ? 1 : 0);
        if (sources > 1) {
            throw CommandFailure.usage(name(), "Only one type of message can be sent at once.");
        }
        QoS requestQos = ConnectionOptions.parseQos(qos);
        if (requestQos == null) {
            throw CommandFailure.usage(name(), "Invalid QoS given: " + qos);
        }
        String requestTopic = topic;
        String responses = responseTopic;
        if (requestTopic != null && !ConnectionOptions.validTopicName(requestTopic)) {
            throw CommandFailure.usage(name(), "Invalid publish topic '" + requestTopic + "', does it contain '+' or '#'?");
        }
        if (responses != null && !ConnectionOptions.validTopicName(responses)) {
            throw CommandFailure.usage(name(), "Invalid response topic '" + responses + "', does it contain '+' or '#'?");
        }
        long timeoutNanos = timeout == null ? 0 : TimeUnit.SECONDS.toNanos(positiveTimeout(timeout));
        MessagePrinter printer = print.printer(name(), output, line -> {
            err().println(line);
            err().flush();
        });
        MqttClientBuilder builder = connection.builder(name(), properties());
        if (requestTopic == null || sources == 0 || responses == null) {
            throw CommandFailure.usage(name(), "All of topic, message, and response topic must be supplied.");
        }
        MqttVersion version = connection.mqttVersion(name());
        byte[] correlation = correlationData();
        MqttMessage request = request(requestTopic, responses, requestQos, version, correlation, payload());
        long deadline = timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos;

        InboundPublishes publishes = new InboundPublishes(connection.debug
                ? new DebugLog(output, connection.clientId(name()), version, false) : null);
        CompletableFuture<ReceivedMessage> response = new CompletableFuture<>();
        builder.packetTracer(publishes);
        builder.reconnect(ReconnectPolicy.DISABLED);
        builder.messageListener(m -> {
            ReceivedMessage received = publishes.take(m, Instant.now());
            if (answers(m, responses, correlation)) {
                response.complete(received);
            }
        });
        builder.connectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause, boolean willReconnect) {
                DisconnectedByServerException byServer = disconnectedBy(cause);
                response.completeExceptionally(byServer != null ? ClientCommand.disconnected(byServer)
                        : new CommandFailure(CommandFailure.CONNECTION_LOST, "Error: The connection was lost."));
            }
        });
        try (MqttClient client = builder.build()) {
            ReasonCode disconnectCode = ReasonCode.NORMAL_DISCONNECTION;
            try {
                exchange(client, version, responses, requestQos, request, response, deadline);
                printer.print(response.join());
            } catch (CommandFailure failure) {
                if (failure.exitCode() == CommandFailure.TIMED_OUT) {
                    // mosquitto_rr's alarm disconnects with the will
                    disconnectCode = ReasonCode.DISCONNECT_WITH_WILL_MESSAGE;
                }
                throw failure;
            } finally {
                if (client.isConnected()) {
                    disconnect(client, version, disconnectCode);
                }
            }
        }
        return 0;
    }

    /** As mosquitto_rr words an old broker's refusal: it needs 5.0, unless -V 311 asked for a plain request. */
    @Override
    CommandFailure refused(ReasonCode code, MqttVersion version) {
        if (version.isV5() && code == ReasonCode.UNSUPPORTED_PROTOCOL_VERSION) {
            return new CommandFailure(code.value(), "Connection error: " + ReasonWords.of(code)
                    + ". starling rr only supports connecting to an MQTT v5 broker");
        }
        return super.refused(code, version);
    }

    /** Connects, subscribes to -e, publishes the request and waits for the response, within -W. */
    private void exchange(MqttClient client, MqttVersion version, String responses, QoS requestQos, MqttMessage request,
            CompletableFuture<ReceivedMessage> response, long deadline) throws InterruptedException {
        connected(within(client.connect(), deadline), version);
        RetainHandling retained = skipRetained ? RetainHandling.DO_NOT_SEND : RetainHandling.SEND_ON_SUBSCRIBE;
        Subscription subscription = version.isV5() ? new Subscription(responses, requestQos, false, false, retained)
                : new Subscription(responses, requestQos);
        SubscribeResult granted = await(within(client.subscribe(List.of(subscription),
                version.isV5() ? properties().properties(PropertyCommand.SUBSCRIBE) : Properties.EMPTY, null), deadline));
        ReasonCode code = granted.reasonCodes().get(0);
        if (code.isError()) {
            // mosquitto_rr prints the SUBACK's reason code in words
            throw new CommandFailure(CommandFailure.ERROR, ReasonWords.of(code));
        }
        try {
            within(client.publish(request), deadline).get();
        } catch (ExecutionException e) {
            throw requestFailure(e.getCause());
        }
        within(response, deadline);
        try {
            response.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CommandFailure failure ? failure
                    : new CommandFailure(CommandFailure.ERROR, "Error: " + message(e.getCause()));
        }
    }

    /** Why the request did not go: the broker's refusal in its words, or what else failed. */
    private static CommandFailure requestFailure(@Nullable Throwable failure) {
        if (failure instanceof PublishRefusedException refused) {
            return refusal(refused.reasonCode(), refused.reasonString());
        }
        if (failure instanceof ServerLimitException limit) {
            return refusal(limit.reasonCode(), null);
        }
        DisconnectedByServerException byServer = disconnectedBy(failure);
        if (byServer != null) {
            return disconnected(byServer);
        }
        return new CommandFailure(CommandFailure.ERROR, "Error: " + message(failure));
    }

    private static CommandFailure refusal(ReasonCode code, @Nullable String reasonString) {
        String line = "Error: Publish failed: " + ReasonWords.of(code) + ".";
        return reasonString == null ? new CommandFailure(CommandFailure.ERROR, line)
                : new CommandFailure(CommandFailure.ERROR, line, reasonString);
    }

    /**
     * {@code future}, once it completes; throws "Timed out" (status 27) when the -W deadline (0:
     * none) passes first.
     */
    private static <T> CompletableFuture<T> within(CompletableFuture<T> future, long deadline) throws InterruptedException {
        try {
            if (deadline == 0) {
                future.get();
            } else {
                future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            // the caller reports how it failed
        } catch (TimeoutException e) {
            throw new CommandFailure(CommandFailure.TIMED_OUT, "Timed out");
        }
        return future;
    }

    /** Whether {@code m} is the response: on -e, and with our Correlation Data or none. */
    private boolean answers(MqttMessage m, String responses, byte[] correlation) {
        if (!m.topic().equals(responses) || (skipRetained && m.retain())) {
            return false;
        }
        Optional<byte[]> theirs = m.correlationData();
        return theirs.isEmpty() || Arrays.equals(theirs.get(), correlation);
    }

    /** The request: the payload to -t, with the -D publish properties, the Response Topic and the Correlation Data (5.0). */
    private MqttMessage request(String requestTopic, String responses, QoS requestQos, MqttVersion version, byte[] correlation,
            byte[] payload) {
        MqttMessageBuilder request = MqttMessage.builder(requestTopic).payload(payload).qos(requestQos);
        if (!version.isV5()) {
            return request.build();
        }
        for (Property p : properties().of(PropertyCommand.PUBLISH)) {
            if (p.id() == PropertyId.RESPONSE_TOPIC) {
                throw new CommandFailure(CommandFailure.ERROR, "Error in PUBLISH properties: Duplicate response topic.");
            }
            if (p.id() != PropertyId.TOPIC_ALIAS) {
                request.property(p);
            }
        }
        return request.responseTopic(responses).correlationData(correlation).build();
    }

    /** The {@code -D publish correlation-data} given, or a fresh UUID's text. */
    private byte[] correlationData() {
        for (Property p : properties().of(PropertyCommand.PUBLISH)) {
            if (p.id() == PropertyId.CORRELATION_DATA) {
                return p.bytesValue().toArray();
            }
        }
        return UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** The request's payload: -m, -n, -f or -s. */
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

    private int positiveTimeout(String text) {
        Integer value = ConnectionOptions.parseInt(text);
        if (value == null || value < 1) {
            throw CommandFailure.usage(name(), "Invalid timeout \"" + text + "\".");
        }
        return value;
    }

    /** DISCONNECT with {@code code} and the {@code -D disconnect} properties (5.0), waiting a bounded time. */
    private void disconnect(MqttClient client, MqttVersion version, ReasonCode code) throws InterruptedException {
        CompletableFuture<Void> disconnecting = version.isV5()
                ? client.disconnect(code, properties().properties(PropertyCommand.DISCONNECT)) : client.disconnect();
        try {
            disconnecting.get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // closing the client releases the connection regardless
        }
    }
}
