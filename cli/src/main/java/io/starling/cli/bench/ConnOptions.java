package io.starling.cli.bench;

/**
 * {@code bench conn}: open N connections and hold them.
 *
 * @param settings the common settings; without a duration, connections are held until Ctrl-C
 *     ({@link ConnBench#stop()})
 * @param connections connections to open
 * @param rate connections opened per second, 0 for as fast as possible
 */
public record ConnOptions(BenchSettings settings, int connections, double rate) {
    public ConnOptions {
        PubSubOptions.require(connections >= 1, "connections (-c) are 1 or more, not " + connections);
        PubSubOptions.require(rate >= 0 && Double.isFinite(rate), "the rate is 0 (as fast as possible) or more, not " + rate);
    }
}
