package io.starling.cli.client.format;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.starling.client.MqttMessage;
import io.starling.codec.packet.QoS;
import io.starling.codec.property.Properties;
import io.starling.codec.property.Property;
import io.starling.codec.property.PropertyId;
import io.starling.codec.wire.Bytes;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * -F's grammar and output. The expected outputs were printed by mosquitto_sub 2.0.11 for the same
 * message (published by mosquitto_pub -V 5 -q 1 with the same properties), except where a test
 * says otherwise.
 */
class OutputFormatTest {
    /** 2026-12-07T15:18:17.375153638Z, a Monday. */
    private static final Instant TIME = Instant.ofEpochSecond(1_796_656_697L, 375_153_638);
    private static final ZoneId UTC = ZoneId.of("UTC");

    /** Topic fmt/é, QoS 1, packet id 1, and the properties of mosquitto_pub -D publish ... in this order. */
    private static ReceivedMessage withProperties(String payload) {
        Properties properties = new Properties(List.of(
                Property.user("k", "v"), Property.user("k2", "v 2"),
                Property.of(PropertyId.CONTENT_TYPE, "text/plain"),
                Property.of(PropertyId.CORRELATION_DATA, Bytes.of("abc".getBytes(UTF_8))),
                Property.of(PropertyId.MESSAGE_EXPIRY_INTERVAL, 60),
                Property.of(PropertyId.PAYLOAD_FORMAT_INDICATOR, 1),
                Property.of(PropertyId.RESPONSE_TOPIC, "r/t")));
        return received(new MqttMessage("fmt/é", payload.getBytes(UTF_8), QoS.AT_LEAST_ONCE, false, false, properties), 1, 0);
    }

    private static ReceivedMessage plain(byte[] payload) {
        return received(new MqttMessage("fmt/é", payload, QoS.AT_LEAST_ONCE, false, false, Properties.EMPTY), 1, 0);
    }

    private static ReceivedMessage received(MqttMessage message, int packetId, int alias) {
        return new ReceivedMessage(message, packetId, alias, TIME);
    }

    private static byte[] format(String format, ReceivedMessage message) {
        return format(format, message, false, new ArrayList<>());
    }

