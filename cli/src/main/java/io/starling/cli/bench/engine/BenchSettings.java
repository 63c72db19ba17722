package io.starling.cli.bench.engine;

import io.starling.codec.packet.QoS;
import io.starling.codec.wire.MqttVersion;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What every bench shares: where the broker is, how to connect, the QoS, the threads, and how
 * long to run. Validated on construction; {@link #defaults()} and the {@code with} methods make
 * the variations.
 *
 * @param host broker host name or address
 * @param port broker port, 1 to 65535
 * @param version MQTT 3.1, 3.1.1 or 5.0
 * @param username user name for CONNECT, or null
 * @param password password for CONNECT (needs a user name), or null
 * @param qos QoS of publishing and of subscriptions
 * @param clientPrefix start of every client identifier
 * @param threads Netty event loop threads
 * @param keepAlive keep alive of CONNECT in seconds, 0 to turn it off
 * @param duration how long to publish (after the warm-up) or hold connections; null for no
 *     limit other than the count or Ctrl-C
 * @param warmup traffic before the measured interval, not counted
 * @param progress whether to print a progress line every second on standard error
 * @param persistentSubscribers whether subscribers connect with a persistent session (clean
 *     session 0), so that a broker with persistence stores what it queues for them
 * @param busyPoll whether the event loops poll their sockets without ever sleeping, each taking
 *     a whole core, so that a latency does not include the bench's own wake-ups
 * @param tls TLS to the broker (MQTT over TLS), or null for plain TCP
 */
public record BenchSettings(
        String host,
        int port,
        MqttVersion version,
        @Nullable String username,
        @Nullable String password,
        QoS qos,
        String clientPrefix,
        int threads,
        int keepAlive,
        @Nullable Duration duration,
        Duration warmup,
        boolean progress,
        boolean persistentSubscribers,
        boolean busyPoll,
        @Nullable BenchTls tls) {

    public BenchSettings {
        if (host.isBlank()) {
            throw new IllegalArgumentException("the host must not be empty");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("the port is 1 to 65535, not " + port);
        }
        if (password != null && username == null && !version.isV5()) {
            throw new IllegalArgumentException("a password needs a user name in MQTT 3.1 and 3.1.1");
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads is 1 or more, not " + threads);
        }
        if (keepAlive < 0 || keepAlive > 65_535) {
            throw new IllegalArgumentException("keep alive is 0 to 65535 seconds, not " + keepAlive);
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("the duration must be positive, not " + duration);
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("the warm-up must not be negative");
        }
    }

    /** localhost:1883, MQTT 3.1.1, QoS 0, one thread per processor, keep alive 60 s, no time limit, no busy polling. */
    public static BenchSettings defaults() {
        return new BenchSettings("localhost", 1883, MqttVersion.V3_1_1, null, null, QoS.AT_MOST_ONCE, "bench",
                Runtime.getRuntime().availableProcessors(), 60, null, Duration.ZERO, true, false, false, null);
    }

    /** The version as people write it: 3.1, 3.1.1 or 5.0. */
    public String protocol() {
        return switch (version) {
            case V3_1 -> "3.1";
            case V3_1_1 -> "3.1.1";
            case V5 -> "5.0";
        };
    }

    /** A copy with {@code host}, {@code port} replaced. */
    public BenchSettings withBroker(String host, int port) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code qos} replaced. */
    public BenchSettings withQos(QoS qos) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code version} replaced. */
    public BenchSettings withVersion(MqttVersion version) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code username}, {@code password} replaced. */
    public BenchSettings withCredentials(@Nullable String username, @Nullable String password) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code clientPrefix} replaced. */
    public BenchSettings withClientPrefix(String clientPrefix) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code threads} replaced. */
    public BenchSettings withThreads(int threads) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code keepAlive} replaced. */
    public BenchSettings withKeepAlive(int keepAlive) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code duration} replaced. */
    public BenchSettings withDuration(@Nullable Duration duration) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code warmup} replaced. */
    public BenchSettings withWarmup(Duration warmup) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code busyPoll} replaced. */
    public BenchSettings withBusyPoll(boolean busyPoll) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code tls} replaced (null: plain TCP). */
    public BenchSettings withTls(@Nullable BenchTls tls) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** A copy with {@code progress} replaced. */
    public BenchSettings withProgress(boolean progress) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }

    /** This, with a duration of {@code fallback} when neither a duration nor {@code count} bounds the run. */
    BenchSettings boundedBy(long count, Duration fallback) {
        return duration == null && count == 0 ? withDuration(fallback) : this;
    }

    /** A copy with {@code persistentSubscribers} replaced. */
    public BenchSettings withPersistentSubscribers(boolean persistentSubscribers) {
        return new BenchSettings(host, port, version, username, password, qos, clientPrefix, threads, keepAlive,
                duration, warmup, progress, persistentSubscribers, busyPoll, tls);
    }
}
