package io.starling.jmh;

import io.starling.broker.internal.routing.TopicTree;
import io.starling.codec.packet.QoS;
import java.util.SplittableRandom;

/**
 * A set of subscriptions like those of an IoT fleet, with topics to publish to that match a known
 * number of them. Sites each have {@value #DEVICES_PER_SITE} devices publishing to
 * {@code site/<s>/device/<d>/telemetry}; the subscriptions are:
 * <ul>
 *   <li>{@code site/<s>/device/<d>/telemetry}, exact, for every device whose number does not end in 9;</li>
 *   <li>{@code site/<s>/+/<d>/telemetry}, one '+', for every device whose number ends in 0
 *       (one tenth of them);</li>
 *   <li>{@code site/<s>/#}, for every tenth site (whose exact subscription to device 1 is left
 *       out, so that the total is exactly the size asked for).</li>
 * </ul>
 * The subscriptions belong to a pool of {@value #CLIENTS} clients, in turn.
 *
 * <p>Topics are then: a device not ending in 0 or 9 on a site without '#' matches exactly one
 * subscription; a device ending in 0 on a site with '#' matches three (exact, '+' and '#'); a
 * device ending in 9 on a site without '#' matches none, after the tree has been walked down to
 * the device level on both the exact and the '+' branch.
 */
final class TelemetrySubscriptions {
    static final int DEVICES_PER_SITE = 1000;
    static final int CLIENTS = 10_000;
    /** A site every this many has a '#' subscription. */
    private static final int HASH_SITE_EVERY = 10;

    private final int sites;
    private final CountingSubscriber[] clients;

    /** {@code size} subscriptions; a multiple of {@value #DEVICES_PER_SITE}, at least 10 times that. */
    TelemetrySubscriptions(int size) {
        if (size % DEVICES_PER_SITE != 0 || size < HASH_SITE_EVERY * DEVICES_PER_SITE) {
            throw new IllegalArgumentException("size must be a multiple of " + DEVICES_PER_SITE + ", at least "
                    + HASH_SITE_EVERY * DEVICES_PER_SITE + ": " + size);
        }
        sites = size / DEVICES_PER_SITE;
        clients = new CountingSubscriber[Math.min(size, CLIENTS)];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = new CountingSubscriber("client-" + i);
        }
    }

    /** Subscribes the whole set in {@code tree}; returns how many subscriptions were added. */
    int subscribeAll(TopicTree tree) {
        int n = 0;
        for (int s = 0; s < sites; s++) {
            boolean hashSite = hasHash(s);
            if (hashSite) {
                tree.subscribe("site/" + s + "/#", clients[n++ % clients.length], QoS.AT_LEAST_ONCE);
            }
            for (int d = 0; d < DEVICES_PER_SITE; d++) {
                if (d % 10 != 9 && !(hashSite && d == 1)) {
                    tree.subscribe(telemetry(s, d), clients[n++ % clients.length], QoS.AT_LEAST_ONCE);
                }
                if (d % 10 == 0) {
                    tree.subscribe("site/" + s + "/+/" + d + "/telemetry", clients[n++ % clients.length], QoS.AT_LEAST_ONCE);
                }
            }
        }
        return n;
    }

    /** {@code count} topics, each matching exactly one subscription, drawn at random from all such. */
    String[] matchingOne(int count, SplittableRandom random) {
        String[] topics = new String[count];
        for (int i = 0; i < count; i++) {
            int s = siteWithoutHash(random);
            // 1 to 8 past a multiple of ten: neither '+' (0) nor left out (9)
            int d = random.nextInt(DEVICES_PER_SITE / 10) * 10 + 1 + random.nextInt(8);
            topics[i] = telemetry(s, d);
        }
        return topics;
    }

    /** {@code count} topics, each matching three subscriptions (exact, '+' and '#'). */
    String[] matchingThree(int count, SplittableRandom random) {
        String[] topics = new String[count];
        for (int i = 0; i < count; i++) {
            int s = random.nextInt(sites / HASH_SITE_EVERY) * HASH_SITE_EVERY;
            int d = random.nextInt(DEVICES_PER_SITE / 10) * 10;
            topics[i] = telemetry(s, d);
        }
        return topics;
    }

    /** {@code count} topics that match no subscription. */
    String[] matchingNone(int count, SplittableRandom random) {
        String[] topics = new String[count];
        for (int i = 0; i < count; i++) {
            int s = siteWithoutHash(random);
            int d = random.nextInt(DEVICES_PER_SITE / 10) * 10 + 9;
            topics[i] = telemetry(s, d);
        }
        return topics;
    }

    private int siteWithoutHash(SplittableRandom random) {
        int s;
        do {
            s = random.nextInt(sites);
        } while (hasHash(s));
        return s;
    }

    private static boolean hasHash(int site) {
        return site % HASH_SITE_EVERY == 0;
    }

    static String telemetry(int site, int device) {
        return "site/" + site + "/device/" + device + "/telemetry";
    }
}
