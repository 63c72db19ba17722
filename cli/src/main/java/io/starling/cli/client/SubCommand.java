package io.starling.cli.client;

import io.starling.cli.version.StarlingVersion;
import io.starling.client.ConnectResult;
import io.starling.client.ConnectionListener;
import io.starling.client.DisconnectedByServerException;
import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttMessage;
import io.starling.client.PublishResult;
import io.starling.client.SubscribeResult;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.property.Properties;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code starling sub}: subscribes and prints the messages it receives, with the flags of
 * mosquitto_sub, until -C messages were printed, -W seconds passed, or SIGINT or SIGTERM arrives;
 * then it sends DISCONNECT and exits. In MQTT 5.0 a signal or -W ends it with DISCONNECT 0x04
 * (Disconnect with Will Message), as mosquitto_sub ends, so the broker publishes the will.
 */
@Command(name = "sub", sortOptions = false, exitCodeOnInvalidInput = CommandFailure.ERROR,
        versionProvider = StarlingVersion.class,
        description = {"Subscribe to topics on an MQTT broker and print the messages, as mosquitto_sub does.", "",
                "Each payload is printed as it arrives, followed by a newline (-N: none); -v puts the topic and a"
                        + " space before it, -F prints what its format says. An empty payload prints nothing (with -v:"
                        + " 'topic (null)'). SIGINT or SIGTERM disconnects cleanly and exits 0."
                        + " MQTT 3.1.1 (default), 3.1 and 5.0 (-V 5)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:-C messages printed, or stopped by SIGINT or SIGTERM",
                "1:bad arguments, no connection (nothing listening, unknown host), or every subscription refused",
                "1-5:the broker refused the connection: the CONNACK return code (4: bad user name or password,"
                        + " 5: not authorised)",
                "7:the broker disconnected (MQTT 5.0: DISCONNECT, with its reason on standard error)",
                "27:-W seconds passed first ('Timed out')",
                "128-162:the broker refused the connection (MQTT 5.0): the CONNACK reason code (135: not authorized)"})
public final class SubCommand extends ClientCommand {
    /** How long the end of a run waits for each step (DISCONNECT written, clearing publishes acknowledged). */
    private static final long CLOSE_SECONDS = 5;

    @Option(names = {"-t", "--topic"}, paramLabel = "topic", preprocessor = OptionValue.class, order = 1,
            description = "Topic filter to subscribe to; + and # wildcards allowed. Repeat for several. At least one.")
    List<String> topics = new ArrayList<>();

    @Option(names = {"-q", "--qos"}, paramLabel = "QoS", preprocessor = OptionValue.class, order = 2,
            description = "Quality of service to subscribe with: 0 (default), 1 or 2.")
    String qos = "0";

    @Mixin
    PrintOptions print = new PrintOptions();

    @Option(names = "-C", paramLabel = "count", preprocessor = OptionValue.class, order = 7,
            description = "Disconnect and exit 0 after printing this many messages.")
    @Nullable String count;

    @Option(names = "-W", paramLabel = "timeout", preprocessor = OptionValue.class, order = 8,
            description = "Disconnect and exit 27 ('Timed out') after this many seconds, if not done before.")
    @Nullable String timeout;

    @Option(names = "-R", order = 9,
            description = "Do not print stale messages: those with the retain flag set. They do not count for -C."
                    + " In MQTT 5.0 the subscriptions also ask for no retained messages (Retain Handling 2).")
    boolean skipRetained;

    @Option(names = {"-T", "--filter-out"}, paramLabel = "filter", preprocessor = OptionValue.class, order = 10,
            description = "Do not print messages whose topic matches this filter. Repeatable.")
    List<String> filterOut = new ArrayList<>();

    @Option(names = {"-U", "--unsubscribe"}, paramLabel = "topic", preprocessor = OptionValue.class, order = 11,
            description = "Unsubscribe from this filter after subscribing (useful with -c, to end a subscription a"
                    + " persistent session holds). Repeatable.")
    List<String> unsubscribe = new ArrayList<>();

    @Option(names = "--remove-retained", order = 12,
            description = "Clear each retained message received (not filtered out by -T or -R) from the broker,"
                    + " by publishing an empty retained message to its topic at QoS 1.")
    boolean removeRetained;

    @Mixin
    SubscriptionOptions subscriptionOptions = new SubscriptionOptions();

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Mixin
    HelpOptions helpOptions = new HelpOptions();

    public SubCommand() {}

    @Override
    String name() {
        return "sub";
    }

    @Override
    ConnectionOptions connection() {
        return connection;
    }

