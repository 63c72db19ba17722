package io.starling.http.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import java.util.List;

/**
 * The JVM's and the process's meters, as Micrometer's binders name them: heap and non-heap by
 * pool, buffer pools ({@code jvm_buffer_memory_used_bytes{id="direct"}}: Netty's direct memory),
 * GC pauses, threads, classes, CPU and uptime.
 */
final class JvmMeters implements AutoCloseable {
    /** The name prefixes of what the binders register; closing removes every meter under them. */
    private static final List<String> PREFIXES = List.of("jvm.", "process.", "system.");

    private final MeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    JvmMeters(MeterRegistry registry) {
        this.registry = registry;
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Stops listening to GC notifications and removes the JVM's meters. The binders do not say
     * which meters they made (GC pause timers appear with the first pause), so they go by name:
     * JVM meters someone else registered on the same registry go too.
     */
    @Override
    public void close() {
        gc.close();
        for (Meter meter : List.copyOf(registry.getMeters())) {
            String name = meter.getId().getName();
            if (PREFIXES.stream().anyMatch(name::startsWith)) {
                registry.remove(meter);
            }
        }
    }
}
