package io.starling.cli.bench.stats;

/**
 * One broker's part of a run spread over several brokers ({@code bench pubsub --brokers}), as the
 * bench saw it over the measured interval: what its publishers sent into that broker and what its
 * subscribers received from it.
 *
 * @param broker the broker's {@code host:port}
 * @param publishers publishers connected to it
 * @param subscribers subscribers connected to it
 * @param sent messages published to it
 * @param received deliveries from it, duplicates included
 * @param sendRate {@code sent} per second of publishing
 * @param rate {@code received} per second of the run's measured interval
 */
public record BrokerShare(String broker, int publishers, int subscribers, long sent, long received, double sendRate,
        double rate) {
}