    @Override
    int run(Output output) throws InterruptedException {
        prepare();
        int limit = count == null ? 0 : positive(count, "Invalid message count \"" + count + "\".");
        long timeoutNanos = timeout == null ? 0
                : TimeUnit.SECONDS.toNanos(positive(timeout, "Invalid timeout \"" + timeout + "\"."));
        MqttVersion version = connection.mqttVersion(name());
        List<Subscription> subscriptions = subscriptions(version);
        MessagePrinter printer = print.printer(name(), output, this::error);
        // -W counts from the start, connecting included, as mosquitto_sub's alarm does
        long deadline = timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos;
        MqttClientBuilder builder = connection.builder(name(), properties());
        InboundPublishes publishes = new InboundPublishes(connection.debug
                ? new DebugLog(output, connection.clientId(name()), version, true) : null);
        builder.packetTracer(publishes);
        AtomicReference<@Nullable MqttClient> clientRef = new AtomicReference<>();
        Queue<CompletableFuture<PublishResult>> removals = new ConcurrentLinkedQueue<>();
        Consumer<String> remover = topic -> {
            MqttClient client = clientRef.get();
            if (client != null) {
                removals.add(client.publish(new MqttMessage(topic, new byte[0], QoS.AT_LEAST_ONCE, true)));
            }
        };
        Receiver receiver = new Receiver(printer, message -> publishes.take(message, Instant.now()), limit, skipRetained,
                filterOut, removeRetained ? remover : null);
        CallbackThreads callbacks = new CallbackThreads(receiver);
        // the client-wide listener, not the subscription's: on a resumed session (-c) the broker
        // sends the queued messages right after CONNACK, before this run's SUBSCRIBE
        builder.messageListener(receiver);
        builder.callbackExecutor(callbacks);
        builder.connectionListener(new ConnectionListener() {
            @Override
            public void disconnected(Throwable cause, boolean willReconnect) {
                // mosquitto_sub rides out a lost connection, but not the broker telling it to go
                if (cause instanceof DisconnectedByServerException byServer) {
                    receiver.fail(ClientCommand.disconnected(byServer));
                }
            }
        });
        MqttClient client = builder.build();
        clientRef.set(client);
        // 5.0: a signal, or -W (mosquitto_sub's alarm signal), disconnects with the will, as mosquitto_sub does
        AtomicBoolean withWill = new AtomicBoolean();
        SignalHandler stop = signal -> {
            withWill.set(true);
            receiver.stop(0);
        };
        SignalHandler previousInt = onSignal("INT", stop);
        SignalHandler previousTerm = onSignal("TERM", stop);
        try {
            return subscribeAndPrint(client, version, subscriptions, receiver, deadline);
        } catch (CommandFailure failure) {
            withWill.compareAndSet(false, failure.exitCode() == CommandFailure.TIMED_OUT);
            throw failure;
        } finally {
            receiver.stop(0);
            try {
                ReasonCode code = withWill.get() ? ReasonCode.DISCONNECT_WITH_WILL_MESSAGE : ReasonCode.NORMAL_DISCONNECTION;
                Properties disconnectProperties = properties().properties(PropertyCommand.DISCONNECT);
                finish(client, () -> version.isV5() ? client.disconnect(code, disconnectProperties) : client.disconnect(),
                        receiver, callbacks, removals);
            } finally {
                callbacks.shutdown();
                onSignal("INT", previousInt);
                onSignal("TERM", previousTerm);
            }
        }
    }

    /** Connects, subscribes (then unsubscribes -U), and waits until sub should stop; returns the exit status. */
    private int subscribeAndPrint(MqttClient client, MqttVersion version, List<Subscription> subscriptions,
            Receiver receiver, long deadline) throws InterruptedException {
        CompletableFuture<ConnectResult> connecting = client.connect();
        if (!until(connecting, receiver, deadline)) {
            return exitCode(receiver);
        }
        connected(connecting, version);
        CompletableFuture<SubscribeResult> subscribing = client.subscribe(subscriptions,
                version.isV5() ? properties().properties(PropertyCommand.SUBSCRIBE) : Properties.EMPTY, null);
        // mosquitto_sub sends its UNSUBSCRIBEs, one per topic, right after its SUBSCRIBE
        for (String filter : unsubscribe) {
            client.unsubscribe(List.of(filter), version.isV5() ? properties().properties(PropertyCommand.UNSUBSCRIBE)
                    : Properties.EMPTY);
        }
        if (!until(subscribing, receiver, deadline)) {
            return exitCode(receiver);
        }
        SubscribeResult granted = await(subscribing);
        if (granted.reasonCodes().stream().allMatch(ReasonCode::isError)) {
            throw new CommandFailure(CommandFailure.ERROR, "All subscription requests were denied.");
        }
        until(receiver.done(), receiver, deadline);
        return exitCode(receiver);
    }

