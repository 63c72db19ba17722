package io.starling.cli.client.format;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a payload as JSON for -F's {@code %J}, accepting what cJSON (mosquitto_sub's parser)
 * accepts: one value, white space (any byte up to 0x20) around it, an optional UTF-8 byte order
 * mark first; numbers as C's {@code strtod} reads the longest prefix of the characters
 * {@code 0-9 + - . e E} (so {@code 01} and {@code 1.} are numbers); strings with JSON's escapes,
 * their other bytes taken as they are. A payload with a NUL byte is not JSON, as the C string
 * cJSON reads ends there. Nesting is limited to cJSON's 1000 levels.
 */
final class JsonPayload {
    private static final int NESTING_LIMIT = 1000;
    /** What strtod takes from the start of a number's characters. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

    private final byte[] in;
    private int at;
    private int depth;

    private JsonPayload(byte[] in) {
        this.in = in;
    }

    /** The payload's value, or null if the payload is not one JSON value. */
    static @Nullable Json parse(byte[] payload) {
        for (byte b : payload) {
            if (b == 0) {
                return null;
            }
        }
        JsonPayload parser = new JsonPayload(payload);
        if (payload.length >= 3 && (payload[0] & 0xFF) == 0xEF && (payload[1] & 0xFF) == 0xBB && (payload[2] & 0xFF) == 0xBF) {
            parser.at = 3;
        }
        Json value = parser.value();
        if (value == null) {
            return null;
        }
        parser.skipWhiteSpace();
        return parser.at == payload.length ? value : null;
    }

    private @Nullable Json value() {
        skipWhiteSpace();
        if (at >= in.length) {
            return null;
        }
        byte b = in[at];
        if (literal("null")) {
            return new Json.Null();
        }
        if (literal("false")) {
            return new Json.Bool(false);
        }
        if (literal("true")) {
            return new Json.Bool(true);
        }
        if (b == '"') {
            byte[] s = string();
            return s == null ? null : new Json.Str(s);
        }
        if (b == '-' || (b >= '0' && b <= '9')) {
            return number();
        }
        if (b == '[' || b == '{') {
            if (++depth > NESTING_LIMIT) {
                return null;
            }
            Json nested = b == '[' ? array() : object();
            depth--;
            return nested;
        }
        return null;
    }

    private boolean literal(String word) {
        byte[] w = word.getBytes(StandardCharsets.US_ASCII);
        if (at + w.length > in.length) {
            return false;
        }
        for (int i = 0; i < w.length; i++) {
            if (in[at + i] != w[i]) {
                return false;
            }
        }
        at += w.length;
        return true;
    }

    private Json.@Nullable Num number() {
        int end = at;
        while (end < in.length && "0123456789+-.eE".indexOf(in[end]) >= 0) {
            end++;
        }
        Matcher m = NUMBER.matcher(new String(in, at, end - at, StandardCharsets.US_ASCII));
        if (!m.lookingAt()) {
            return null;
        }
        at += m.end();
        return new Json.Num(Double.parseDouble(m.group()));
    }

    /** A string's bytes, its escapes resolved, or null if it is not a well-formed JSON string. */
    private byte @Nullable [] string() {
        at++; // the opening quote
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (at < in.length && in[at] != '"') {
            byte b = in[at++];
            if (b != '\\') {
                out.write(b);
                continue;
            }
            if (at >= in.length) {
                return null;
            }
            byte escaped = in[at++];
            switch (escaped) {
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case '"', '\\', '/' -> out.write(escaped);
                case 'u' -> {
                    if (!unicode(out)) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        }
        if (at >= in.length) {
            return null;
        }
        at++; // the closing quote
        return out.toByteArray();
    }

    /** A backslash-u escape with four hex digits (a surrogate pair being two of them) as UTF-8; false if malformed. */
    private boolean unicode(ByteArrayOutputStream out) {
        int first = hex4();
        if (first < 0 || Character.isLowSurrogate((char) first)) {
            return false;
        }
        int codePoint = first;
        if (Character.isHighSurrogate((char) first)) {
            if (at + 1 >= in.length || in[at] != '\\' || in[at + 1] != 'u') {
                return false;
            }
            at += 2;
            int second = hex4();
            if (second < 0 || !Character.isLowSurrogate((char) second)) {
                return false;
            }
            codePoint = Character.toCodePoint((char) first, (char) second);
        }
        out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
        return true;
    }

    private int hex4() {
        if (at + 4 > in.length) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(in[at + i], 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        at += 4;
        return value;
    }

    private Json.@Nullable Arr array() {
        at++; // [
        List<Json> values = new ArrayList<>();
        skipWhiteSpace();
        if (at < in.length && in[at] == ']') {
            at++;
            return new Json.Arr(values);
        }
        do {
            Json value = value();
            if (value == null) {
                return null;
            }
            values.add(value);
            skipWhiteSpace();
        } while (next(','));
        return next(']') ? new Json.Arr(values) : null;
    }

    private Json.@Nullable Obj object() {
        at++; // {
        List<Json.Member> members = new ArrayList<>();
        skipWhiteSpace();
        if (at < in.length && in[at] == '}') {
            at++;
            return new Json.Obj(members);
        }
        do {
            skipWhiteSpace();
            if (at >= in.length || in[at] != '"') {
                return null;
            }
            byte[] key = string();
            skipWhiteSpace();
            if (key == null || !next(':')) {
                return null;
            }
            Json value = value();
            if (value == null) {
                return null;
            }
            members.add(new Json.Member(key, value));
            skipWhiteSpace();
        } while (next(','));
        return next('}') ? new Json.Obj(members) : null;
    }

    /** Takes {@code c} if it comes next. */
    private boolean next(char c) {
        if (at < in.length && in[at] == c) {
            at++;
            return true;
        }
        return false;
    }

    private void skipWhiteSpace() {
        while (at < in.length && (in[at] & 0xFF) <= 0x20) {
            at++;
        }
    }
}
