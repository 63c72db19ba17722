package io.starling.cli.client;

import io.starling.codec.packet.QoS;
import io.starling.codec.packet.RetainHandling;
import io.starling.codec.packet.Subscription;
import io.starling.codec.wire.MqttVersion;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * sub's MQTT 5.0 subscription options (section 3.8.3.1), for every -t filter: mosquitto_sub's
 * --retain-as-published, and No Local and Retain Handling, which mosquitto_sub has no flags for.
 * Like mosquitto_sub's, they are left out in 3.1 and 3.1.1, which have no options byte.
 */
final class SubscriptionOptions {
    @Option(names = {"--retain-as-published", "--rap"}, order = 20,
            description = "MQTT 5.0: Retain As Published: messages keep the retain flag they were published with,"
                    + " instead of it saying whether they are stale.")
    boolean retainAsPublished;

    @Option(names = "--nl", order = 21,
            description = "MQTT 5.0: No Local: the broker does not send back the messages this client publishes"
                    + " (--remove-retained's).")
    boolean noLocal;

    @Option(names = "--rh", paramLabel = "retain-handling", preprocessor = OptionValue.class, order = 22,
            description = "MQTT 5.0: Retain Handling: 0 send retained messages on subscribing (default), 1 only if the"
                    + " subscription is new, 2 never. -R alone means 2, as in mosquitto_sub.")
    @Nullable String retainHandling;

    /** --rh's value checked, or null when not given; a bad one is a usage error. */
    @Nullable RetainHandling retainHandling(String command) {
        if (retainHandling == null) {
            return null;
        }
        Integer value = ConnectionOptions.parseInt(retainHandling);
        if (value == null || value < 0 || value > 2) {
            throw CommandFailure.usage(command, "Invalid retain handling given: " + retainHandling);
        }
        return RetainHandling.of(value);
    }

    /**
     * The subscription to {@code filter}: in 5.0 with these options, and with -R ({@code
     * skipRetained}) asking for no retained messages unless --rh says otherwise, as mosquitto_sub
     * asks; in 3.1 and 3.1.1 the QoS alone.
     */
    Subscription subscription(String filter, QoS qos, boolean skipRetained, MqttVersion version, String command) {
        RetainHandling handling = retainHandling(command);
        if (!version.isV5()) {
            return new Subscription(filter, qos);
        }
        if (handling == null) {
            handling = skipRetained ? RetainHandling.DO_NOT_SEND : RetainHandling.SEND_ON_SUBSCRIBE;
        }
        return new Subscription(filter, qos, noLocal, retainAsPublished, handling);
    }
}
