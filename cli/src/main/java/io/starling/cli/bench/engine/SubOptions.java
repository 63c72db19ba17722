package io.starling.cli.bench.engine;

/**
 * {@code bench sub}: N subscribers of one topic filter.
 *
 * @param settings the common settings; without a duration or count the run lasts 10 s
 * @param subscribers subscribers (connections)
 * @param filter topic filter, {@code %i} standing for the subscriber index
 * @param count stop after this many messages received over all subscribers, 0 for no limit
 */
public record SubOptions(BenchSettings settings, int subscribers, String filter, long count) {
    public SubOptions {
        PubSubOptions.require(subscribers >= 1, "subscribers (-c) are 1 or more, not " + subscribers);
        PubSubOptions.require(!filter.isEmpty(), "the topic filter must not be empty");
        PubSubOptions.require(count >= 0, "the count is 0 (no limit) or more, not " + count);
    }

    /** A copy with {@code count} replaced. */
    public SubOptions withCount(long count) {
        return new SubOptions(settings, subscribers, filter, count);
    }
}
