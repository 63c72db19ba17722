package io.starling.cli.client;

import io.starling.cli.version.StarlingVersion;
import io.starling.client.ConnectResult;
import io.starling.client.MqttClient;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttMessage;
import io.starling.client.PublishResult;
import io.starling.client.SubscribeResult;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.packet.Subscription;
import io.starling.codec.wire.MqttStrings;
import io.starling.codec.wire.MqttVersion;
import io.starling.codec.wire.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * {@code starling sub}: subscribes and prints the messages it receives, with the flags of
 * mosquitto_sub, until -C messages were printed, -W seconds passed, or SIGINT or SIGTERM arrives;
 * then it sends DISCONNECT and exits.
 */
@Command(name = "sub", sortOptions = false, exitCodeOnInvalidInput = CommandFailure.ERROR,
        versionProvider = StarlingVersion.class,
        description = {"Subscribe to topics on an MQTT broker and print the messages, as mosquitto_sub does.", "",
                "Each payload is printed as it arrives, followed by a newline (-N: none); -v puts the topic and a"
                        + " space before it. An empty payload prints nothing (with -v: 'topic (null)')."
                        + " SIGINT or SIGTERM disconnects cleanly and exits 0. MQTT 3.1.1 (default) and 3.1."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:-C messages printed, or stopped by SIGINT or SIGTERM",
                "1:bad arguments, no connection (nothing listening, unknown host), or every subscription refused",
                "1-5:the broker refused the connection: the CONNACK return code (4: bad user name or password,"
                        + " 5: not authorised)",
                "27:-W seconds passed first ('Timed out')"})
public final class SubCommand extends ClientCommand {
    /** How long the end of a run waits for each step (DISCONNECT written, clearing publishes acknowledged). */
    private static final long CLOSE_SECONDS = 5;

    @Option(names = {"-t", "--topic"}, paramLabel = "topic", preprocessor = OptionValue.class, order = 1,
            description = "Topic filter to subscribe to; + and # wildcards allowed. Repeat for several. At least one.")
    List<String> topics = new ArrayList<>();

    @Option(names = {"-q", "--qos"}, paramLabel = "QoS", preprocessor = OptionValue.class, order = 2,
            description = "Quality of service to subscribe with: 0 (default), 1 or 2.")
    String qos = "0";

    @Option(names = {"-v", "--verbose"}, order = 3,
            description = "Print the topic, a space, then the payload.")
    boolean verbose;

    @Option(names = "-N", order = 4,
            description = "Do not print a newline after each payload.")
    boolean noNewline;

    @Option(names = "-C", paramLabel = "count", preprocessor = OptionValue.class, order = 5,
            description = "Disconnect and exit 0 after printing this many messages.")
    @Nullable String count;

    @Option(names = "-W", paramLabel = "timeout", preprocessor = OptionValue.class, order = 6,
            description = "Disconnect and exit 27 ('Timed out') after this many seconds, if not done before.")
    @Nullable String timeout;

    @Option(names = "-R", order = 7,
            description = "Do not print stale messages: those with the retain flag set. They do not count for -C.")
    boolean skipRetained;

    @Option(names = {"-T", "--filter-out"}, paramLabel = "filter", preprocessor = OptionValue.class, order = 8,
            description = "Do not print messages whose topic matches this filter. Repeatable.")
    List<String> filterOut = new ArrayList<>();

    @Option(names = "--remove-retained", order = 9,
            description = "Clear each retained message received (not filtered out by -T or -R) from the broker,"
                    + " by publishing an empty retained message to its topic at QoS 1.")
    boolean removeRetained;

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
    int run(Output output) throws InterruptedException {
        prepare(connection);
        int limit = count == null ? 0 : positive(count, "Invalid message count \"" + count + "\".");
        long timeoutNanos = timeout == null ? 0
                : TimeUnit.SECONDS.toNanos(positive(timeout, "Invalid timeout \"" + timeout + "\"."));
        List<Subscription> subscriptions = subscriptions();
        // -W counts from the start, connecting included, as mosquitto_sub's alarm does
        long deadline = timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos;
        MqttClientBuilder builder = connection.builder(name());
        if (connection.debug) {
            builder.packetTracer(new DebugLog(output, connection.clientId(name())));
        }
        AtomicReference<@Nullable MqttClient> clientRef = new AtomicReference<>();
        Queue<CompletableFuture<PublishResult>> removals = new ConcurrentLinkedQueue<>();
        Consumer<String> remover = topic -> {
            MqttClient client = clientRef.get();
            if (client != null) {
                removals.add(client.publish(new MqttMessage(topic, new byte[0], QoS.AT_LEAST_ONCE, true)));
            }
        };
        Receiver receiver = new Receiver(new MessagePrinter(output, verbose, !noNewline), limit, skipRetained, filterOut,
                removeRetained ? remover : null);
        CallbackThreads callbacks = new CallbackThreads(receiver);
        // the client-wide listener, not the subscription's: on a resumed session (-c) the broker
        // sends the queued messages right after CONNACK, before this run's SUBSCRIBE
        builder.messageListener(receiver);
        builder.callbackExecutor(callbacks);
        MqttClient client = builder.build();
        clientRef.set(client);
        SignalHandler stop = signal -> receiver.stop(0);
        SignalHandler previousInt = onSignal("INT", stop);
        SignalHandler previousTerm = onSignal("TERM", stop);
        try {
            return subscribeAndPrint(client, subscriptions, receiver, deadline);
        } finally {
            receiver.stop(0);
            try {
                finish(client, receiver, callbacks, removals);
            } finally {
                callbacks.shutdown();
                onSignal("INT", previousInt);
                onSignal("TERM", previousTerm);
            }
        }
    }

    /** Connects, subscribes, and waits until sub should stop; returns the exit status. */
    private static int subscribeAndPrint(MqttClient client, List<Subscription> subscriptions, Receiver receiver,
            long deadline) throws InterruptedException {
        CompletableFuture<ConnectResult> connecting = client.connect();
        if (!until(connecting, receiver, deadline)) {
            return exitCode(receiver);
        }
        connected(connecting, true);
        CompletableFuture<SubscribeResult> subscribing = client.subscribe(subscriptions, null);
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

    /** The -t filters at the -q QoS, once -q, -t and -T are checked. */
    private List<Subscription> subscriptions() {
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
            subscriptions.add(new Subscription(filter, subscribeQos));
        }
        for (String filter : filterOut) {
            if (!validFilter(filter)) {
                throw CommandFailure.usage(name(),
                        "Invalid filter topic '" + filter + "', are all '+' and '#' wildcards correct?");
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
    private static void finish(MqttClient client, Receiver receiver, CallbackThreads callbacks,
            Queue<CompletableFuture<PublishResult>> removals) throws InterruptedException {
        try {
            CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new)).get(CLOSE_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // best effort, as in mosquitto_sub: the run is over either way
        }
        CompletableFuture<Void> disconnected = client.disconnect();
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
