package io.starling.cli.client.format;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A JSON value as -F's {@code %j} and {@code %J} print it, written the way cJSON (which
 * mosquitto_sub uses) writes it, so that the output is byte for byte mosquitto's: strings are
 * bytes, escaped only where JSON requires ({@code "}, {@code \}, control characters; non-ASCII
 * and even malformed UTF-8 pass through); numbers as C's {@code %1.15g}, or {@code %1.17g} when
 * 15 digits do not give the number back; duplicate keys kept in order. {@code --pretty} is cJSON's
 * formatted style: one member per line indented by tabs, a tab after each colon, arrays on one
 * line with ", ".
 */
sealed interface Json {
    /** {@code null}. */
    record Null() implements Json {}

    record Bool(boolean value) implements Json {}

    record Num(double value) implements Json {}

    /** A string as bytes (UTF-8 or not). Printed, never compared. */
    @SuppressWarnings("ArrayRecordComponent")
    record Str(byte[] value) implements Json {
        static Str of(String text) {
            return new Str(text.getBytes(StandardCharsets.UTF_8));
        }
    }

    record Arr(List<Json> values) implements Json {}

    /** One member of an object: a key (bytes) and its value. Printed, never compared. */
    @SuppressWarnings("ArrayRecordComponent")
    record Member(byte[] key, Json value) {
        static Member of(String key, Json value) {
            return new Member(key.getBytes(StandardCharsets.UTF_8), value);
        }
    }

    record Obj(List<Member> members) implements Json {}

    /** Writes {@code value} to {@code out}, formatted as {@code --pretty} asks or on one line. */
    static void print(Json value, boolean pretty, ByteArrayOutputStream out) {
        print(value, pretty, 0, out);
    }

    private static void print(Json value, boolean pretty, int depth, ByteArrayOutputStream out) {
        if (value instanceof Bool b) {
            ascii(b.value() ? "true" : "false", out);
        } else if (value instanceof Num n) {
            ascii(number(n.value()), out);
        } else if (value instanceof Str s) {
            string(s.value(), out);
        } else if (value instanceof Arr a) {
            out.write('[');
            for (int i = 0; i < a.values().size(); i++) {
                if (i > 0) {
                    ascii(pretty ? ", " : ",", out);
                }
                print(a.values().get(i), pretty, depth + 1, out);
            }
            out.write(']');
        } else if (value instanceof Obj o) {
            object(o.members(), pretty, depth, out);
        } else {
            ascii("null", out);
        }
    }

    private static void object(List<Member> members, boolean pretty, int depth, ByteArrayOutputStream out) {
        out.write('{');
        if (pretty) {
            out.write('\n');
        }
        for (int i = 0; i < members.size(); i++) {
            if (pretty) {
                tabs(depth + 1, out);
            }
            string(members.get(i).key(), out);
            out.write(':');
            if (pretty) {
                out.write('\t');
            }
            print(members.get(i).value(), pretty, depth + 1, out);
            if (i < members.size() - 1) {
                out.write(',');
            }
            if (pretty) {
                out.write('\n');
            }
        }
        if (pretty) {
            tabs(depth, out);
        }
        out.write('}');
    }

    /** A number as cJSON prints it: {@code %1.15g}, or {@code %1.17g} if that does not read back the same. */
    static String number(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return "null";
        }
        String shortest = cFormatG(d, 15);
        return Double.parseDouble(shortest) == d ? shortest : cFormatG(d, 17);
    }

    /**
     * C's {@code %.<precision>g}: the value rounded to {@code precision} significant digits,
     * plain when its exponent is from -4 to precision - 1, else as {@code d.ddde+XX}; trailing
     * zeros (and a trailing point) removed.
     */
    static String cFormatG(double d, int precision) {
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        if (exponent < -4 || exponent >= precision) {
            String digits = rounded.unscaledValue().abs().toString().replaceFirst("0+$", "");
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int magnitude = Math.abs(exponent);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + magnitude;
        }
        return rounded.stripTrailingZeros().toPlainString();
    }

    /** A string in quotes, escaped as cJSON escapes it. */
    private static void string(byte[] value, ByteArrayOutputStream out) {
        out.write('"');
        for (byte b : value) {
            @Nullable String escape = switch (b) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> b >= 0 && b < 0x20 ? String.format(Locale.ROOT, "\\u%04x", b) : null;
            };
            if (escape != null) {
                ascii(escape, out);
            } else {
                out.write(b);
            }
        }
        out.write('"');
    }

    private static void tabs(int n, ByteArrayOutputStream out) {
        for (int i = 0; i < n; i++) {
            out.write('\t');
        }
    }

    private static void ascii(String text, ByteArrayOutputStream out) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
