package io.starling.broker.internal.sys;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Computes the {@code $SYS/broker/...} messages of each round from a {@link Sample} of the
 * broker's counts, with Mosquitto's topic names and payloads (integers in decimal, loads as
 * {@code "%.2f"}, the uptime as {@code "N seconds"}). As Mosquitto does, the first round gives
 * every topic, and later rounds give the uptime and what changed: a count that differs, a load
 * average that moved by 0.01 or more. Used by one thread.
 */
final class SysTopics {
    static final String PREFIX = "$SYS/broker/";

    /**
     * The broker's counts at one moment. The totals ({@code messagesReceived} to {@code
     * connectionsOpened}) only grow; the rest are current values.
     */
    record Sample(long clientsConnected, long clientsTotal, long subscriptions, long retained, long heapUsed,
            long messagesReceived, long messagesSent, long bytesReceived, long bytesSent, long connectionsOpened) {
    }

    /** A total and the loads it feeds: {@code load/<name>/1min}, {@code 5min} and {@code 15min}. */
    private static final class Rate {
        final String name;
        final LoadAverage[] loads = {new LoadAverage(60), new LoadAverage(300), new LoadAverage(900)};
        long last;

        Rate(String name) {
            this.name = name;
        }
    }

    private static final String[] WINDOWS = {"1min", "5min", "15min"};

    private final String version;
    private final Rate messagesReceived = new Rate("messages/received");
    private final Rate messagesSent = new Rate("messages/sent");
    private final Rate publishReceived = new Rate("publish/received");
    private final Rate publishSent = new Rate("publish/sent");
    private final Rate bytesReceived = new Rate("bytes/received");
    private final Rate bytesSent = new Rate("bytes/sent");
    private final Rate connections = new Rate("connections");
    /** The payload last given for each topic that is published only when it changes. */
    private final Map<String, String> published = new HashMap<>();
    private long clientsMaximum;
    private long heapMaximum;
    private double lastRoundSeconds = Double.NaN;

    /** @param version the broker's version, for {@code $SYS/broker/version} ("starling version ...") */
    SysTopics(String version) {
        this.version = version;
    }

    /**
     * The messages of the round at {@code secondsSinceStart}, topic to payload, in a fixed order.
     */
    Map<String, String> round(Sample sample, double secondsSinceStart) {
        Map<String, String> out = new LinkedHashMap<>();
        boolean first = Double.isNaN(lastRoundSeconds);
        if (first) {
            out.put(PREFIX + "version", "starling version " + version);
        }
        out.put(PREFIX + "uptime", (long) secondsSinceStart + " seconds");
        clientsMaximum = Math.max(clientsMaximum, sample.clientsTotal());
        heapMaximum = Math.max(heapMaximum, sample.heapUsed());
        changed(out, "clients/total", sample.clientsTotal());
        changed(out, "clients/maximum", clientsMaximum);
        changed(out, "clients/disconnected", sample.clientsTotal() - sample.clientsConnected());
        changed(out, "clients/connected", sample.clientsConnected());
        double elapsed = first ? 0 : secondsSinceStart - lastRoundSeconds;
        loads(out, messagesReceived, sample.messagesReceived(), first, elapsed);
        loads(out, messagesSent, sample.messagesSent(), first, elapsed);
        loads(out, publishReceived, sample.messagesReceived(), first, elapsed);
        loads(out, publishSent, sample.messagesSent(), first, elapsed);
        loads(out, bytesReceived, sample.bytesReceived(), first, elapsed);
        loads(out, bytesSent, sample.bytesSent(), first, elapsed);
        loads(out, connections, sample.connectionsOpened(), first, elapsed);
        changed(out, "subscriptions/count", sample.subscriptions());
        changed(out, "retained messages/count", sample.retained());
        changed(out, "heap/current", sample.heapUsed());
        changed(out, "heap/maximum", heapMaximum);
        changed(out, "messages/received", sample.messagesReceived());
        changed(out, "messages/sent", sample.messagesSent());
        changed(out, "publish/messages/received", sample.messagesReceived());
        changed(out, "publish/messages/sent", sample.messagesSent());
        changed(out, "bytes/received", sample.bytesReceived());
        changed(out, "bytes/sent", sample.bytesSent());
        lastRoundSeconds = secondsSinceStart;
        return out;
    }

    private void changed(Map<String, String> out, String name, long value) {
        String topic = PREFIX + name;
        String payload = Long.toString(value);
        if (!payload.equals(published.put(topic, payload))) {
            out.put(topic, payload);
        }
    }

    /**
     * The first round gives every load at 0.00; each later one folds in the rate since the round
     * before, per minute, and gives the loads that moved.
     */
    private static void loads(Map<String, String> out, Rate rate, long total, boolean first, double elapsed) {
        double perMinute = first || elapsed <= 0 ? 0 : (total - rate.last) * 60.0 / elapsed;
        rate.last = total;
        for (int i = 0; i < WINDOWS.length; i++) {
            LoadAverage load = rate.loads[i];
            boolean moved = !first && elapsed > 0 && load.update(perMinute, elapsed);
            if (first || moved) {
                out.put(PREFIX + "load/" + rate.name + "/" + WINDOWS[i], load.formatted());
            }
        }
    }

    static String twoDecimals(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
