package io.starling.http.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.starling.broker.admin.BrokerAdmin;
import io.starling.http.server.Json;
import io.starling.http.server.Reply;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/v1/stream?filter=F}: the messages published to topics matching {@code F}, as
 * Server-Sent Events, for as long as the connection stays open. A watch, not a session: a reader
 * that is too slow (its connection not writable) misses messages, counted in {@code
 * starling_http_stream_dropped_total}, and never slows the broker.
 */
public final class LiveStream {
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
    private static final long KEEP_ALIVE_SECONDS = 15;

    private final Counter dropped;
    private final Counter sent;

    public LiveStream(MeterRegistry registry) {
        this.dropped = Counter.builder("starling.http.stream.dropped").description("Messages a live stream (GET /api/v1/stream) missed: its reader was too slow")
                .register(registry);
        this.sent = Counter.builder("starling.http.stream.sent").description("Messages sent to live streams (GET /api/v1/stream)")
                .register(registry);
    }

    /** Starts the stream on {@code channel}: the response head now, then one event per message. */
    Reply open(BrokerAdmin admin, String filter, Channel channel) {
        // the filter is checked before anything is written: a bad one is a 400
        BrokerAdmin.Watch watch = admin.watch(filter, message -> {
            if (!channel.isActive()) {
                return;
            }
            if (!channel.isWritable()) {
                dropped.increment();
                return;
            }
            // JSON has no raw line breaks, so the object is one data line
            String event = "event: message\ndata: " + new String(Json.bytes(Views.watched(message)), StandardCharsets.UTF_8) + "\n\n";
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
            sent.increment();
        });
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE)
                .set("X-Content-Type-Options", "nosniff");
        HttpUtil.setTransferEncodingChunked(head, true);
        channel.writeAndFlush(head);
        ScheduledFuture<?> keepAlive = channel.eventLoop().scheduleAtFixedRate(
                () -> channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(KEEP_ALIVE))),
                KEEP_ALIVE_SECONDS, KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
        channel.closeFuture().addListener(closed -> {
            keepAlive.cancel(false);
            watch.close();
        });
        return Reply.STREAMING;
    }
}
