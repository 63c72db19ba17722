package io.starling.cli.client;

import io.starling.client.EnhancedAuthentication;
import io.starling.client.MqttClientBuilder;
import io.starling.client.MqttClientException;
import io.starling.codec.decode.PacketDecoder;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The {@code -D} properties of a run, by command, in the order given: checked together once the
 * command line is read ({@link #problem}), then sent with CONNECT (through the client builder),
 * the will, PUBLISH, SUBSCRIBE, UNSUBSCRIBE and DISCONNECT.
 */
final class PropertyOptions {
    /** mosquitto_strerror(MOSQ_ERR_PROTOCOL), its words for a property value MQTT 5.0 forbids. */
    private static final String PROTOCOL_ERROR = "A network protocol error occurred when communicating with the broker.";
    /** The commands in the order mosquitto checks them, and its name for each in "Error in ... properties". */
    private static final Map<PropertyCommand, String> CHECKED = new EnumMap<>(Map.of(
            PropertyCommand.CONNECT, "CONNECT", PropertyCommand.PUBLISH, "PUBLISH",
            PropertyCommand.SUBSCRIBE, "SUBSCRIBE", PropertyCommand.UNSUBSCRIBE, "UNSUBSCRIBE",
            PropertyCommand.DISCONNECT, "DISCONNECT", PropertyCommand.WILL, "Will"));

    private final Map<PropertyCommand, List<Property>> byCommand = new EnumMap<>(PropertyCommand.class);

    void add(PropertyCommand command, Property property) {
        byCommand.computeIfAbsent(command, c -> new ArrayList<>()).add(property);
    }

    /** Whether no {@code -D} was given. */
    boolean isEmpty() {
        return byCommand.isEmpty();
    }

    /** The properties given for {@code command}, in order. */
    List<Property> of(PropertyCommand command) {
        return byCommand.getOrDefault(command, List.of());
    }

    /** The properties given for {@code command} as a packet's. */
    Properties properties(PropertyCommand command) {
        return new Properties(of(command));
    }

    /**
     * What mosquitto_property_check_all finds wrong, command by command, with its message: a
     * value MQTT 5.0 forbids (a Receive Maximum, Topic Alias or Maximum Packet Size of 0, a
     * Request ... Information above 1, a Subscription Identifier of 0) or a property given twice
     * (user properties may repeat); null if nothing. {@code connectExtra} is what other flags add
     * to CONNECT (-x's Session Expiry Interval), checked after the {@code -D} ones.
     */
    @Nullable String problem(List<Property> connectExtra) {
        for (Map.Entry<PropertyCommand, String> checked : CHECKED.entrySet()) {
            List<Property> all = new ArrayList<>(of(checked.getKey()));
            if (checked.getKey() == PropertyCommand.CONNECT) {
                all.addAll(connectExtra);
            }
            for (int i = 0; i < all.size(); i++) {
                Property p = all.get(i);
                if (forbidden(p)) {
                    return "Error in " + checked.getValue() + " properties: " + PROTOCOL_ERROR;
                }
                for (int j = i + 1; j < all.size(); j++) {
                    if (all.get(j).id() == p.id() && p.id() != PropertyId.USER_PROPERTY) {
                        return "Error in " + checked.getValue() + " properties: Duplicate property in property list";
                    }
                }
            }
        }
        return null;
    }

    private static boolean forbidden(Property p) {
        return switch (p.id()) {
            case REQUEST_PROBLEM_INFORMATION, REQUEST_RESPONSE_INFORMATION -> p.longValue() > 1;
            // a Subscription Identifier of 0 is a protocol error (3.8.2.1.2): mosquitto leaves it to the
            // server to refuse; refused here, before connecting, with the same words as the others
            case MAXIMUM_PACKET_SIZE, RECEIVE_MAXIMUM, TOPIC_ALIAS, SUBSCRIPTION_IDENTIFIER -> p.longValue() == 0;
            default -> false;
        };
    }

    /** Puts the CONNECT properties on {@code builder}. */
    void connectTo(MqttClientBuilder builder) {
        String method = null;
        byte @Nullable [] data = null;
        for (Property p : of(PropertyCommand.CONNECT)) {
            switch (p.id()) {
                case SESSION_EXPIRY_INTERVAL -> builder.sessionExpiryInterval(p.longValue());
                case RECEIVE_MAXIMUM -> builder.receiveMaximum((int) p.longValue());
                // the builder's bounds: a packet cannot be smaller than 2 bytes or larger than MQTT allows
                case MAXIMUM_PACKET_SIZE -> builder.maxPacketSize((int) Math.max(2, Math.min(p.longValue(), PacketDecoder.MAX_PACKET_SIZE)));
                case TOPIC_ALIAS_MAXIMUM -> builder.topicAliasMaximum((int) p.longValue());
                case REQUEST_RESPONSE_INFORMATION -> builder.requestResponseInformation(p.longValue() == 1);
                case REQUEST_PROBLEM_INFORMATION -> builder.requestProblemInformation(p.longValue() == 1);
                case USER_PROPERTY -> builder.userProperty(p.userProperty().name(), p.userProperty().value());
                case AUTHENTICATION_METHOD -> method = p.stringValue();
                case AUTHENTICATION_DATA -> data = p.bytesValue().toArray();
                default -> throw new IllegalStateException(p.id() + " is not a CONNECT property");
            }
        }
        // Authentication Data without a Method is a protocol error (3.1.2.11.10): sent only with one
        if (method != null) {
            builder.authentication(new GivenAuthentication(method, data));
        }
    }

    /**
     * The Authentication Method and Data of {@code -D connect}: sent in CONNECT as they are. The
     * tools take part in no further exchange; a server that asks for one gets the connection closed.
     */
    private static final class GivenAuthentication implements EnhancedAuthentication {
        private final String method;
        private final byte @Nullable [] data;

        GivenAuthentication(String method, byte @Nullable [] data) {
            this.method = method;
            this.data = data;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public Exchange start(boolean reauthentication) {
            return new Exchange() {
                @Override
                public byte @Nullable [] initialData() {
                    return data == null ? null : data.clone();
                }

                @Override
                public byte[] challenge(byte @Nullable [] serverData) {
                    throw new MqttClientException("the server asked to continue authentication with " + method
                            + ", which the command line cannot answer");
                }

                @Override
                public void succeeded(byte @Nullable [] serverData) {
                    // nothing to check: the data was given, not computed
                }
            };
        }
    }
}
