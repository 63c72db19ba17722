package io.starling.cli.client;

import io.starling.client.ConnectionLostException;
import io.starling.client.DisconnectedByServerException;
import io.starling.client.MqttClient;
import io.starling.client.MqttMessage;
import io.starling.client.MqttMessageBuilder;
import io.starling.client.PublishRefusedException;
import io.starling.client.PublishResult;
import io.starling.client.ServerLimitException;
import io.starling.codec.packet.QoS;
import io.starling.codec.packet.ReasonCode;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * pub's messages: each built with the {@code -D publish} properties, numbered as mosquitto_pub
 * numbers its publishes (1, 2, ...: its message ids), and awaited with mosquitto_pub's reactions
 * when it does not go through. A refusal by the broker (MQTT 5.0: PUBACK, PUBREC or PUBCOMP 0x80
 * or more) is a warning on standard error, {@code Warning: Publish 1 failed: Not authorized.} and
 * the Reason String on a line of its own, and the run goes on, as mosquitto_pub's does.
 */
final class Publisher {
    /** The run ends here: a message the client may not send at all was reported. */
    static final class Stop extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stop() {
            super(null, null, false, false);
        }
    }

    /** A message on its way, with its number. */
    record Pending(int number, CompletableFuture<PublishResult> future) {}

    private final String topic;
    private final QoS qos;
    private final boolean retain;
    private final List<Property> properties;
    private final CompletableFuture<Throwable> lost;
    private final PrintWriter err;
    private int published;

    /**
     * @param properties the {@code -D publish} properties (none in 3.1.1); a Topic Alias is left to
     *     the client library, which uses aliases by itself when the broker allows them
     * @param lost completes with the cause when the connection ends for good
     */
    Publisher(String topic, QoS qos, boolean retain, List<Property> properties, CompletableFuture<Throwable> lost, PrintWriter err) {
        this.topic = topic;
        this.qos = qos;
        this.retain = retain;
        this.properties = properties.stream().filter(p -> p.id() != PropertyId.TOPIC_ALIAS).toList();
        this.lost = lost;
        this.err = err;
    }

    Pending publish(MqttClient client, byte[] payload) {
        // mosquitto's message ids run from 1 to 65535, then start again
        published = published % 65_535 + 1;
        return new Pending(published, client.publish(message(payload)));
    }

    private MqttMessage message(byte[] payload) {
        if (properties.isEmpty()) {
            return new MqttMessage(topic, payload, qos, retain);
        }
        MqttMessageBuilder message = MqttMessage.builder(topic).payload(payload).qos(qos).retain(retain);
        for (Property p : properties) {
            message.property(p);
        }
        return message.build();
    }

    /**
     * Waits until {@code pending} completes. A refusal is a warning; a QoS above the broker's
     * maximum is mosquitto's error and {@link Stop}; the connection ending for good first is
     * "The connection was lost" (or why the broker ended it), exit status 7.
     */
    void await(Pending pending) throws InterruptedException {
        CompletableFuture<PublishResult> future = pending.future();
        try {
            CompletableFuture.anyOf(future, lost).get();
        } catch (ExecutionException e) {
            // the publish failed: told apart below
        }
        Throwable failure = null;
        if (future.isDone()) {
            try {
                future.get();
                return;
            } catch (ExecutionException e) {
                failure = e.getCause();
            }
        }
        if (failure instanceof PublishRefusedException refused) {
            warn(pending.number(), refused.reasonCode(), refused.reasonString());
            return;
        }
        if (failure instanceof ServerLimitException limit) {
            if (limit.reasonCode() == ReasonCode.QOS_NOT_SUPPORTED) {
                err.println("Error: Message QoS not supported on broker, try a lower QoS.");
                err.flush();
                throw new Stop();
            }
            // the client refused it for the broker, which would have: as the broker's refusal
            warn(pending.number(), limit.reasonCode(), null);
            return;
        }
        // not acknowledged when the connection ended for good, whichever of the two came first
        if (failure == null || failure instanceof ConnectionLostException) {
            DisconnectedByServerException byServer = ClientCommand.disconnectedBy(failure != null ? failure : lost.getNow(null));
            if (byServer != null) {
                throw ClientCommand.disconnected(byServer);
            }
            throw new CommandFailure(CommandFailure.CONNECTION_LOST, "Error: The connection was lost.");
        }
        throw new CommandFailure(CommandFailure.ERROR, "Error: " + ClientCommand.message(failure));
    }

    private void warn(int number, ReasonCode code, @Nullable String reasonString) {
        err.println("Warning: Publish " + number + " failed: " + ReasonWords.of(code) + ".");
        if (reasonString != null) {
            err.println(reasonString);
        }
        err.flush();
    }
}
