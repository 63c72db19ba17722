package io.starling.cli.bench.engine;

import io.starling.cli.bench.stats.BrokerShare;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * How {@code bench pubsub} spreads its clients over several brokers (the nodes of a cluster), and
 * each broker's part of the run. Subscriber {@code j} connects to broker {@code j mod k} and
 * publisher {@code i} to broker {@code (i + 1) mod k}, one on from its pair's subscriber: in pairs
 * every message crosses brokers, in fan-in and fan-out about {@code (k - 1)/k} of the deliveries do.
 * Over one broker every client connects to it.
 */
final class BrokerSpread {
    private final List<BrokerAddress> brokers;

    BrokerSpread(List<BrokerAddress> brokers) {
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("no broker to spread over");
        }
        this.brokers = List.copyOf(brokers);
    }

    /** The brokers, in the order given. */
    List<BrokerAddress> brokers() {
        return brokers;
    }

    /** The index of the broker subscriber {@code j} connects to. */
    int subscriberBroker(int j) {
        return j % brokers.size();
    }

    /** The index of the broker publisher {@code i} connects to. */
    int publisherBroker(int i) {
        return (i + 1) % brokers.size();
    }

    /**
     * Each broker's publishers and subscribers, the messages sent to it and its deliveries over the
     * measured interval, with rates over {@code sendSeconds} (publishing) and {@code seconds}
     * (delivering). Read once the event loops have stopped.
     */
    List<BrokerShare> shares(Publisher[] publishers, Subscriber[] subscribers, double sendSeconds, double seconds) {
        int k = brokers.size();
        int[] publishersOn = new int[k];
        int[] subscribersOn = new int[k];
        long[] sentTo = new long[k];
        long[] receivedFrom = new long[k];
        for (int i = 0; i < publishers.length; i++) {
            publishersOn[publisherBroker(i)]++;
            sentTo[publisherBroker(i)] += publishers[i].sentCounted();
        }
        for (int j = 0; j < subscribers.length; j++) {
            subscribersOn[subscriberBroker(j)]++;
            receivedFrom[subscriberBroker(j)] += subscribers[j].tracker().received();
        }
        List<BrokerShare> shares = new ArrayList<>(k);
        for (int b = 0; b < k; b++) {
            shares.add(new BrokerShare(brokers.get(b).toString(), publishersOn[b], subscribersOn[b], sentTo[b], receivedFrom[b],
                    PubSubBench.rate(sentTo[b], sendSeconds), PubSubBench.rate(receivedFrom[b], seconds)));
        }
        return shares;
    }

    /**
     * The expected deliveries of the measured interval whose publisher is connected to another
     * broker than their subscriber: what a cluster had to forward. {@code feeders} gives the
     * indexes of the publishers subscriber {@code j} receives from.
     */
    long crossing(Publisher[] publishers, int subscribers, IntFunction<List<Integer>> feeders) {
        long crossing = 0;
        for (int j = 0; j < subscribers; j++) {
            for (int i : feeders.apply(j)) {
                if (publisherBroker(i) != subscriberBroker(j)) {
                    crossing += publishers[i].sentCounted();
                }
            }
        }
        return crossing;
    }
}