    /** A complaint of -F's while printing (a %J payload that is not JSON), on standard error. */
    private void error(String line) {
        err().println(line);
        err().flush();
    }

    /** The -t filters at the -q QoS with the subscription options, once -q, -t, -T and -U are checked. */
    private List<Subscription> subscriptions(MqttVersion version) {
        QoS subscribeQos = ConnectionOptions.parseQos(qos);
        if (subscribeQos == null) {
            throw CommandFailure.usage(name(), "Invalid QoS given: " + qos);
        }
        if (topics.isEmpty()) {
            throw CommandFailure.usage(name(), "You must specify a topic to subscribe to.");
        }
        List<Subscription> subscriptions = new ArrayList<>();
        for (String filter : topics) {
            if (!validFilter(filter)) {
                throw CommandFailure.usage(name(),
                        "Invalid subscription topic '" + filter + "', are all '+' and '#' wildcards correct?");
            }
            subscriptions.add(subscriptionOptions.subscription(filter, subscribeQos, skipRetained, version, name()));
        }
        for (String filter : filterOut) {
            if (!validFilter(filter)) {
                throw CommandFailure.usage(name(),
                        "Invalid filter topic '" + filter + "', are all '+' and '#' wildcards correct?");
            }
        }
        for (String filter : unsubscribe) {
            if (!validFilter(filter)) {
                throw CommandFailure.usage(name(),
                        "Invalid unsubscribe topic '" + filter + "', are all '+' and '#' wildcards correct?");
            }
        }
        return subscriptions;
    }

    /** {@code text} as a number of at least 1, or a usage error with {@code error}. */
    private int positive(String text, String error) {
        Integer value = ConnectionOptions.parseInt(text);
        if (value == null || value < 1) {
            throw CommandFailure.usage(name(), error);
        }
        return value;
    }

    /** The status sub stopped with; a failure to write standard output is thrown. */
    private static int exitCode(Receiver receiver) {
        try {
            return receiver.done().getNow(0);
        } catch (CompletionException e) {
            if (e.getCause() instanceof CommandFailure failure) {
                throw failure;
            }
            throw e;
        }
    }

    /**
     * Waits until {@code operation} completes (true) or sub is told to stop (false); throws
     * mosquitto's "Timed out", exit status 27, when the -W deadline (0: none) passes first.
     */
    private static boolean until(CompletableFuture<?> operation, Receiver receiver, long deadline)
            throws InterruptedException {
        CompletableFuture<Object> either = CompletableFuture.anyOf(operation, receiver.done());
        try {
            if (deadline == 0) {
                either.get();
            } else {
                either.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            // the operation failed: its caller reports how
        } catch (TimeoutException e) {
            throw new CommandFailure(CommandFailure.TIMED_OUT, "Timed out");
        }
        return operation.isDone();
    }

    /**
     * Ends the run: waits for the --remove-retained publishes, sends DISCONNECT, and once the
     * connection is closed lets the held-back messages go, unacknowledged. Every wait is bounded.
     */
    private static void finish(MqttClient client, Supplier<CompletableFuture<Void>> disconnect, Receiver receiver,
            CallbackThreads callbacks, Queue<CompletableFuture<PublishResult>> removals) throws InterruptedException {
        try {
            CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // best effort, as in mosquitto_sub: the run is over either way
        }
        CompletableFuture<Void> disconnected = disconnect.get();
        // the client runs completions on the callback thread, which a held-back message may block,
        // so watch the connection itself rather than wait on the future
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_SECONDS);
        while (client.isConnected() && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        receiver.connectionClosed();
        callbacks.awaitFinished(TimeUnit.SECONDS.toMillis(CLOSE_SECONDS));
        try {
            disconnected.get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // closing below releases the connection regardless
        }
        client.close();
    }

    /**
     * Handles signal {@code name} with {@code handler}; returns the handler it replaces, or null
     * if the JVM keeps the signal (run with -Xrs). A signal ignored when the JVM started (a
     * background job of a non-interactive shell ignores SIGINT) stays ignored: the JVM does not
     * let Java code catch it, unlike mosquitto_sub.
     */
    private static @Nullable SignalHandler onSignal(String name, @Nullable SignalHandler handler) {
        if (handler == null) {
            return null;
        }
        try {
            return Signal.handle(new Signal(name), handler);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A valid topic filter in MQTT 3.1 and 3.1.1. */
    private static boolean validFilter(String filter) {
        return Topics.filterViolation(filter, MqttVersion.V3_1_1) == null && MqttStrings.encodedLength(filter) >= 0;
    }
}
