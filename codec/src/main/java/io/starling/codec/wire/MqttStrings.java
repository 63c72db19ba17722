package io.starling.codec.wire;

import io.netty.buffer.ByteBuf;

/**
 * The rules of an MQTT UTF-8 encoded string: well-formed UTF-8 (RFC 3629, so no encoded surrogates
 * and nothing above U+10FFFF), no U+0000, and at most 65,535 bytes. A BOM (U+FEFF) is an ordinary
 * character and is kept [MQTT-1.5.3-3].
 */
public final class MqttStrings {
    /** Longest string the two-byte length prefix can describe. */
    public static final int MAX_BYTES = 65_535;

    /** Result of {@link #validate(ByteBuf, int, int)} for a string made of ASCII characters only. */
    public static final int ASCII = 0;
    /** Result of {@link #validate(ByteBuf, int, int)} for a well-formed string with non-ASCII characters. */
    public static final int NON_ASCII = 1;
    /** Result of {@link #validate(ByteBuf, int, int)}: the bytes are not well-formed UTF-8 or encode a surrogate. */
    public static final int ILL_FORMED = 2;
    /** Result of {@link #validate(ByteBuf, int, int)}: the string contains U+0000. */
    public static final int NULL_CHARACTER = 3;

    private MqttStrings() {}

    /**
     * Checks {@code length} bytes at {@code index} as an MQTT string and says which of
     * {@link #ASCII}, {@link #NON_ASCII}, {@link #ILL_FORMED} or {@link #NULL_CHARACTER} they are.
     */
    public static int validate(ByteBuf buf, int index, int length) {
        int end = index + length;
        int i = index;
        boolean ascii = true;
        while (i < end) {
            int b = buf.getByte(i) & 0xFF;
            if (b < 0x80) {
                if (b == 0) {
                    return NULL_CHARACTER;
                }
                i++;
                continue;
            }
            ascii = false;
            int extra;
            int lowest = 0x80;
            int highest = 0xBF;
            if (b >= 0xC2 && b <= 0xDF) {
                extra = 1;
            } else if (b == 0xE0) {
                extra = 2;
                lowest = 0xA0; // overlong below U+0800
            } else if (b == 0xED) {
                extra = 2;
                highest = 0x9F; // U+D800..U+DFFF are surrogates, never characters
            } else if (b >= 0xE1 && b <= 0xEF) {
                extra = 2;
            } else if (b == 0xF0) {
                extra = 3;
                lowest = 0x90; // overlong below U+10000
            } else if (b >= 0xF1 && b <= 0xF3) {
                extra = 3;
            } else if (b == 0xF4) {
                extra = 3;
                highest = 0x8F; // above U+10FFFF
            } else {
                return ILL_FORMED; // 0x80..0xC1 and 0xF5..0xFF never start a character
            }
            if (i + extra >= end) { // truncated sequence
                return ILL_FORMED;
            }
            int second = buf.getByte(i + 1) & 0xFF;
            if (second < lowest || second > highest) {
                return ILL_FORMED;
            }
            for (int k = 2; k <= extra; k++) {
                int next = buf.getByte(i + k) & 0xFF;
                if (next < 0x80 || next > 0xBF) {
                    return ILL_FORMED;
                }
            }
            i += extra + 1;
        }
        return ascii ? ASCII : NON_ASCII;
    }

    /**
     * The number of UTF-8 bytes of a string that is a valid MQTT string, or -1 if it contains
     * U+0000 or an unpaired surrogate, or encodes to more than {@link #MAX_BYTES}.
     */
    public static int encodedLength(String s) {
        int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == 0) {
                    return -1;
                }
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return -1;
                }
                i++;
                bytes += 4;
            } else if (Character.isLowSurrogate(c)) {
                return -1;
            } else {
                bytes += 3;
            }
        }
        return bytes <= MAX_BYTES ? bytes : -1;
    }

    /** Returns {@code s} if it is a valid MQTT string, or throws naming {@code what}. */
    public static String require(String s, String what) {
        if (encodedLength(s) < 0) {
            throw new IllegalArgumentException(what + " is not a valid MQTT string"
                    + " (U+0000, an unpaired surrogate, or more than 65535 UTF-8 bytes)");
        }
        return s;
    }
}
