package io.starling.cli.bench.engine;

import io.netty.util.NetUtil;
import io.starling.cli.bench.stats.BenchSummary;
import io.starling.cli.bench.stats.ConnectionCounts;
import io.starling.cli.bench.stats.LatencyStats;
import io.starling.cli.bench.stats.Percentiles;
import io.starling.cli.bench.stats.ProgressReporter;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * {@code bench conn}: opens N connections, R per second (0: as fast as possible), and holds them
 * until the duration ends or Ctrl-C. Reports how many connected, failed and were lost, how long
 * opening them took and the connect time (TCP connected to CONNACK) percentiles. When the first
 * connections all fail (the broker is not there), it stops with that error rather than trying
 * the rest; later failures are counted, and the first of them is printed as a warning (running
 * out of file descriptors or ports is the usual one). With source addresses, connection i is
 * bound to the (i mod n)-th of them, since one local address has only about 28 k ephemeral ports
 * toward one broker.
 */
public final class ConnBench extends LoadBench {
    private final ConnOptions options;

    /** A bench with {@code options}, printing progress (when enabled) on standard error. */
    public ConnBench(ConnOptions options) {
        this(options, System.err);
    }

    ConnBench(ConnOptions options, PrintStream progressOut) {
        super(options.settings(), progressOut);
        this.options = options;
    }

    /** Runs a bench with {@code options} to its end. */
    public static BenchSummary run(ConnOptions options) {
        return new ConnBench(options).run();
    }

    @Override
    public BenchSummary run() {
        String clientBase = settings.clientPrefix() + "-" + RunIds.hex(RunIds.next()) + "-c";
        RunClock clock = new RunClock();
        AtomicLong lastHandshake = new AtomicLong();
        long start;
        Long deadline;
        ConnectionCounts counts;
        LatencyStats connectTimes;
        try (LoadClients clients = new LoadClients(settings)) {
            List<InetSocketAddress> sources = sources(clients.broker().getAddress());
            counts = clients.counts();
            // lost connections are a result here; the run ends early only when none is left
            ConnectionCounts all = counts;
            all.whenLost(() -> {
                if (all.open() == 0) {
                    control.finish();
                }
            });
            connectTimes = clients.connectTimes();
            try (ProgressReporter progress = new ProgressReporter(progressOut, counts, null, null, null, "", clock::isMeasured)) {
                start = System.nanoTime();
                clock.measureFrom(start);
                lastHandshake.set(start);
                if (settings.progress()) {
                    progress.start(start);
                }
                deadline = settings.duration() == null ? null : start + settings.duration().toNanos();
                List<CompletableFuture<LoadConnection>> ready = clients.openAll(options.connections(), options.rate(),
                        i -> {
                            // round robin: connection i leaves from the (i mod n)-th source address
                            LoadConnection connection = clients.open(clientBase + i, null, null, null,
                                    sources.isEmpty() ? null : sources.get(i % sources.size()));
                            connection.ready().whenComplete((c, e) -> lastHandshake.accumulateAndGet(System.nanoTime(),
                                    (a, b) -> b - a > 0 ? b : a));
                            return connection;
                        },
                        () -> control.isStopped() || isPast(deadline) || unreachable(counts));
                awaitHandshakes(ready);
                if (unreachable(counts)) {
                    throw new BenchException(String.valueOf(counts.firstFailure()));
                }
                started.complete(null);
                control.awaitUntil(deadline);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("interrupted");
        } finally {
            started.complete(null);
        }
        connectTimes.sampleInterval();
        double seconds = Math.max(0, (lastHandshake.get() - start) / 1e9);
        counts.warnOfLosses(progressOut);
        if (counts.failed() > 0) {
            // the summary only counts them; say why, or a run that hit a limit looks merely slow
            progressOut.println("warning: " + counts.failed() + " connection(s) failed; the first: " + counts.firstFailure());
        }
        return new BenchSummary("conn", scenario(), settings.protocol(), counts.established(), counts.failed(), counts.lost(),
                BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, BenchSummary.UNKNOWN,
                BenchSummary.UNKNOWN, BenchSummary.UNKNOWN, seconds, Double.NaN,
                PubSubBench.rate(counts.established(), seconds), Percentiles.NONE, connectTimes.total(),
                control.wasInterrupted());
    }

    /**
     * The {@code --source-address} values as local socket addresses with port 0 (the system picks
     * the port at bind time). An address of the other IP family than the broker's could never
     * connect; that is refused here with one clear message rather than as N failed connections.
     */
    private List<InetSocketAddress> sources(InetAddress broker) {
        List<InetSocketAddress> sources = new ArrayList<>(options.sourceAddresses().size());
        for (InetAddress source : options.sourceAddresses()) {
            if ((source instanceof Inet4Address) != (broker instanceof Inet4Address)) {
                throw new BenchException("source address " + NetUtil.toAddressString(source) + " and the broker's address "
                        + NetUtil.toAddressString(broker) + " are of different IP versions");
            }
            sources.add(new InetSocketAddress(source, 0));
        }
        return sources;
    }

    /** Nothing connected and something failed: the broker is not there, or refuses everyone. */
    private static boolean unreachable(ConnectionCounts counts) {
        return counts.established() == 0 && counts.failed() > 0;
    }

    private static boolean isPast(@Nullable Long deadline) {
        return deadline != null && System.nanoTime() - deadline >= 0;
    }

    /** Waits until every handshake has ended one way or the other; each is bounded by its timeouts. */
    private static void awaitHandshakes(List<CompletableFuture<LoadConnection>> ready) throws InterruptedException {
        for (CompletableFuture<LoadConnection> future : ready) {
            try {
                future.handle((c, e) -> null).get(LoadConnection.HANDSHAKE_TIMEOUT_SECONDS + 10, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // counted as failed by the connection itself
            }
        }
    }

    private String scenario() {
        BenchSettings s = options.settings();
        String rate = options.rate() == 0 ? "as fast as possible" : String.format(Locale.ROOT, "%.1f/s", options.rate());
        int sources = options.sourceAddresses().size();
        return String.format(Locale.ROOT, "%d connections, %s%s, MQTT %s, keep alive %d s%s", options.connections(), rate,
                sources == 0 ? "" : sources == 1 ? ", from 1 source address" : ", from " + sources + " source addresses",
                s.protocol(), s.keepAlive(),
                s.duration() == null ? ", held until Ctrl-C" : PubSubBench.bounds(s, 0, ""));
    }
}
