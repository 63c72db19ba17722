package io.starling.broker.internal.limits;

import io.netty.channel.Channel;
import io.starling.broker.config.BrokerConfig;
import io.starling.broker.metrics.BrokerMetrics;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pauses the reading of one client that sends faster than the inbound rates allow, for as long
 * as its {@link InboundRate} says, then resumes it. What the client sends meanwhile waits in its
 * socket and TCP slows it down; nothing it sent is dropped, and the packets already read are still
 * handled. The connection decides whether to read ({@link #paused()} is one of its reasons not
 * to) and is told each time that changes. Made for a connection when a rate limit first applies
 * to it; its event loop only.
 */
public final class InboundThrottle {
    private static final Logger log = LoggerFactory.getLogger(InboundThrottle.class);

    private final InboundRate rate = new InboundRate();
    private final LiveLimits limits;
    private final BrokerMetrics metrics;
    private final Channel channel;
    private final Runnable readDecision;
    private boolean paused;

    /**
     * @param readDecision run whenever {@link #paused()} changes, to turn the reading on or off
     */
    public InboundThrottle(LiveLimits limits, BrokerMetrics metrics, Channel channel, Runnable readDecision) {
        this.limits = limits;
        this.metrics = metrics;
        this.channel = channel;
        this.readDecision = readDecision;
    }

    /** Whether the client is not to be read now: it went over a rate. */
    public boolean paused() {
        return paused;
    }

    /** A PUBLISH was read. */
    public void publishRead() {
        BrokerConfig.Limits now = limits.current();
        if (now.maxInboundMessageRate() != 0) {
            pause(rate.publishRead(now, System.nanoTime()));
        }
    }

    /** {@code n} bytes came off the socket (the {@link InboundByteMeter}). */
    public void bytesRead(long n) {
        BrokerConfig.Limits now = limits.current();
        if (now.maxInboundByteRate() != 0) {
            pause(rate.bytesRead(n, now, System.nanoTime()));
        }
    }

    private void pause(long nanos) {
        if (nanos == 0 || paused) {
            return; // a pause in progress looks at the debt again when it ends
        }
        paused = true;
        metrics.clientsThrottled.increment();
        log.debug("{}: sending faster than the inbound rate limits, not read for {} ms", channel.remoteAddress(), nanos / 1_000_000);
        readDecision.run();
        channel.eventLoop().schedule(this::resume, nanos, TimeUnit.NANOSECONDS);
    }

    private void resume() {
        long left = rate.pauseLeft(limits.current(), System.nanoTime());
        if (left > 0 && channel.isActive()) {
            channel.eventLoop().schedule(this::resume, left, TimeUnit.NANOSECONDS);
            return;
        }
        paused = false;
        readDecision.run();
    }
}
