package io.starling.cli.client.format;

import io.starling.client.MqttMessage;
import io.starling.codec.property.PropertyId;
import io.starling.codec.property.UserProperty;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The -F format of sub and rr, mosquitto_sub's: text in which {@code %} sequences stand for the
 * message's fields and MQTT 5.0 properties, {@code @} sequences for strftime's conversions of the
 * time it is printed, and {@code \} sequences for characters hard to type. Parsed once, with
 * mosquitto's checks and messages; then {@link #write} prints each message. Everything is bytes:
 * a payload, a topic or a property is written as it came, and widths count bytes, as in C.
 *
 * <p>A {@code %} sequence is {@code %[-][0][width][.precision]conversion}. {@code -} aligns left;
 * {@code 0} pads numbers (and absent numeric properties) with zeros; the width is a minimum for
 * {@code %A %C %E %F %I %l %m %p %R %S %t %x %X}, and for the payload ({@code %p %x %X}) also a
 * maximum, as mosquitto has it; the precision is a maximum for {@code %C %I %R %t}.
 */
public final class OutputFormat {
    /** The conversions after {@code %} that mosquitto_sub knows. */
    private static final String CONVERSIONS = "%ACDEFIlmPpqRSrtjJUxX";

    /** A piece of the format. */
    private sealed interface Piece permits Text, Field, Time {}

    /** Text printed as it is (escapes resolved). Printed, never compared. */
    @SuppressWarnings("ArrayRecordComponent")
    private record Text(byte[] bytes) implements Piece {}

    /** A {@code %} sequence. */
    private record Field(char conversion, boolean left, char pad, int width, int precision) implements Piece {}

    /** An {@code @} sequence: strftime's conversion, or {@code N} for the nanoseconds. */
    private record Time(char conversion) implements Piece {}

