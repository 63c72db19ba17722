package io.starling.broker.internal.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.broker.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads a TLS listener when its certificate, key, CA or CRL file changes, so that a renewed
 * certificate (certbot, cert-manager) is used without a restart or a SIGHUP. It polls the files'
 * identity, size and modification time, on the acceptor's event loop: a few {@code stat} calls
 * every couple of seconds, which works on every file system (inotify misses changes on some
 * network and container mounts). A change that does not load (a key written before its
 * certificate, a broken file) is logged once and the old files stay in use until the next change.
 */
final class CertificateWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CertificateWatcher.class);
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);

    private final List<ServerTls> listeners;
    private final ScheduledFuture<?> polling;

    private CertificateWatcher(List<ServerTls> listeners, EventExecutor executor, Duration interval) {
        this.listeners = List.copyOf(listeners);
        long millis = interval.toMillis();
        this.polling = executor.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Starts polling {@code listeners}' files every {@code interval} on {@code executor}. */
    static CertificateWatcher start(List<ServerTls> listeners, EventExecutor executor, Duration interval) {
        return new CertificateWatcher(listeners, executor, interval);
    }

    private void poll() {
        for (ServerTls tls : listeners) {
            if (!tls.filesChanged()) {
                continue;
            }
            try {
                tls.reload();
            } catch (ConfigException e) {
                log.warn("TLS files changed but cannot be used; the previous certificate stays in use: {}", e.getMessage());
            } catch (RuntimeException e) {
                // the timer stops for good on an exception: keep it alive
                log.warn("TLS files changed but cannot be used; the previous certificate stays in use", e);
            }
        }
    }

    @Override
    public void close() {
        polling.cancel(false);
    }
}
