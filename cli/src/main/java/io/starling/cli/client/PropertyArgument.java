package io.starling.cli.client;

import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.PropertyType;
import io.starling.codec.wire.Bytes;
import io.starling.codec.wire.MqttStrings;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Reads {@code -D command identifier value} (or {@code -D command user-property name value}) as
 * mosquitto's clients read it: the words are taken whatever they look like, names in any case,
 * numbers as C's {@code atol} reads them ({@code abc} is 0, {@code 12x} is 12), each check in
 * mosquitto's order with its message. A good one goes into the command's {@link PropertyOptions}
 * and makes the client MQTT 5.0, as mosquitto's {@code -D} does (a later {@code -V} still wins);
 * the first bad one is recorded for the command to report.
 */
final class PropertyArgument implements IParameterPreprocessor {
    /** One {@code -D} read: the property and the command it goes with. */
    record Parsed(PropertyCommand command, Property property) {}

    /** A {@code -D} that cannot be used: mosquitto's message, "Error: " included. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        private final String text;

        Invalid(String text) {
            super(text, null, false, false);
            this.text = text;
        }

        /** mosquitto's message. */
        String text() {
            return text;
        }
    }

    @Override
    public boolean preprocess(Stack<String> args, CommandSpec commandSpec, ArgSpec argSpec, Map<String, Object> info) {
        if (commandSpec.userObject() instanceof ClientCommand command) {
            try {
                Parsed parsed = parse(args);
                command.properties().add(parsed.command(), parsed.property());
                command.connection().version = "5";
            } catch (Invalid e) {
                command.usageError(e.text());
            }
        }
        return true;
    }

    /** Takes one {@code -D}'s words from the top of {@code args}. */
    static Parsed parse(Stack<String> args) throws Invalid {
        if (args.size() < 3) {
            throw new Invalid("Error: --property argument given but not enough arguments specified.");
        }
        String commandName = args.pop();
        PropertyCommand command = PropertyCommand.named(commandName);
        if (command == null) {
            throw new Invalid("Error: Invalid command given in --property argument.");
        }
        String propertyName = args.pop();
        PropertyId id = PropertyCommand.property(propertyName);
        if (id == null) {
            throw new Invalid("Error: Invalid property name given in --property argument.");
        }
        if (!command.allows(id)) {
            throw new Invalid("Error: " + propertyName + " property not allowed for " + commandName + " in --property argument.");
        }
        if (id == PropertyId.USER_PROPERTY) {
            if (args.size() < 2) {
                throw new Invalid("Error: --property argument given but not enough arguments specified.");
            }
            String key = args.pop();
            String value = args.pop();
            supported(command, commandName, id, propertyName);
            requireString(key, propertyName, 7);
            requireString(value, propertyName, 7);
            return new Parsed(command, Property.user(key, value));
        }
        String value = args.pop();
        supported(command, commandName, id, propertyName);
        return new Parsed(command, value(id, propertyName, value));
    }

    private static void supported(PropertyCommand command, String commandName, PropertyId id, String propertyName)
            throws Invalid {
        if (!command.sends(id)) {
            throw new Invalid("Error: " + propertyName + " property not supported for " + commandName + " in --property argument.");
        }
    }

    private static Property value(PropertyId id, String name, String value) throws Invalid {
        PropertyType type = id.type();
        if (type.isInteger()) {
            long number = atol(value);
            // mosquitto checks a variable byte integer against 32 bits, then fails to add one above
            // 268,435,455; one message for both is clearer
            if (number < 0 || number > type.maxValue()) {
                throw new Invalid("Error: Property value (" + number + ") out of range for property " + name + ".");
            }
            return Property.of(id, number);
        }
        return switch (type) {
            case BINARY_DATA -> {
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                if (bytes.length > Bytes.MAX_LENGTH) {
                    throw new Invalid("Error: Property value too long for property " + name + ".");
                }
                yield Property.of(id, Bytes.of(bytes));
            }
            default -> {
                requireString(value, name, 6);
                yield Property.of(id, value);
            }
        };
    }

    /** mosquitto's words when a string is not a valid MQTT string: the name and its type number. */
    private static void requireString(String s, String name, int mosquittoType) throws Invalid {
        if (MqttStrings.encodedLength(s) < 0) {
            throw new Invalid("Error adding property " + name + " " + mosquittoType);
        }
    }

    /**
     * C's {@code atol} as glibc has it: leading white space, an optional sign, then as many
     * digits as there are; 0 when there are none; the nearest long when out of range.
     */
    static long atol(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && " \t\n\u000B\f\r".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        boolean negative = false;
        if (i < n && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            negative = text.charAt(i) == '-';
            i++;
        }
        long value = 0;
        for (; i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9'; i++) {
            int digit = text.charAt(i) - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                return negative ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }
}