    private static byte[] format(String format, ReceivedMessage message, boolean pretty, List<String> errors) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            OutputFormat.parse(format).write(message, UTC, pretty, out, errors::add);
            return out.toByteArray();
        } catch (OutputFormat.Invalid e) {
            throw new AssertionError(e.text(), e);
        }
    }

    private static String text(String format, ReceivedMessage message) {
        return new String(format(format, message), UTF_8);
    }

    // ---- the message's fields

    @Test
    @DisplayName("%t %p %l %q %r %m: topic, payload bytes, length in bytes, QoS, retain flag, message id")
    void fields() {
        assertThat(text("%t|%p|%l|%q|%r|%m", withProperties("héllo wörld"))).isEqualTo("fmt/é|héllo wörld|13|1|0|1");
        MqttMessage retainedAtZero = new MqttMessage("a", "x".getBytes(UTF_8), QoS.AT_MOST_ONCE, true);
        assertThat(text("%q %r %m", received(retainedAtZero, 0, 0))).isEqualTo("0 1 0");
    }

    @Test
    @DisplayName("a string's width and precision count bytes: é is two; - aligns left; 0 does not pad strings")
    void stringWidthAndPrecision() {
        assertThat(text("%10t|%-10t|%.2t|%5.2t|%-5.2t|%010t|%.t|", withProperties("héllo")))
                .isEqualTo("    fmt/é|fmt/é    |fm|   fm|fm   |    fmt/é||");
    }

    @Test
    @DisplayName("a number's width: right aligned, - left (where 0 is ignored), 0 pads with zeros")
    void numberWidth() {
        assertThat(text("%5l|%-5l|%05l|%-05l|%5m|%05m", withProperties("héllo"))).isEqualTo("    6|6    |00006|6    |    1|00001");
    }

    @Test
    @DisplayName("the MQTT 5.0 properties: %C %R with width and precision, %D raw, %P name:value pairs, %E %F %S numbers")
    void properties() {
        assertThat(text("%C|%12C|%-12C|%.3C|%R|%6R|%.2R|%D|%P|%5E|%05E|%-5E|%F|%3F|%S|%4S|%A|%5A|%05A", withProperties("x")))
                .isEqualTo("text/plain|  text/plain|text/plain  |tex|r/t|   r/t|r/|abc|k:v k2:v 2|   60|00060|60   |1|  1||    ||     |00000");
    }

    @Test
    @DisplayName("absent properties: nothing, or blanks the field's width (zeros with 0, whatever -), but %R %D %P print nothing")
    void absentProperties() {
        assertThat(text("[%C][%5C][%R][%5R][%D][%P][%E][%5E][%05E][%-05E][%F][%S][%A][%05A]", plain(new byte[] {'x'})))
                .isEqualTo("[][     ][][][][][][     ][00000][00000][][][][00000]");
    }

    @Test
    @DisplayName("%S prints the first subscription identifier, %A the topic alias the PUBLISH came with")
    void subscriptionIdentifierAndAlias() {
        MqttMessage twice = new MqttMessage("a", new byte[0], QoS.AT_MOST_ONCE, false, false, new Properties(List.of(
                Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 7), Property.of(PropertyId.SUBSCRIPTION_IDENTIFIER, 9))));
        assertThat(text("%S %A %-3A|", received(twice, 0, 4))).isEqualTo("7 4 4  |");
    }

    @Test
    @DisplayName("%p with a width is a field that wide: a longer payload is cut to fit, a shorter one padded")
    void payloadWidth() {
        assertThat(text("%3p|%-3p|%03p|%8p|%-8p|%08p", plain("abcdef".getBytes(UTF_8)))).isEqualTo("abc|abc|abc|  abcdef|abcdef  |00abcdef");
    }

    @Test
    @DisplayName("%x %X: two hex digits a byte; with a width, as many whole bytes as fit, padded (mosquitto 2.0.11 shows half of them)")
    void hex() {
        ReceivedMessage bytes = plain(new byte[] {'a', (byte) 0xFF, 1});
        assertThat(text("%x|%X", bytes)).isEqualTo("61ff01|61FF01");
        // mosquitto_sub 2.0.11 prints "  61|61  |0061" here: it halves a payload shorter than the field
        assertThat(text("%4x|%-4X|%04x|%8x|%08X|%-8x|", bytes)).isEqualTo("61ff|61FF|61ff|  61ff01|0061FF01|61ff01  |");
    }

    @Test
    @DisplayName("binary payloads and correlation data are written byte for byte")
    void binary() {
        byte[] payload = {0, (byte) 0xC3, (byte) 0x28, '\n', (byte) 0xFF};
        MqttMessage m = new MqttMessage("b", payload, QoS.AT_MOST_ONCE, false, false,
                Properties.of(Property.of(PropertyId.CORRELATION_DATA, Bytes.of(new byte[] {(byte) 0xFE, 0}))));
        assertThat(format("%p|%D", received(m, 0, 0))).containsExactly(0, 0xC3, 0x28, '\n', 0xFF, '|', 0xFE, 0);
    }

    // ---- escapes, literals and times

    @Test
    @DisplayName("\\ escapes, %% and @@; any other character is itself")
    void escapes() {
        assertThat(format("a\\tb\\\\c\\0d\\ae\\ef\\ng\\rh\\vi%%j@@k é", plain(new byte[0])))
                .isEqualTo("a\tb\\c\0d\u0007e\u001Bf\ng\rh\u000Bi%j@k é".getBytes(UTF_8));
    }

    @Test
    @DisplayName("@X is strftime's %X of the time printed, @N its nanoseconds; %I ISO 8601, %U Unix time with nanoseconds")
    void times() {
        assertThat(text("@Y-@m-@dT@H:@M:@S@z @N|%I|%U|%25I|%.10I", plain(new byte[0])))
                .isEqualTo("2026-12-07T15:18:17+0000 375153638|2026-12-07T15:18:17+0000|1796656697.375153638"
                        + "| 2026-12-07T15:18:17+0000|2026-12-07");
    }

    @Test
    @DisplayName("times are in the given zone: %I and @z carry its offset")
    void zone() throws OutputFormat.Invalid {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OutputFormat.parse("%I @Z").write(plain(new byte[0]), ZoneId.of("America/St_Johns"), false, out, e -> { });
        assertThat(out.toString(UTF_8)).isEqualTo("2026-12-07T11:48:17-0330 NST");
    }

    // ---- JSON

    @Test
    @DisplayName("%j: mosquitto_sub's members in its order, properties by name, user properties together, payload quoted")
    void json() {
        assertThat(text("%j", withProperties("héllo \"q\" \\ \t\u0001")))
                .isEqualTo("{\"tst\":\"2026-12-07T15:18:17.375153+0000\",\"topic\":\"fmt/é\",\"qos\":1,\"retain\":0,"
                        + "\"payloadlen\":15,\"mid\":1,\"properties\":{\"user-properties\":{\"k\":\"v\",\"k2\":\"v 2\"},"
                        + "\"content-type\":\"text/plain\",\"correlation-data\":\"abc\",\"message-expiry-interval\":60,"
                        + "\"payload-format-indicator\":1,\"response-topic\":\"r/t\"},"
                        + "\"payload\":\"héllo \\\"q\\\" \\\\ \\t\\u0001\"}");
    }

    @Test
    @DisplayName("%j at QoS 0 without properties: no mid, no properties; an empty payload is null")
    void jsonPlain() {
        MqttMessage m = new MqttMessage("a/b", new byte[0], QoS.AT_MOST_ONCE, true);
        assertThat(text("%j", received(m, 0, 0)))
                .isEqualTo("{\"tst\":\"2026-12-07T15:18:17.375153+0000\",\"topic\":\"a/b\",\"qos\":0,\"retain\":1,\"payloadlen\":0,\"payload\":null}");
    }

    @Test
    @DisplayName("%J puts the payload's JSON in, written again as cJSON writes it (numbers as %.15g or %.17g)")
    void jsonPayload() {
        String payload = "{\"a\":[1,2.50,{\"b\":null,\"c\":true}],\"d\":{},\"e\":[],\"f\":\"x\\u00e9\\/\",\"g\":1e3,"
                + "\"h\":0.1,\"i\":-0,\"j\":12345678901234567890}";
        assertThat(text("%J", plain(payload.getBytes(UTF_8)))).isEqualTo(
                "{\"tst\":\"2026-12-07T15:18:17.375153+0000\",\"topic\":\"fmt/é\",\"qos\":1,\"retain\":0,\"payloadlen\":"
                        + payload.length() + ",\"mid\":1,\"payload\":{\"a\":[1,2.5,{\"b\":null,\"c\":true}],\"d\":{},\"e\":[],"
                        + "\"f\":\"xé/\",\"g\":1000,\"h\":0.1,\"i\":-0,\"j\":1.2345678901234567e+19}}");
    }

    @Test
    @DisplayName("--pretty: cJSON's formatted style, tab indents, a tab after each colon, arrays on one line (as mosquitto_sub --pretty)")
    void jsonPretty() {
        String payload = "{\"a\":[1,2.50,{\"b\":null,\"c\":true}],\"d\":{},\"e\":[]}";
        MqttMessage m = new MqttMessage("z/a", payload.getBytes(UTF_8), QoS.AT_LEAST_ONCE, false, false,
                new Properties(List.of(Property.user("k", "v"), Property.of(PropertyId.CONTENT_TYPE, "ct"))));
        assertThat(new String(format("%J", received(m, 3, 0), true, new ArrayList<>()), UTF_8)).isEqualTo("""
                {
                \t"tst":\t"2026-12-07T15:18:17.375153+0000",
                \t"topic":\t"z/a",
                \t"qos":\t1,
                \t"retain":\t0,
                \t"payloadlen":\t%d,
                \t"mid":\t3,
                \t"properties":\t{
                \t\t"user-properties":\t{
                \t\t\t"k":\t"v"
                \t\t},
                \t\t"content-type":\t"ct"
                \t},
                \t"payload":\t{
                \t\t"a":\t[1, 2.5, {
                \t\t\t\t"b":\tnull,
                \t\t\t\t"c":\ttrue
                \t\t\t}],
                \t\t"d":\t{
                \t\t},
                \t\t"e":\t[]
                \t}
                }""".formatted(payload.length()));
    }

    @Test
    @DisplayName("%J with a payload that is not JSON prints nothing for it and says so, the rest of the format goes on")
    void jsonPayloadNotJson() {
        List<String> errors = new ArrayList<>();
        assertThat(format("A%JB", plain("nope".getBytes(UTF_8)), false, errors)).isEqualTo("AB".getBytes(UTF_8));
        assertThat(errors).containsExactly("Error: Message payload is not valid JSON on topic fmt/é.");
    }

    @Test
    @DisplayName("a topic alias is among the JSON's properties")
    void jsonAlias() {
        MqttMessage m = new MqttMessage("t", "x".getBytes(UTF_8), QoS.AT_MOST_ONCE, false);
        assertThat(text("%j", received(m, 0, 2))).contains("\"properties\":{\"topic-alias\":2},");
    }

    // ---- errors, as mosquitto_sub's check_format words them

    @ParameterizedTest(name = "[{0}] {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "%        | Error: Incomplete format specifier.",
            "a%       | Error: Incomplete format specifier.",
            "%-       | Error: Incomplete format specifier.",
            "%0       | Error: Incomplete format specifier.",
            "%-0      | Error: Incomplete format specifier.",
            "%10      | Error: Incomplete format specifier.",
            "%10.     | Error: Incomplete format specifier.",
            "%10.5    | Error: Incomplete format specifier.",
            "%k       | Error: Invalid format specifier 'k'.",
            "%05.3Z   | Error: Invalid format specifier 'Z'.",
            "%--t     | Error: Invalid format specifier '-'.",
            "%0-5t    | Error: Invalid format specifier '-'.",
            "@        | Error: Incomplete format specifier.",
            "x@       | Error: Incomplete format specifier.",
            "\\       | Error: Incomplete escape specifier.",
            "\\q      | Error: Invalid escape specifier 'q'."})
    @DisplayName("a bad format is refused with mosquitto_sub's message")
    void invalid(String format, String message) {
        assertThatThrownBy(() -> OutputFormat.parse(format.strip()))
                .isInstanceOfSatisfying(OutputFormat.Invalid.class, e -> assertThat(e.text()).isEqualTo(message));
    }

    @Test
    @DisplayName("the formats mosquitto_sub accepts are accepted: flags, width, precision on any conversion")
    void valid() throws OutputFormat.Invalid {
        for (String format : List.of("%-10.3t", "%.t", "%%", "%-%", "%-05E", "%00t", "@Q", "@@", "plain", "")) {
            OutputFormat.parse(format);
        }
    }
}