    /** A format mosquitto_sub would refuse: its message. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        private final String text;

        Invalid(String text) {
            super(text, null, false, false);
            this.text = text;
        }

        /** mosquitto's message. */
        public String text() {
            return text;
        }
    }

    private final List<Piece> pieces;

    private OutputFormat(List<Piece> pieces) {
        this.pieces = List.copyOf(pieces);
    }

    /** Parses {@code format}; throws with mosquitto's message ("Error: Invalid format specifier 'k'.") if it is not valid. */
    public static OutputFormat parse(String format) throws Invalid {
        List<Piece> pieces = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int n = format.length();
        int i = 0;
        while (i < n) {
            char c = format.charAt(i);
            if (c == '%' || c == '@') {
                if (i == n - 1) {
                    throw new Invalid("Error: Incomplete format specifier.");
                }
                flush(text, pieces);
                if (c == '@') {
                    pieces.add(new Time(format.charAt(i + 1)));
                    i += 2;
                } else {
                    i = field(format, i + 1, pieces);
                }
            } else if (c == '\\') {
                if (i == n - 1) {
                    throw new Invalid("Error: Incomplete escape specifier.");
                }
                text.append(escape(format.charAt(i + 1)));
                i += 2;
            } else {
                text.append(c);
                i++;
            }
        }
        flush(text, pieces);
        return new OutputFormat(pieces);
    }

    /** Reads the {@code %} sequence that starts at {@code i} (after the %); returns where the format goes on. */
    private static int field(String format, int i, List<Piece> pieces) throws Invalid {
        boolean left = false;
        char pad = ' ';
        if (format.charAt(i) == '-') {
            left = true;
            i = next(format, i);
        }
        if (format.charAt(i) == '0') {
            pad = '0';
            i = next(format, i);
        }
        int width = 0;
        while (format.charAt(i) >= '0' && format.charAt(i) <= '9') {
            width = Math.min(1_000_000, width * 10 + format.charAt(i) - '0');
            i = next(format, i);
        }
        int precision = -1;
        if (format.charAt(i) == '.') {
            i = next(format, i);
            precision = 0;
            while (format.charAt(i) >= '0' && format.charAt(i) <= '9') {
                precision = Math.min(1_000_000, precision * 10 + format.charAt(i) - '0');
                i = next(format, i);
            }
        }
        char conversion = format.charAt(i);
        if (CONVERSIONS.indexOf(conversion) < 0) {
            throw new Invalid("Error: Invalid format specifier '" + conversion + "'.");
        }
        pieces.add(new Field(conversion, left, pad, width, precision));
        return i + 1;
    }

    /** The index after {@code i}, which must still be inside the format: a sequence cannot end there. */
    private static int next(String format, int i) throws Invalid {
        if (i + 1 >= format.length()) {
            throw new Invalid("Error: Incomplete format specifier.");
        }
        return i + 1;
    }

    private static char escape(char c) throws Invalid {
        return switch (c) {
            case '\\' -> '\\';
            case '0' -> '\0';
            case 'a' -> '\u0007';
            case 'e' -> '\u001B';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'v' -> '\u000B';
            default -> throw new Invalid("Error: Invalid escape specifier '" + c + "'.");
        };
    }

    private static void flush(StringBuilder text, List<Piece> pieces) {
        if (!text.isEmpty()) {
            pieces.add(new Text(text.toString().getBytes(StandardCharsets.UTF_8)));
            text.setLength(0);
        }
    }

    /**
     * Writes {@code received} in this format to {@code out}, times in {@code zone}; a {@code %J}
     * whose payload is not JSON prints nothing and tells {@code errors} mosquitto's message.
     */
    public void write(ReceivedMessage received, ZoneId zone, boolean pretty, ByteArrayOutputStream out, Consumer<String> errors) {
        ZonedDateTime time = received.time().atZone(zone);
        for (Piece piece : pieces) {
            if (piece instanceof Text text) {
                out.writeBytes(text.bytes());
            } else if (piece instanceof Time t) {
                ascii(t.conversion() == 'N' ? String.format(Locale.ROOT, "%09d", time.getNano())
                        : t.conversion() == '@' ? "@" : Strftime.format(t.conversion(), time), out);
            } else {
                field((Field) piece, received, time, pretty, out, errors);
            }
        }
    }

    private static void field(Field f, ReceivedMessage received, ZonedDateTime time, boolean pretty,
            ByteArrayOutputStream out, Consumer<String> errors) {
        MqttMessage m = received.message();
        switch (f.conversion()) {
            case '%' -> out.write('%');
            case 'A' -> optionalNumber(received.topicAlias() == 0 ? OptionalLong.empty() : OptionalLong.of(received.topicAlias()), f, out);
            case 'C' -> {
                if (m.contentType().isPresent()) {
                    string(utf8(m.contentType().get()), f, out);
                } else {
                    repeat(' ', f.width(), out);
                }
            }
            case 'D' -> m.correlationData().ifPresent(out::writeBytes);
            case 'E' -> optionalNumber(m.messageExpiryInterval(), f, out);
            case 'F' -> optionalNumber(m.properties().integer(PropertyId.PAYLOAD_FORMAT_INDICATOR), f, out);
            case 'I' -> string(utf8(Strftime.format('F', time) + "T" + Strftime.format('T', time) + Strftime.format('z', time)), f, out);
            case 'j', 'J' -> JsonMessage.write(received, time, f.conversion() == 'j', pretty, out, errors);
            case 'l' -> number(m.payload().length, f, out);
            case 'm' -> number(received.packetId(), f, out);
            case 'P' -> {
                List<UserProperty> users = m.userProperties();
                for (int i = 0; i < users.size(); i++) {
                    out.writeBytes(utf8((i > 0 ? " " : "") + users.get(i).name() + ":" + users.get(i).value()));
                }
            }
            case 'p' -> payload(m.payload(), 0, f, out);
            case 'q' -> out.write('0' + m.qos().value());
            case 'R' -> m.responseTopic().ifPresent(topic -> string(utf8(topic), f, out));
            case 'r' -> out.write(m.retain() ? '1' : '0');
            case 'S' -> optionalNumber(m.subscriptionIdentifiers().isEmpty() ? OptionalLong.empty()
                    : OptionalLong.of(m.subscriptionIdentifiers().get(0)), f, out);
            case 't' -> string(utf8(m.topic()), f, out);
            case 'U' -> ascii(time.toEpochSecond() + "." + String.format(Locale.ROOT, "%09d", time.getNano()), out);
            case 'x' -> payload(m.payload(), 1, f, out);
            case 'X' -> payload(m.payload(), 2, f, out);
            default -> throw new IllegalStateException("unknown conversion " + f.conversion());
        }
    }

    /** A number, or blanks (the pad character) the width of the field when the property is absent. */
    private static void optionalNumber(OptionalLong value, Field f, ByteArrayOutputStream out) {
        if (value.isPresent()) {
            // C's (int) of the 32-bit value, as mosquitto prints it with %d
            number((int) value.getAsLong(), f, out);
        } else {
            repeat(f.pad(), f.width(), out);
        }
    }

    /** printf's {@code %d}, {@code %-*d}, {@code %0*d} or {@code %*d}. */
    private static void number(int value, Field f, ByteArrayOutputStream out) {
        String format;
        if (f.width() == 0) {
            format = "%d";
        } else if (f.left()) {
            format = "%-" + f.width() + "d";
        } else {
            format = (f.pad() == '0' ? "%0" : "%") + f.width() + "d";
        }
        ascii(String.format(Locale.ROOT, format, value), out);
    }

    /** printf's {@code %-*.*s} and relatives, counting bytes. */
    private static void string(byte[] value, Field f, ByteArrayOutputStream out) {
        int length = f.precision() >= 0 ? Math.min(value.length, f.precision()) : value.length;
        int padding = Math.max(0, f.width() - length);
        if (!f.left()) {
            repeat(' ', padding, out);
        }
        out.write(value, 0, length);
        if (f.left()) {
            repeat(' ', padding, out);
        }
    }

    /**
     * The payload raw ({@code hex} 0) or in hex (1 lower case, 2 upper case). A width is the size of
     * the field: the payload is cut to fit (whole bytes), and padded to it. (mosquitto 2.0.11
     * prints half the bytes of a hex payload shorter than the field; here they all fit.)
     */
    private static void payload(byte[] payload, int hex, Field f, ByteArrayOutputStream out) {
        int perByte = hex == 0 ? 1 : 2;
        int shown = f.width() > 0 ? Math.min(payload.length, f.width() / perByte) : payload.length;
        int padding = Math.max(0, f.width() - shown * perByte);
        if (!f.left()) {
            repeat(f.pad(), padding, out);
        }
        if (hex == 0) {
            out.write(payload, 0, shown);
        } else {
            String digits = hex == 1 ? "%02x" : "%02X";
            for (int i = 0; i < shown; i++) {
                ascii(String.format(Locale.ROOT, digits, payload[i] & 0xFF), out);
            }
        }
        if (f.left()) {
            repeat(' ', padding, out);
        }
    }

    private static void repeat(char c, int times, ByteArrayOutputStream out) {
        for (int i = 0; i < times; i++) {
            out.write(c);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void ascii(String s, ByteArrayOutputStream out) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
