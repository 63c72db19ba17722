package io.starling.cli.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.util.List;
import java.util.Stack;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code -D command identifier value}, read as mosquitto's clients read it; the messages are
 * mosquitto_pub 2.0.11's for the same words.
 */
class PropertyArgumentTest {
    /** The words after -D, as picocli hands them over: the next one on top. */
    private static Stack<String> words(String... words) {
        Stack<String> stack = new Stack<>();
        for (int i = words.length - 1; i >= 0; i--) {
            stack.push(words[i]);
        }
        return stack;
    }

    private static PropertyArgument.Parsed parse(String... words) throws PropertyArgument.Invalid {
        return PropertyArgument.parse(words(words));
    }

    @Test
    @DisplayName("each type of value: numbers, strings, binary data (the argument's UTF-8), user properties (two words)")
    void values() throws PropertyArgument.Invalid {
        assertThat(parse("publish", "message-expiry-interval", "60")).isEqualTo(
                new PropertyArgument.Parsed(PropertyCommand.PUBLISH, Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60)));
        assertThat(parse("connect", "receive-maximum", "65535").property()).isEqualTo(Property.of(PropertyId.RECEIVE_MAXIMUM, 65_535));
        assertThat(parse("will", "payload-format-indicator", "1").property()).isEqualTo(Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1));
        assertThat(parse("subscribe", "subscription-identifier", "268435455").property())
                .isEqualTo(Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 268_435_455));
        assertThat(parse("publish", "content-type", "text/plain; charset=utf-8").property())
                .isEqualTo(Property.of(PropertyId.CONTENT_TYPE, "text/plain; charset=utf-8"));
        assertThat(parse("publish", "correlation-data", "ré-1").property())
                .isEqualTo(Property.of(PropertyId.CORRELATION_DATA, Bytes.of("ré-1".getBytes(UTF_8))));
        assertThat(parse("disconnect", "user-property", "name", "value")).isEqualTo(
                new PropertyArgument.Parsed(PropertyCommand.DISCONNECT, Property.user("name", "value")));
        assertThat(parse("will", "will-delay-interval", "4294967295").property())
                .isEqualTo(Property.of(PropertyId.WILL_DELAY_INTERVAL, 4_294_967_295L));
    }

    @Test
    @DisplayName("commands and property names in any case, as mosquitto compares them")
    void anyCase() throws PropertyArgument.Invalid {
        assertThat(parse("PUBLISH", "Content-Type", "x")).isEqualTo(
                new PropertyArgument.Parsed(PropertyCommand.PUBLISH, Property.of(PropertyId.CONTENT_TYPE, "x")));
    }

    @Test
    @DisplayName("only the words of one -D are taken: the next option stays for the parser")
    void takesItsWords() throws PropertyArgument.Invalid {
        Stack<String> args = words("publish", "user-property", "k", "v", "-q", "1");
        PropertyArgument.parse(args);
        assertThat(args.pop()).isEqualTo("-q");
    }

    @Test
    @DisplayName("numbers as C's atol reads them: white space and a sign first, then digits up to anything else")
    void atol() throws PropertyArgument.Invalid {
        assertThat(PropertyArgument.atol("abc")).isZero();
        assertThat(PropertyArgument.atol("12abc")).isEqualTo(12);
        assertThat(PropertyArgument.atol(" \t+7")).isEqualTo(7);
        assertThat(PropertyArgument.atol("-1")).isEqualTo(-1);
        assertThat(PropertyArgument.atol("99999999999999999999")).isEqualTo(Long.MAX_VALUE);
        assertThat(PropertyArgument.atol("-99999999999999999999")).isEqualTo(Long.MIN_VALUE);
        assertThat(parse("publish", "message-expiry-interval", "abc").property()).isEqualTo(Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 0));
    }

    @ParameterizedTest(name = "-D {0}")
    @CsvSource(delimiter = '|', value = {
            "publish                                  | Error: --property argument given but not enough arguments specified.",
            "publish content-type                     | Error: --property argument given but not enough arguments specified.",
            "publish user-property k                  | Error: --property argument given but not enough arguments specified.",
            "bogus user-property k v                  | Error: Invalid command given in --property argument.",
            "suback user-property k v                 | Error: Invalid command given in --property argument.",
            "publish bogus 1                          | Error: Invalid property name given in --property argument.",
            "connect content-type x                   | Error: content-type property not allowed for connect in --property argument.",
            "publish will-delay-interval 1            | Error: will-delay-interval property not allowed for publish in --property argument.",
            "subscribe session-expiry-interval 1      | Error: session-expiry-interval property not allowed for subscribe in --property argument.",
            "will topic-alias 1                       | Error: topic-alias property not allowed for will in --property argument.",
            "will subscription-identifier 1           | Error: subscription-identifier property not allowed for will in --property argument.",
            "publish subscription-identifier 1        | Error: subscription-identifier property not supported for publish in --property argument.",
            "puback user-property a b                 | Error: user-property property not supported for puback in --property argument.",
            "auth authentication-method x             | Error: authentication-method property not supported for auth in --property argument.",
            "connack session-expiry-interval 1        | Error: session-expiry-interval property not supported for connack in --property argument.",
            "publish message-expiry-interval -1       | Error: Property value (-1) out of range for property message-expiry-interval.",
            "publish message-expiry-interval 4294967296 | Error: Property value (4294967296) out of range for property message-expiry-interval.",
            "publish payload-format-indicator 256     | Error: Property value (256) out of range for property payload-format-indicator.",
            "connect receive-maximum 65536            | Error: Property value (65536) out of range for property receive-maximum.",
            "subscribe subscription-identifier 268435456 | Error: Property value (268435456) out of range for property subscription-identifier."})
    @DisplayName("a bad -D: mosquitto's message, in mosquitto's order of checks")
    void refused(String words, String message) {
        String[] split = words.strip().split(" +");
        assertThatThrownBy(() -> PropertyArgument.parse(words(split)))
                .isInstanceOfSatisfying(PropertyArgument.Invalid.class, e -> assertThat(e.text()).isEqualTo(message));
    }

    @Test
    @DisplayName("a binary value over 65535 bytes is too long; a string that is not an MQTT string cannot be added")
    void tooLong() {
        String big = "x".repeat(65_536);
        assertThatThrownBy(() -> parse("publish", "correlation-data", big))
                .isInstanceOfSatisfying(PropertyArgument.Invalid.class,
                        e -> assertThat(e.text()).isEqualTo("Error: Property value too long for property correlation-data."));
        assertThatThrownBy(() -> parse("publish", "content-type", big))
                .isInstanceOfSatisfying(PropertyArgument.Invalid.class,
                        e -> assertThat(e.text()).isEqualTo("Error adding property content-type 6"));
        assertThatThrownBy(() -> parse("publish", "user-property", "a\0b", "v"))
                .isInstanceOfSatisfying(PropertyArgument.Invalid.class,
                        e -> assertThat(e.text()).isEqualTo("Error adding property user-property 7"));
    }

    @Test
    @DisplayName("the properties together, as mosquitto_property_check_all: a forbidden value, then a repeated property, by command")
    void checkedTogether() {
        PropertyOptions options = new PropertyOptions();
        options.add(PropertyCommand.PUBLISH, Property.user("k", "1"));
        options.add(PropertyCommand.PUBLISH, Property.user("k", "2"));
        assertThat(options.problem(List.of())).isNull();

        options.add(PropertyCommand.WILL, Property.of(PropertyId.CONTENT_TYPE, "a"));
        options.add(PropertyCommand.WILL, Property.of(PropertyId.CONTENT_TYPE, "b"));
        assertThat(options.problem(List.of())).isEqualTo("Error in Will properties: Duplicate property in property list");

        options.add(PropertyCommand.SUBSCRIBE, Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 0));
        assertThat(options.problem(List.of())).isEqualTo(
                "Error in SUBSCRIBE properties: A network protocol error occurred when communicating with the broker.");

        options.add(PropertyCommand.CONNECT, Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 5));
        assertThat(options.problem(List.of(Property.of(PropertyId.SESSION_EXPIRY_INTERVAL, 10))))
                .as("-x's Session Expiry Interval with -D connect's").isEqualTo(
                        "Error in CONNECT properties: Duplicate property in property list");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({
            "connect, request-problem-information, 2", "connect, request-response-information, 2",
            "connect, receive-maximum, 0", "connect, maximum-packet-size, 0", "publish, topic-alias, 0"})
    @DisplayName("values MQTT 5.0 forbids are a protocol error before connecting, as mosquitto finds them")
    void forbiddenValues(String command, String property, String value) throws PropertyArgument.Invalid {
        PropertyArgument.Parsed parsed = parse(command, property, value);
        PropertyOptions options = new PropertyOptions();
        options.add(parsed.command(), parsed.property());
        assertThat(options.problem(List.of())).isEqualTo("Error in " + command.toUpperCase(java.util.Locale.ROOT)
                + " properties: A network protocol error occurred when communicating with the broker.");
    }
}
