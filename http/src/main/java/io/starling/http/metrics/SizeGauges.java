package io.starling.http.metrics;

import io.micrometer.core.instrument.Gauge;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.broker.admin.BrokerAdmin.Overview;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * The broker's size as gauges: connections, sessions, subscriptions, shared groups, retained
 * messages. All come from one {@link BrokerAdmin#overview()}, taken at most once per scrape: the
 * gauges of one scrape read the same snapshot, which is kept {@link #FRESH_NANOS} at most.
 */
final class SizeGauges {
    /** How long one overview serves: longer than a scrape takes, shorter than any scrape interval. */
    static final long FRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Taken(Overview overview, long atNanos) {}

    private final Supplier<BrokerAdmin> admin;
    private volatile @Nullable Taken last;

    private SizeGauges(Supplier<BrokerAdmin> admin) {
        this.admin = admin;
    }

    /** Registers the gauges into {@code meters}; they hold the returned object. */
    static SizeGauges register(MeterSet meters, Supplier<BrokerAdmin> admin) {
        SizeGauges sizes = new SizeGauges(admin);
        sizes.gauge(meters, "starling.connections", "Clients connected now", null, null, Overview::connections);
        sizes.gauge(meters, "starling.sessions", "Sessions, by state", "state", "online", Overview::sessionsOnline);
        sizes.gauge(meters, "starling.sessions", "Sessions, by state", "state", "offline", Overview::sessionsOffline);
        sizes.gauge(meters, "starling.subscriptions", "Subscriptions of all sessions, shared ones included", null, null,
                Overview::subscriptions);
        sizes.gauge(meters, "starling.shared.groups", "Shared subscription groups with at least one member", null, null,
                Overview::sharedGroups);
        sizes.gauge(meters, "starling.retained.messages", "Retained messages kept", null, null, Overview::retainedMessages);
        meters.add(Gauge.builder("starling.retained", sizes, s -> s.overview().retainedBytes())
                .description("Topic and payload bytes of the retained messages kept, as max_retained_bytes counts them").baseUnit("bytes").strongReference(true)
                .register(meters.registry()));
        return sizes;
    }

    private void gauge(MeterSet meters, String name, String description, @Nullable String key, @Nullable String value,
            ToDoubleFunction<Overview> f) {
        Gauge.Builder<SizeGauges> builder = Gauge.builder(name, this, s -> f.applyAsDouble(s.overview()))
                .description(description).strongReference(true);
        if (key != null && value != null) {
            builder.tag(key, value);
        }
        meters.add(builder.register(meters.registry()));
    }

    /** The overview of this scrape: the one taken less than {@link #FRESH_NANOS} ago, or a new one. */
    Overview overview() {
        long now = System.nanoTime();
        Taken taken = last;
        if (taken == null || now - taken.atNanos() > FRESH_NANOS) {
            taken = new Taken(admin.get().overview(), now);
            last = taken;
        }
        return taken.overview();
    }
}
