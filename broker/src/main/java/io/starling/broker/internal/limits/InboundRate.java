package io.starling.broker.internal.limits;

import io.starling.broker.config.BrokerConfig;

/**
 * What one client sent lately, against {@code max_inbound_message_rate} (PUBLISH packets per
 * second) and {@code max_inbound_byte_rate} (bytes read per second, every packet): each method
 * answers how long the broker should stop reading the client, so that it averages no more than
 * the rates, with bursts of up to one second's worth. Nothing the client sent is dropped; it
 * waits in the client's socket and TCP slows the client down. Made for a connection on the first
 * packet a rate limit applies to; the connection's event loop only.
 */
public final class InboundRate {
    private final TokenBucket messages = new TokenBucket();
    private final TokenBucket bytes = new TokenBucket();

    /** A PUBLISH was read at {@code now}: nanoseconds to stop reading, or 0. */
    public long publishRead(BrokerConfig.Limits limits, long now) {
        return messages.take(1, limits.maxInboundMessageRate(), now);
    }

    /** {@code n} bytes were read at {@code now}: nanoseconds to stop reading, or 0. */
    public long bytesRead(long n, BrokerConfig.Limits limits, long now) {
        return bytes.take(n, limits.maxInboundByteRate(), now);
    }

    /** Nanoseconds until both rates allow reading again, or 0: asked when a pause ends. */
    public long pauseLeft(BrokerConfig.Limits limits, long now) {
        return Math.max(messages.waitNanos(limits.maxInboundMessageRate(), now),
                bytes.waitNanos(limits.maxInboundByteRate(), now));
    }
}
