package io.starling.cli.bench.stats;

import java.util.List;
import java.util.Locale;

/**
 * The result of one bench run, printable as text ({@link #toText()}) and as one JSON object
 * ({@link #toJson()}). Counts cover the measured interval (after the warm-up); a count that does
 * not apply to the command is {@link #UNKNOWN} (JSON null).
 *
 * @param command conn, pub, sub or pubsub
 * @param scenario what ran, in words
 * @param protocol the MQTT version spoken: 3.1, 3.1.1 or 5.0
 * @param connections connections that completed their handshake
 * @param connectFailed connections that could not connect or were refused
 * @param disconnected connections the broker or the network closed during the run
 * @param sent messages published
 * @param acknowledged messages whose QoS 1/2 flow completed (PUBACK, PUBCOMP); equal to sent at QoS 0
 * @param received deliveries, duplicates included
 * @param expected deliveries that should have been received: what was sent times the
 *     subscribers of its topic (pubsub), or what the sequence numbers show was sent (sub)
 * @param lost expected minus distinct deliveries
 * @param duplicated deliveries of a message received before
 * @param outOfOrder deliveries of a new message behind a later one of the same publisher
 * @param seconds the measured interval: from its start to the last delivery (pubsub), the first
 *     to the last delivery (sub), to the end of publishing (pub), or to the last CONNACK (conn)
 * @param sendRate messages sent per second of publishing
 * @param rate deliveries per second over {@code seconds} (conn: connections per second)
 * @param latency delivery latency (pub: PUBLISH to PUBACK/PUBCOMP), µs
 * @param connectTime TCP connected to CONNACK, µs
 * @param interrupted whether the run was cut short by Ctrl-C
 * @param brokers each broker's part when the run was spread over several (pubsub
 *     {@code --brokers}), else empty
 * @param crossing expected deliveries whose publisher and subscriber were connected to different
 *     brokers, so that a cluster had to forward them; 0 unless spread
 */
