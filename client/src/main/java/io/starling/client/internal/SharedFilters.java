package io.starling.client.internal;

/** Shared subscription filters, {@code $share/<group>/<filter>} (MQTT 5.0, 4.8.2). */
public final class SharedFilters {
    private static final String PREFIX = "$share/";

    private SharedFilters() {}

    public static boolean isShared(String filter) {
        return filter.startsWith(PREFIX) && filter.indexOf('/', PREFIX.length()) > PREFIX.length();
    }

    /** The filter messages are matched against: after the group for a shared one, else itself. */
    public static String filterOf(String filter) {
        return isShared(filter) ? filter.substring(filter.indexOf('/', PREFIX.length()) + 1) : filter;
    }
}
