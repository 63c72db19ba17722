package io.starling.cli.client.format;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** -F's JSON: cJSON's number format, what it accepts as a payload for %J, and how it writes it again. */
class JsonTest {
    /** The payload read and written back on one line, or null if it is not JSON. */
    private static String roundTrip(String payload) {
        return roundTrip(payload.getBytes(UTF_8));
    }

    private static String roundTrip(byte[] payload) {
        Json value = JsonPayload.parse(payload);
        if (value == null) {
            return null;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Json.print(value, false, out);
        return out.toString(UTF_8);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0, 0", "-0.0, -0", "1, 1", "27.0, 27", "2.5, 2.5", "0.1, 0.1", "1000, 1000", "1e15, 1e+15",
            "123456789012345, 123456789012345", "1e-4, 0.0001", "1e-5, 1e-05", "0.00001234, 1.234e-05",
            "12345678901234567890, 1.2345678901234567e+19", "3.141592653589793, 3.1415926535897931",
            "1.7976931348623157e308, 1.7976931348623157e+308", "-2.5e-300, -2.5e-300"})
    @DisplayName("numbers as C's %1.15g, or %1.17g when 15 digits do not give the number back (cJSON)")
    void numbers(double value, String printed) {
        assertThat(Json.number(value)).isEqualTo(printed);
    }

    @Test
    @DisplayName("infinity and NaN are null")
    void notFinite() {
        assertThat(Json.number(Double.POSITIVE_INFINITY)).isEqualTo("null");
        assertThat(Json.number(Double.NaN)).isEqualTo("null");
        assertThat(roundTrip("1e999")).isEqualTo("null");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            " 5 | 5",
            "[ ] | []",
            "{ \"a\" : 1 , \"a\" : 2 } | {\"a\":1,\"a\":2}",
            "01 | 1",
            "1. | 1",
            "-0 | -0",
            "\"\\ud83d\\ude00 \\u00e9\\/\\b\\f\\n\\r\\t\\\"\\\\\" | \"\uD83D\uDE00 é/\\b\\f\\n\\r\\t\\\"\\\\\"",
            "[true,false,null] | [true,false,null]",
            "\"\\u0001\" | \"\\u0001\""})
    @DisplayName("payloads cJSON reads are read, and written again as cJSON writes them")
    void accepted(String payload, String written) {
        assertThat(roundTrip(payload)).isEqualTo(written);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", " ", "nope", "{", "[1,]", "[1 2]", "{\"a\"}", "{a:1}", "\"x", "\"\\x\"", "\"\\ud83d\"",
            "\"\\ude00\"", "1e", "+1", ".5", "1 2", "tru", "nul", "[", "{\"a\":}", "\"\\u12\""})
    @DisplayName("what cJSON refuses is not JSON")
    void refused(String payload) {
        assertThat(roundTrip(payload)).isNull();
    }

    @Test
    @DisplayName("a byte order mark is skipped; a NUL byte ends the C string cJSON reads, so the payload is not JSON")
    void bomAndNul() {
        assertThat(roundTrip(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '7'})).isEqualTo("7");
        assertThat(roundTrip(new byte[] {'7', 0})).isNull();
    }

    @Test
    @DisplayName("strings are bytes: non-ASCII and malformed UTF-8 pass through, control characters become \\u00XX")
    void stringsAreBytes() {
        byte[] payload = {'"', (byte) 0xFF, (byte) 0xC3, (byte) 0xA9, 0x1F, '"'};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Json.print(JsonPayload.parse(payload), false, out);
        assertThat(out.toByteArray()).containsExactly('"', 0xFF, 0xC3, 0xA9, '\\', 'u', '0', '0', '1', 'f', '"');
    }

    @Test
    @DisplayName("nesting deeper than cJSON's 1000 levels is refused")
    void nesting() {
        assertThat(roundTrip("[".repeat(1000) + "]".repeat(1000))).isNotNull();
        assertThat(roundTrip("[".repeat(1001) + "]".repeat(1001))).isNull();
    }
}