public record BenchSummary(
        String command,
        String scenario,
        String protocol,
        int connections,
        int connectFailed,
        int disconnected,
        long sent,
        long acknowledged,
        long received,
        long expected,
        long lost,
        long duplicated,
        long outOfOrder,
        double seconds,
        double sendRate,
        double rate,
        Percentiles latency,
        Percentiles connectTime,
        boolean interrupted,
        List<BrokerShare> brokers,
        long crossing) {

    public BenchSummary {
        brokers = List.copyOf(brokers);
    }

    /** A summary of a run against one broker. */
    public BenchSummary(String command, String scenario, String protocol, int connections, int connectFailed,
            int disconnected, long sent, long acknowledged, long received, long expected, long lost, long duplicated,
            long outOfOrder, double seconds, double sendRate, double rate, Percentiles latency, Percentiles connectTime,
            boolean interrupted) {
        this(command, scenario, protocol, connections, connectFailed, disconnected, sent, acknowledged, received, expected,
                lost, duplicated, outOfOrder, seconds, sendRate, rate, latency, connectTime, interrupted, List.of(), 0);
    }

    /** A count that does not apply. */
    public static final long UNKNOWN = -1;

    private boolean publishes() {
        return command.equals("pub") || command.equals("pubsub");
    }

    private boolean receives() {
        return command.equals("sub") || command.equals("pubsub");
    }

    /** The summary as aligned lines, the last ending with a line separator. */
    public String toText() {
        StringBuilder out = new StringBuilder();
        out.append("bench ").append(command).append(": ").append(scenario).append('\n');
        if (interrupted) {
            out.append("interrupted by Ctrl-C\n");
        }
        String conns = connections + " (" + connectFailed + " failed, " + disconnected + " lost)";
        if (command.equals("conn")) {
            conns += String.format(Locale.ROOT, ", opened in %.3f s (%.1f conn/s)", seconds, rate);
        }
        line(out, "connections", conns);
        line(out, "connect (us)", percentiles(connectTime));
        if (publishes()) {
            line(out, "sent", String.format(Locale.ROOT, "%d  (%.1f msg/s)", sent, sendRate));
            line(out, "acknowledged", Long.toString(acknowledged));
        }
        if (receives()) {
            line(out, "received", String.format(Locale.ROOT, "%d  (%.1f msg/s over %.3f s)", received, rate, seconds));
            line(out, "expected", expected + (command.equals("sub") ? "  (from the sequence numbers seen)" : ""));
            line(out, "lost", Long.toString(lost));
            line(out, "duplicated", Long.toString(duplicated));
            line(out, "out of order", Long.toString(outOfOrder));
        }
        if (command.equals("pub")) {
            line(out, "ack latency (us)", latency.count() == 0 ? "none (QoS 0)" : percentiles(latency));
        } else if (receives()) {
            line(out, "latency (us)", percentiles(latency));
        }
        if (!brokers.isEmpty()) {
            line(out, "across brokers", String.format(Locale.ROOT, "%d of %d expected deliveries (%.1f %%)", crossing, expected,
                    expected > 0 ? 100.0 * crossing / expected : 0));
            for (BrokerShare b : brokers) {
                line(out, "  " + b.broker(), String.format(Locale.ROOT,
                        "%d pub, %d sub: sent %d (%.1f msg/s), received %d (%.1f msg/s)",
                        b.publishers(), b.subscribers(), b.sent(), b.sendRate(), b.received(), b.rate()));
            }
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-17s %s%n", label, value));
    }

    private static String percentiles(Percentiles p) {
        if (p.count() == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %d  p99 %d  p99.9 %d  max %d  mean %.1f  (%d samples)",
                p.p50(), p.p99(), p.p999(), p.max(), p.mean(), p.count());
    }

    /** The summary as one JSON object on one line; times in µs, rates per second, unknown counts null. */
    public String toJson() {
        StringBuilder out = new StringBuilder(512).append('{');
        field(out, "command", quote(command)).append(',');
        field(out, "scenario", quote(scenario)).append(',');
        field(out, "protocol", quote(protocol)).append(',');
        field(out, "connections", Integer.toString(connections)).append(',');
        field(out, "connect_failed", Integer.toString(connectFailed)).append(',');
        field(out, "disconnected", Integer.toString(disconnected)).append(',');
        field(out, "sent", count(sent)).append(',');
        field(out, "acknowledged", count(acknowledged)).append(',');
        field(out, "received", count(received)).append(',');
        field(out, "expected", count(expected)).append(',');
        field(out, "lost", count(lost)).append(',');
        field(out, "duplicated", count(duplicated)).append(',');
        field(out, "out_of_order", count(outOfOrder)).append(',');
        field(out, "seconds", number(seconds)).append(',');
        field(out, "send_rate", number(sendRate)).append(',');
        field(out, "rate", number(rate)).append(',');
        field(out, "latency_us", json(latency)).append(',');
        field(out, "connect_us", json(connectTime)).append(',');
        field(out, "interrupted", Boolean.toString(interrupted));
        if (!brokers.isEmpty()) {
            out.append(',');
            field(out, "crossing", Long.toString(crossing)).append(',');
            out.append("\"brokers\":[");
            for (int i = 0; i < brokers.size(); i++) {
                BrokerShare b = brokers.get(i);
                out.append(i == 0 ? "{" : ",{");
                field(out, "broker", quote(b.broker())).append(',');
                field(out, "publishers", Integer.toString(b.publishers())).append(',');
                field(out, "subscribers", Integer.toString(b.subscribers())).append(',');
                field(out, "sent", Long.toString(b.sent())).append(',');
                field(out, "received", Long.toString(b.received())).append(',');
                field(out, "send_rate", number(b.sendRate())).append(',');
                field(out, "rate", number(b.rate())).append('}');
            }
            out.append(']');
        }
        return out.append('}').toString();
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        return out.append('"').append(name).append("\":").append(value);
    }

    private static String count(long value) {
        return value == UNKNOWN ? "null" : Long.toString(value);
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null";
    }

    private static String json(Percentiles p) {
        return "{\"count\":" + p.count() + ",\"p50\":" + p.p50() + ",\"p99\":" + p.p99() + ",\"p999\":" + p.p999()
                + ",\"max\":" + p.max() + ",\"mean\":" + number(p.mean()) + "}";
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
