package io.starling.client;

import io.starling.codec.packet.ReasonCode;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Reason codes in words for messages: {@code 0x87 Not authorized (reason string)}. */
final class ReasonCodes {
    private ReasonCodes() {}

    static String describe(ReasonCode code, @Nullable String reasonString) {
        String words = code.name().charAt(0) + code.name().substring(1).toLowerCase(Locale.ROOT).replace('_', ' ');
        String text = String.format(Locale.ROOT, "0x%02X %s", code.value(), words);
        return reasonString == null || reasonString.isEmpty() ? text : text + " (" + reasonString + ")";
    }
}
